"""Reading a rapporteur's Word (DOCX) file back as light markup for a new key message (python-docx).

Paragraphs, emphasis and lists only; lists are recognised by their numbering properties (w:numPr),
as Word and LibreOffice write them, or by their style.
"""
from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from flask_babel import gettext as _

from .errors import OutcomeError

MAX_BYTES = 5 * 1024 * 1024


def read_text(data: bytes) -> tuple[str, list[str]]:
    """Light markup of a Word file's paragraphs, emphasis and lists, and what was dropped (translated words).

    Tables, images, headers, footnotes, comments and other formatting are not key-message text.
    """
    if len(data) > MAX_BYTES:
        raise OutcomeError(_("The file is too large (at most 5 MB)."), "file")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise OutcomeError(_("This is not a Word (.docx) file."), "file") from exc
    except Exception as exc:  # python-docx meets any malformed XML inside a zip
        raise OutcomeError(_("This is not a Word (.docx) file."), "file") from exc
    dropped = set()
    body = document.element.body
    if body.findall(qn("w:tbl")):
        dropped.add(_("tables"))
    if body.findall(".//" + qn("w:drawing")) or body.findall(".//" + qn("w:pict")):
        dropped.add(_("images"))
    if any(s.header.paragraphs and any(p.text.strip() for p in s.header.paragraphs) for s in document.sections):
        dropped.add(_("headers and footers"))
    if body.findall(".//" + qn("w:footnoteReference")):
        dropped.add(_("footnotes"))
    if body.findall(".//" + qn("w:hyperlink")):
        dropped.add(_("links (their text is kept)"))
    blocks: list[str] = []
    list_lines: list[str] = []
    for paragraph in document.paragraphs:
        text = _inline(paragraph)
        if not text.strip():
            if list_lines:
                blocks.append("\n".join(list_lines))
                list_lines = []
            continue
        kind = _list_kind(paragraph)
        if kind:
            marker = "1. " if kind == "number" else "- "
            list_lines.append(marker + text.strip())
            continue
        if list_lines:
            blocks.append("\n".join(list_lines))
            list_lines = []
        blocks.append(text.strip())
    if list_lines:
        blocks.append("\n".join(list_lines))
    text = "\n\n".join(blocks)[:20000]
    if not text.strip():
        raise OutcomeError(_("The Word file has no text to import."), "file")
    return text, sorted(dropped)


def _list_kind(paragraph) -> str | None:
    """"number", "bullet" or None: from the numbering properties (w:numPr) Word and LibreOffice write,
    the paragraph's or its style's, else from the style's name."""
    num_pr = _num_pr(paragraph)
    if num_pr is not None and num_pr.numId is not None and num_pr.numId.val:
        return _numbering_format(paragraph.part, num_pr.numId.val, num_pr.ilvl.val if num_pr.ilvl is not None else 0)
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if "Number" in style:
        return "number"
    if "List" in style or "Bullet" in style:
        return "bullet"
    return None


def _num_pr(paragraph):
    props = paragraph._p.pPr
    if props is not None and props.numPr is not None:
        return props.numPr
    style = paragraph.style
    while style is not None:  # a list style may carry the numbering, or the style it is based on
        if style.element.pPr is not None and style.element.pPr.numPr is not None:
            return style.element.pPr.numPr
        style = style.base_style
    return None


def _numbering_format(part, num_id: int, level: int) -> str | None:
    """The list kind of a numbering instance at a level: a bullet, or any numbering format (1., a), i.)."""
    try:
        numbering = part.numbering_part.element
    except (KeyError, NotImplementedError):  # no numbering part: numId 0 or a broken file
        return "bullet"
    num = next((n for n in numbering.num_lst if n.numId == num_id), None)
    if num is None:
        return None  # numId 0 means "no numbering" (Word writes it to end a list)
    abstract_id = num.abstractNumId.val
    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) != str(abstract_id):
            continue
        for lvl in abstract.findall(qn("w:lvl")):
            if lvl.get(qn("w:ilvl")) == str(level):
                fmt = lvl.find(qn("w:numFmt"))
                value = fmt.get(qn("w:val")) if fmt is not None else "decimal"
                return "bullet" if value in ("bullet", "none") else "number"
    return "bullet"


def _inline(paragraph) -> str:
    """The paragraph's text with *emphasis* and **strong**, runs of the same style joined."""
    parts: list[tuple[str, bool, bool]] = []
    for run in paragraph.iter_inner_content():
        runs = run.runs if hasattr(run, "runs") else [run]
        for r in runs:
            text = re.sub(r"[\*\u0000-\u0008\u000b-\u001f]", "", r.text or "").replace("\t", " ")
            if not text:
                continue
            style = (bool(r.bold), bool(r.italic))
            if parts and parts[-1][1:] == style:
                parts[-1] = (parts[-1][0] + text, *style)
            else:
                parts.append((text, *style))
    out = []
    for text, bold, italic in parts:
        core = text.strip()
        if not core or not (bold or italic):
            out.append(text)
            continue
        lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        mark = "**" if bold else "*"
        out.append(f"{lead}{mark}{core}{mark}{trail}")
    return re.sub(r"[ \u00a0]+", " ", "".join(out).replace("\n", " "))
