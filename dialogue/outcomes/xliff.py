"""XLIFF 2.0 files of the outcome document (or of chosen key messages) for translators' CAT tools.

Written and read by translate-toolkit (no hand-written XML). One unit a part: the title, place and
preamble, each numbered paragraph (notes give its number and session), or each chosen message. An
import is all or nothing: every unit must belong to this document and its source must still be the
current text (else the file is stale); translations of key messages are saved through the key-message
service, so each is a revision by the importer.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from translate.storage.xliff2 import Xliff2File

from ..extensions import db
from ..i18n import LANGUAGES, language_name
from ..models import audit
from ..permissions import can_organise, ensure
from ..sessions.models import MeetingSession
from . import freshness, services
from .document import compose
from .models import KeyMessage, OutcomeDocument
from .services import OutcomeError

MAX_BYTES = 5 * 1024 * 1024
_MARKUP = re.compile(r"\*|^\s*([-*•]|\d{1,3}[.)])\s", re.M)
_UNIT_ID = re.compile(r"^(title|place|preamble|km-\d{1,9}|recommendations-\d{1,4}|next_steps-\d{1,4})$")


@dataclass
class Unit:
    """A translatable part: its id in the file, what it is, and its text in the two languages."""

    id: str
    label: str
    source: str
    target: str
    message: KeyMessage | None = None


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
        item.addnote(unit.label, origin="location")
        if _MARKUP.search(unit.source):
            item.addnote(_("Keep the light markup: *emphasis*, **strong**, a blank line between paragraphs, "
                           "lines starting with \"- \" for lists."), origin="format")
        _notes_on_unit(item)
        if unit.target.strip():
            item.target = _normal(unit.target)
            item.marktranslated()
        count += 1
    return bytes(store), count


def _notes_on_unit(item) -> None:
    """XLIFF 2.0 keeps notes on the <unit>, before its segments; translate-toolkit puts them in the segment."""
    notes = item.xmlelement.find(item.namespaced("notes"))
    if notes is not None:
        item.getunitelement().insert(0, notes)


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
    changes = []
    for item in units:
        unit_id = item.getid() or ""
        known = current.get(unit_id) if _UNIT_ID.match(unit_id) else None
        if known is None:
            raise OutcomeError(_("The unit “%(unit)s” does not belong to this document: import only files exported "
                                 "from this page.", unit=unit_id[:80]), "file")
        if _normal(item.source) != _normal(known.source):
            raise OutcomeError(_("The text of “%(unit)s” (%(part)s) in %(language)s changed since the file was "
                                 "exported: nothing was imported. Export a new file and translate it again.",
                                 unit=unit_id, part=known.label, language=language_name(source, _lang())), "file")
        text = _normal(item.target or "")
        if text and text != _normal(known.target):
            changes.append((known, text))
    for unit, text in changes:
        _save(document, unit, target, text, by)
    db.session.flush()
    audit("outcome.xliff_import", user=by, event=document.event, target=f"outcome_document:{document.id}",
          language=target, units=[u.id for u, _t in changes])
    return len(changes)


def _save(document: OutcomeDocument, unit: Unit, lang: str, text: str, by) -> None:
    if unit.message is not None:
        m = unit.message
        services.save_message(m, {"text": {**m.text, lang: text}, "original_language": m.original_language,
                                  "themes": list(m.themes), "position": m.position}, by, None)
    elif unit.id in ("title", "place", "preamble"):
        setattr(document, unit.id, {**(getattr(document, unit.id) or {}), lang: text})
        freshness.record_translation(document, unit.id, lang)
    else:
        field, _sep, index = unit.id.rpartition("-")
        items = [dict(item) for item in getattr(document, field)]
        items[int(index) - 1][lang] = text
        setattr(document, field, items)
        freshness.record_translation(document, f"{field}:{index}", lang)


def _lang() -> str:
    from ..formatting import current_lang
    return current_lang()
