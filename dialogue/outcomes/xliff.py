"""XLIFF 2.0 files of the outcome document (or of chosen key messages) for translators' CAT tools.

Written and read by translate-toolkit (no hand-written XML). One unit a part: the title, place and
preamble, the heading of each part (a session's title or a theme), each numbered paragraph (notes give
its number and session), or each chosen message. Emphasis travels as XLIFF 2 inline codes
(<pc type="fmt" subType="xlf:i|xlf:b">) and line breaks as <ph subType="xlf:lb"/>, through
translate-toolkit's placeables, so CAT tools show them as tags to keep; list markers ("- ") stay in
the text. An import is all or nothing: every unit must belong to this document and its source must
still be the current text (else the file is stale, and the message names each changed part);
translations of key messages are saved through the key-message service, so each is a revision by the
importer.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import UnknownXML
from translate.storage.xliff2 import Xliff2File

from ..extensions import db
from ..i18n import LANGUAGES, language_name
from ..models import audit
from ..permissions import can_organise, ensure
from ..sessions import history, notices
from ..sessions.models import MeetingSession
from . import markup, part_freshness, services
from .document import compose
from .models import KeyMessage, OutcomeDocument, OutcomeTheme
from .services import OutcomeError

MAX_BYTES = 5 * 1024 * 1024
_BLOCKS = re.compile(r"\n\s*\n|^\s*([-*•]|\d{1,3}[.)])\s", re.M)
_UNIT_ID = re.compile(r"^(title|place|preamble|km-\d{1,9}|recommendations-\d{1,4}|next_steps-\d{1,4}"
                      r"|heading-(session|theme)-\d{1,9})$")
#: Light markup's emphasis, as markup.py reads it: **strong**, *emphasis*.
_INLINE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])", re.S)
_XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
_CODES = {"xlf:b": "**", "xlf:i": "*"}


@dataclass
class Unit:
    """A translatable part: its id in the file, what it is, and its text in the two languages."""

    id: str
    label: str
    source: str
    target: str
    message: KeyMessage | None = None
    #: Context for the translator beyond the location (what the part is, where else it shows).
    about: str = ""


def file_id(document: OutcomeDocument) -> str:
    return f"dialogue-outcome-{document.id}"


def filename(document: OutcomeDocument, source: str, target: str) -> str:
    return f"{document.event.slug}-outcome-{source}-{target}.xlf"


def _doc_units(document: OutcomeDocument, source: str, target: str) -> list[Unit]:
    units = []
    for field, label in (("title", _("Title")), ("place", _("Place")), ("preamble", _("Preamble"))):
        value = getattr(document, field) or {}
        units.append(Unit(field, label, value.get(source, ""), value.get(target, "")))
    for section in compose(document).sections:
        heading = section.title(source)[0]
        if isinstance(section.heading, dict):
            kind, _sep, key = section.key.partition(":")
            label = _("Heading of part %(numeral)s", numeral=section.numeral)
            about = (_("The title of session %(code)s: it is also the session's title in the agenda.",
                       code=section.paragraphs[0].label) if kind == "session" else
                     _("A theme of the event: it heads the key messages filed under it."))
            units.append(Unit(f"heading-{kind}-{key}", label, section.heading.get(source, ""),
                              section.heading.get(target, ""), about=about))
        for p in section.paragraphs:
            label = (_("Paragraph %(number)d", number=p.number) + (f" ({p.label})" if p.label else "")
                     + f" · {section.numeral}. {heading}")
            key, _sep, index = p.key.partition(":")
            unit_id = f"km-{index}" if key == "km" else f"{key}-{index}"
            units.append(Unit(unit_id, label, p.text.get(source, ""), p.text.get(target, "")))
    return units


def _message_units(document: OutcomeDocument, source: str, target: str, ids) -> list[Unit]:
    numbers = {int(p.key[3:]): p.number for p in compose(document).paragraphs if p.key.startswith("km:")}
    query = (select(KeyMessage).join(MeetingSession).where(MeetingSession.event_id == document.event_id)
             .options(selectinload(KeyMessage.session)).order_by(MeetingSession.code, KeyMessage.position))
    if ids is not None:
        query = query.where(KeyMessage.id.in_([int(i) for i in ids][:1000]))
    units = []
    for m in db.session.scalars(query):
        number = numbers.get(m.id)
        label = (_("Paragraph %(number)d", number=number) if number else _("Key message (not in the document)"))
        units.append(Unit(f"km-{m.id}", f"{label} ({m.session.code})", m.text.get(source, ""),
                          m.text.get(target, ""), m))
    return units


def export(document: OutcomeDocument, source: str, target: str, by, message_ids=None) -> tuple[bytes, int]:
    """The XLIFF file from `source` to `target` (the document, or the chosen messages), and its number of units.

    Parts without text in `source` are left out: there is nothing to translate from.
    """
    ensure(can_organise, by, document.event)
    if source not in LANGUAGES or target not in LANGUAGES or source == target:
        raise OutcomeError(_("Choose two different languages."), "target")
    units = (_message_units(document, source, target, message_ids) if message_ids is not None
             else _doc_units(document, source, target))
    store = Xliff2File(sourcelanguage=source, targetlanguage=target)
    store.body.set("id", file_id(document))
    count = 0
    for unit in units:
        if not unit.source.strip():
            continue
        item = store.addsourceunit(_normal(unit.source))
        item.setid(unit.id)
        item.rich_source = [_rich(_normal(unit.source))]
        item.addnote(unit.label, origin="location")
        if unit.about:
            item.addnote(unit.about, origin="context")
        if _BLOCKS.search(_normal(unit.source)):
            item.addnote(_("Line breaks come as tags, two between paragraphs: keep them, and the \"- \" or \"1. \" "
                           "that starts each line of a list. Emphasis comes as tags too: keep them around the "
                           "translated words."), origin="format")
        _notes_on_unit(item)
        if unit.target.strip():
            item.rich_target = [_rich(_normal(unit.target), like=_code_ids(item.rich_source))]
            item.marktranslated()
        count += 1
    return bytes(store), count


def _notes_on_unit(item) -> None:
    """XLIFF 2.0 keeps notes on the <unit>, before its segments; translate-toolkit puts them in the segment."""
    notes = item.xmlelement.find(item.namespaced("notes"))
    if notes is not None:
        item.getunitelement().insert(0, notes)


def _rich(text: str, like: dict[str, list[str]] | None = None) -> StringElem:
    """Light markup as translate-toolkit placeables: emphasis as XLIFF 2 <pc> inline codes.

    `like` (a target's source codes, from `_code_ids`): each code takes the id of the source's code for the same
    markup, the n-th bold the n-th bold's, the n-th line break the n-th line break's, so a CAT tool aligns them;
    a code the source lacks gets a new id past the source's.
    """
    pending = {kind: list(ids) for kind, ids in (like or {}).items()}
    counter = [max((int(i) for ids in pending.values() for i in ids if i.isdigit()), default=0)]

    def code(tag: str, sub_type: str, sub=None) -> UnknownXML:
        ids = pending.get(sub_type)
        if ids:
            code_id = ids.pop(0)
        else:
            counter[0] += 1
            code_id = str(counter[0])
        node = etree.Element(f"{{{_XLIFF2}}}{tag}", id=code_id, type="fmt", subType=sub_type)
        return UnknownXML(sub=sub, id=code_id, xml_node=node)

    def lines(chunk: str) -> list:
        """Text, each line break a <ph subType="xlf:lb"/> (CAT tools keep tags, not always newlines)."""
        out = []
        for i, line in enumerate(chunk.split("\n")):
            if i:
                out.append(code("ph", "xlf:lb"))
            if line:
                out.append(line)
        return out

    def parts(chunk: str) -> list:
        out, position = [], 0
        for match in _INLINE.finditer(chunk):
            out.extend(lines(chunk[position:match.start()]))
            out.append(code("pc", "xlf:b" if match.group(1) is not None else "xlf:i",
                            parts(match.group(1) or match.group(2))))
            position = match.end()
        out.extend(lines(chunk[position:]))
        return out
    return StringElem(parts(text))


def _code_ids(rich) -> dict[str, list[str]]:
    """The ids of the inline codes in `rich`, by kind (subType), in reading order (an outer code before its inner)."""
    ids: dict[str, list[str]] = {}

    def walk(elem) -> None:
        if isinstance(elem, UnknownXML) and elem.xml_node is not None:
            ids.setdefault(elem.xml_node.get("subType") or "", []).append(elem.xml_node.get("id") or "")
        for sub in getattr(elem, "sub", None) or []:
            if not isinstance(sub, str):
                walk(sub)
    for elem in rich or []:
        walk(elem)
    return ids


def _markup_of(elem) -> str:
    """Placeables read back as light markup: <pc> bold and italic codes as ** and *; other codes dropped."""
    if elem is None:
        return ""
    if isinstance(elem, str):
        return elem
    inner = "".join(_markup_of(sub) for sub in elem.sub)
    if isinstance(elem, UnknownXML):
        tag = etree.QName(elem.xml_node).localname
        if tag == "ph" and elem.xml_node.get("subType") == "xlf:lb":
            return "\n"
        if tag in ("ph", "sc", "ec", "sm", "em"):  # other standalone codes and markers: no text of their own
            return ""
        mark = _CODES.get(elem.xml_node.get("subType") or "", "") if tag == "pc" else ""
        core = inner.strip()
        if mark and core:
            # Light markup needs the marks against the words: spaces inside the tag go outside.
            return f"{inner[:len(inner) - len(inner.lstrip())]}{mark}{core}{mark}{inner[len(inner.rstrip()):]}"
    return inner


def _rich_text(rich) -> str:
    return "".join(_markup_of(elem) for elem in (rich or []))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).strip()


def import_file(document: OutcomeDocument, data: bytes, by) -> int:
    """Save the translations of an XLIFF file exported from this document; the number of parts changed."""
    ensure(can_organise, by, document.event)
    if len(data) > MAX_BYTES:
        raise OutcomeError(_("The file is too large (at most 5 MB)."), "file")
    try:
        store = Xliff2File.parsestring(data)
        units = list(store.units)
        source, target, origin = store.sourcelanguage, store.gettargetlanguage(), store.body.get("id")
    except Exception as exc:  # translate-toolkit raises lxml, ValueError, AssertionError... on foreign input
        raise OutcomeError(_("This is not an XLIFF 2 file: export one from this page and translate it."),
                           "file") from exc
    if origin != file_id(document):
        raise OutcomeError(_("This file was not exported from this outcome document (it says it comes from "
                             "“%(origin)s”). Import only files exported from this page.", origin=(origin or "?")[:80]),
                           "file")
    if source not in LANGUAGES or target not in LANGUAGES or source == target:
        raise OutcomeError(_("The file's languages (%(source)s to %(target)s) are not two of French, Spanish and "
                             "English.", source=(source or "?")[:10], target=(target or "?")[:10]), "file")
    current = {u.id: u for u in _doc_units(document, source, target)}
    ids = [int(u.getid()[3:]) for u in units if (u.getid() or "").startswith("km-") and _UNIT_ID.match(u.getid())]
    for unit in _message_units(document, source, target, ids):
        current.setdefault(unit.id, unit).message = unit.message
    changes, stale = [], []
    for item in units:
        unit_id = item.getid() or ""
        known = current.get(unit_id) if _UNIT_ID.match(unit_id) else None
        if known is None:
            raise OutcomeError(_("The unit “%(unit)s” does not belong to this document: import only files exported "
                                 "from this page.", unit=unit_id[:80]), "file")
        if not _same(_rich_text(item.rich_source), known.source):
            stale.append(_("%(part)s (unit “%(unit)s”)", part=known.label, unit=unit_id))
            continue
        text = _normal(_rich_text(item.rich_target) if item.target else "")
        if text and not _same(text, known.target):
            changes.append((known, text))
    if stale:
        raise OutcomeError(_("Nothing was imported: the %(language)s text of these parts changed after the file was "
                             "exported, so the file translates an older text: %(parts)s. Export a new file from "
                             "this page and translate these parts again; your translation memory fills in the "
                             "others.", language=language_name(source, _lang()), parts="; ".join(stale[:10])), "file")
    for unit, text in changes:
        _save(document, unit, target, text, by)
    db.session.flush()
    audit("outcome.xliff_import", user=by, event=document.event, target=f"outcome_document:{document.id}",
          language=target, units=[u.id for u, _t in changes])
    return len(changes)


def _same(a: str, b: str) -> bool:
    """The same text, however its light markup is written (*x* or <em>x</em>)."""
    return markup.to_html(_normal(a)) == markup.to_html(_normal(b))


def _save(document: OutcomeDocument, unit: Unit, lang: str, text: str, by) -> None:
    if unit.id.startswith("heading-"):
        _save_heading(document, unit.id, lang, text, by)
    elif unit.message is not None:
        m = unit.message
        services.save_message(m, {"text": {**m.text, lang: text}, "original_language": m.original_language,
                                  "themes": list(m.themes), "position": m.position}, by, None)
    elif unit.id in ("title", "place", "preamble"):
        setattr(document, unit.id, {**(getattr(document, unit.id) or {}), lang: text})
        part_freshness.record_translation(document, unit.id, lang)
    else:
        field, _sep, index = unit.id.rpartition("-")
        items = [dict(item) for item in getattr(document, field)]
        items[int(index) - 1][lang] = text
        setattr(document, field, items)
        part_freshness.record_translation(document, f"{field}:{index}", lang)


def _save_heading(document: OutcomeDocument, unit_id: str, lang: str, text: str, by) -> None:
    """A part's heading: the title of a session (recorded in its history, and noticed like any change of it), or
    of a theme. Only units of this document's headings get here (`_doc_units`)."""
    _heading, kind, key = unit_id.split("-")
    if kind == "theme":
        theme = db.session.get(OutcomeTheme, int(key))
        theme.title = {**(theme.title or {}), lang: text}
        return
    session = db.session.get(MeetingSession, int(key))
    was = history.snapshot(session)
    session.title = {**(session.title or {}), lang: text}
    db.session.flush()
    changes = history.diff(was, history.snapshot(session))
    if changes:
        audit("session.update", user=by, event=document.event, target=f"session:{session.id}", code=session.code,
              changes=changes)
        notices.queue(session, changes, by)


def _lang() -> str:
    from ..formatting import current_lang
    return current_lang()
