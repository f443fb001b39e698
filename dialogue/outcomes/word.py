"""Word (DOCX) files with python-docx: the outcome document for delegations to negotiate on, and a
rapporteur's Word text read back as light markup for a new key message.

The DOCX has the PDF's masthead, title, headings and numbered paragraphs ("1." and a tab), in the
language's typography; paragraphs in another language carry their language. It is made by the
publication job, beside the PDFs, never in a request.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import docx
import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from flask_babel import force_locale
from flask_babel import gettext as _

from ..formatting import fmt_date
from ..i18n import language_name, pick
from . import markup, typography
from .document import Composition
from .services import OutcomeError
from .versions import Edition

MAX_BYTES = 5 * 1024 * 1024


def render_docx(comp: Composition, lang: str, edition: Edition) -> bytes:
    """The outcome document in `lang` as a Word file (same masthead, headings and numbers as the PDF)."""
    with force_locale(lang):
        return _render(comp, lang, edition)


def _render(comp: Composition, lang: str, edition: Edition) -> bytes:
    doc, event = comp.document, comp.event
    out = docx.Document()
    _styles(out, lang)
    title = pick(doc.title, lang, doc.original_language).text
    props = out.core_properties
    props.title = typography.apply_text(f"{edition.symbol} · {title}", lang)
    props.language = lang
    props.subject = edition.symbol
    props.keywords = edition.mark
    props.author = props.last_modified_by = "dialogue"
    props.created = props.modified = datetime(doc.issued_on.year, doc.issued_on.month, doc.issued_on.day) \
        if doc.issued_on else datetime(2000, 1, 1)
    props.revision = 1

    def line(text: str, *, bold=False, size=None, align=None, italic=False, tight=False):
        p = out.add_paragraph()
        if tight:
            p.paragraph_format.space_after = Pt(0)
        run = p.add_run(typography.apply_text(text, lang))
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    line(pick(event.title, lang, event.original_language).text, bold=True, size=9, tight=True)
    _rule(line(edition.symbol, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.RIGHT, tight=True))
    details = [text for text in (_("Distr.: General"), fmt_date(doc.issued_on, "long") if doc.issued_on else "",
                                 language_name(lang, lang).capitalize(),
                                 _("Original: %(language)s", language=language_name(doc.original_language, lang)))
               if text]
    for text in details:
        line(text, size=9, align=WD_ALIGN_PARAGRAPH.RIGHT, tight=text != details[-1])
    if edition.replaces_symbol:
        line(_("This document replaces %(symbol)s of %(date)s.", symbol=edition.replaces_symbol,
               date=fmt_date(edition.replaces_date, "long")), italic=True, size=9)
    out.add_heading(typography.apply_text(title, lang), level=1)
    place = pick(doc.place, lang, doc.original_language).text if doc.place else ""
    when = fmt_date(doc.issued_on, "long") if doc.issued_on else ""
    if place or when:
        line(", ".join(x for x in (place, when) if x), italic=True)
    if doc.preamble:
        picked = pick(doc.preamble, lang, doc.original_language)
        _markup(out, picked.text, picked.lang, lang)
    original_only = set(doc.original_only or [])
    for section in comp.sections:
        heading, heading_lang = section.title(lang)
        h = out.add_heading(level=2)
        h.add_run(f"{section.numeral}.\t")
        _language_run(h.add_run(typography.apply_text(heading, heading_lang or lang)), heading_lang, lang)
        for p in section.paragraphs:
            _body, body_lang, state = p.in_language(lang, original_only, draft=False)
            source = p.text.get(lang) if not body_lang else (p.text.get(p.original_language)
                                                              or next(iter(p.text.values()), ""))
            _markup(out, source, body_lang or lang, lang, number=p.number)
            note = {"original": _("Published in the original language only (%(language)s)."),
                    "missing": _("Translation missing: shown in the original language (%(language)s).")}.get(state)
            if note:
                line(note % {"language": language_name(body_lang, lang)}, italic=True,
                     size=9).paragraph_format.left_indent = Pt(28)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _styles(out, lang: str) -> None:
    """Times New Roman throughout, black bold headings (not the template's blue theme font), the language set."""
    for name, size in (("Normal", 11), ("Heading 1", 14), ("Heading 2", 12)):
        style = out.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        if name != "Normal":
            style.font.bold = True
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.paragraph_format.space_before = Pt(12)
            style.paragraph_format.space_after = Pt(6)
    _set_language(out.styles["Normal"].element, lang)


def _rule(paragraph) -> None:
    """A line under the paragraph, as under the symbol of a United Nations masthead."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def _markup(out, source: str, text_lang: str, doc_lang: str, number: int | None = None) -> None:
    """Light markup as Word paragraphs: emphasis as italic/bold runs, lists in list styles; the first
    paragraph of a numbered one starts with its number and a tab. Each numbered list starts at 1, and
    lists in a numbered paragraph are indented under its text."""
    root = lxml.html.fragment_fromstring(markup.to_html(source) or "<p></p>", create_parent="div")
    first = True
    indent = Pt(28) if number is not None else Pt(0)
    for block in root:
        items = [(li, "List Number" if block.tag == "ol" else "List Bullet") for li in block] \
            if block.tag in ("ul", "ol") else [(block, None)]
        num_id = _new_numbering(out) if block.tag == "ol" else None
        for element, style in items:
            p = out.add_paragraph(style=style) if style else out.add_paragraph()
            if style:
                p.paragraph_format.left_indent = indent + Pt(18)
                p.paragraph_format.first_line_indent = Pt(-18)
                if num_id is not None:
                    _number_with(p, num_id)
            elif number is not None:
                p.paragraph_format.left_indent = indent
                if first:
                    p.paragraph_format.first_line_indent = Pt(-28)
                    p.add_run(f"{number}.\t")
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _runs(p, element, text_lang, doc_lang, bold=False, italic=False)
            first = False


def _new_numbering(out) -> int:
    """A numbering instance of the "List Number" list that restarts at 1 (Word continues one list otherwise)."""
    numbering = out.part.numbering_part.element
    style_num = out.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(1)
    return num.numId


def _number_with(paragraph, num_id: int) -> None:
    props = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    props.get_or_add_ilvl().val = 0
    props.get_or_add_numId().val = num_id


def _runs(p, element, text_lang, doc_lang, bold, italic) -> None:
    bold = bold or element.tag in ("strong", "b")
    italic = italic or element.tag in ("em", "i")
    if element.tag == "br":
        p.add_run().add_break()
    elif element.text:
        _styled(p, element.text, text_lang, doc_lang, bold, italic)
    for child in element:
        _runs(p, child, text_lang, doc_lang, bold, italic)
        if child.tail:
            _styled(p, child.tail, text_lang, doc_lang, bold or element.tag in ("strong", "b"),
                    italic or element.tag in ("em", "i"))


def _styled(p, text, text_lang, doc_lang, bold, italic) -> None:
    run = p.add_run(typography.apply_text(text, text_lang))
    run.bold, run.italic = bold or None, italic or None
    _language_run(run, text_lang, doc_lang)


def _language_run(run, text_lang: str | None, doc_lang: str) -> None:
    if text_lang and text_lang != doc_lang:
        _set_language(run._r, text_lang)


def _set_language(element, lang: str) -> None:
    """<w:lang w:val="fr"/> in the run (or style) properties: Word's spelling and hyphenation follow it."""
    props = element.get_or_add_rPr()
    tag = props.find(qn("w:lang"))
    if tag is None:
        tag = OxmlElement("w:lang")
        props.append(tag)
    tag.set(qn("w:val"), lang)


# --- reading a rapporteur's Word file -----------------------------------------------------------

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
