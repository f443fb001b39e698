"""The outcome document: composing it, its translation report and the rules for publishing it.

Rendering is in rendering.py, publications in publications.py, revision marks in versions.py.

Paragraph numbers are assigned once, on the composition, before any language is chosen: the
same paragraph has the same number in French, Spanish and English by construction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import LANGUAGES, clean_translations, language_name, missing_languages
from ..models import audit
from ..permissions import can_organise, ensure
from ..sessions.models import Event, MeetingSession
from . import freshness, markup, part_freshness
from .models import GROUPINGS, KeyMessage, OutcomeDocument
from .services import OutcomeError, split_items
from .services import themes as event_themes

FIXED_HEADINGS = {
    "recommendations": _l("Recommendations"),
    "next_steps": _l("Next steps"),
    "other": _l("Other key messages"),
}
SYMBOL_RE = re.compile(r"^[A-Za-z0-9/.() -]{0,60}$")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
         "XVI", "XVII", "XVIII", "XIX", "XX"]


def roman(n: int) -> str:
    return ROMAN[n - 1] if 0 < n <= len(ROMAN) else str(n)


@dataclass
class Paragraph:
    """A numbered paragraph: a key message, a recommendation or a next step."""

    key: str
    number: int
    text: dict
    original_language: str
    label: str = ""

    def in_language(self, lang: str, original_only: set[str], draft: bool) -> tuple[Markup, str | None, str]:
        """(HTML, language attribute when not `lang`, state: "ok" | "original" | "missing")."""
        if (self.text.get(lang) or "").strip():
            return markup.render(self.text[lang]), None, "ok"
        source = self.text.get(self.original_language) or next(iter(self.text.values()), "")
        state = "original" if self.key in original_only else "missing"
        return markup.render(source), self.original_language, state


@dataclass
class Section:
    key: str
    heading: dict | str  # translated text, or a key of FIXED_HEADINGS
    original_language: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    numeral: str = ""

    def title(self, lang: str) -> tuple[str, str | None]:
        """Heading in `lang`, and the language it is really in when that differs."""
        if isinstance(self.heading, str):
            return str(FIXED_HEADINGS[self.heading]), None
        text = (self.heading.get(lang) or "").strip()
        if text:
            return text, None
        fallback = self.heading.get(self.original_language) or next(iter(self.heading.values()), "")
        return fallback, self.original_language


@dataclass
class Composition:
    document: OutcomeDocument
    event: Event
    sections: list[Section]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]


# --- the document -----------------------------------------------------------------------------

def get_document(event: Event) -> OutcomeDocument | None:
    return db.session.scalar(select(OutcomeDocument).where(OutcomeDocument.event_id == event.id))


def get_or_create_document(event: Event) -> OutcomeDocument:
    document = get_document(event)
    if document is None:
        document = OutcomeDocument(event=event, title={}, place=dict(event.venue or {}),
                                   issued_on=event.ends_on, original_language=event.original_language)
        db.session.add(document)
        db.session.flush()
    return document


def save_document(document: OutcomeDocument, data: dict, by, expected_version: int | None = None) -> OutcomeDocument:
    """Update the document from validated form data."""
    ensure(can_organise, by, document.event)
    if expected_version is not None and int(expected_version) != document.version:
        raise OutcomeError(_("Someone else saved the document while you were editing it. Your input is kept "
                             "below; reload the page to see their version."), "")
    symbol = (data.get("symbol") or "").strip()
    if not SYMBOL_RE.match(symbol):
        raise OutcomeError(_("Use letters, digits, spaces and / . - ( ) only, at most 60 characters."), "symbol")
    title = _lf(data.get("title"))
    if not title:
        raise OutcomeError(_("Give the title in at least one language."), "title")
    if data.get("grouping") not in GROUPINGS:
        raise OutcomeError(_("Choose how key messages are grouped."), "grouping")
    original = data.get("original_language")
    if original not in LANGUAGES:
        raise OutcomeError(_("Choose one of the languages."), "original_language")
    before = part_freshness.document_parts(document)
    valid_sessions = set(db.session.scalars(select(MeetingSession.id).where(
        MeetingSession.event_id == document.event_id)))
    document.symbol = symbol
    document.title = title
    document.place = _lf(data.get("place"))
    document.issued_on = data.get("issued_on")
    document.original_language = original
    document.preamble = _lf(data.get("preamble"))
    document.grouping = data["grouping"]
    document.session_ids = [int(i) for i in (data.get("session_ids") or []) if int(i) in valid_sessions]
    document.recommendations = split_items(data.get("recommendations"), "recommendations")
    document.next_steps = split_items(data.get("next_steps"), "next_steps")
    document.translated_from = part_freshness.part_bases(before, document.translated_from or {},
                                                         part_freshness.document_parts(document))
    db.session.flush()
    audit("outcome.save", user=by, event=document.event, target=f"outcome_document:{document.id}")
    return document


def _lf(value: dict | None) -> dict:
    """Translations as typed, with LF line ends: browsers send text areas with CRLF, and an untouched box must
    not count as a changed translation."""
    return {code: text.replace("\r\n", "\n") for code, text in clean_translations(value).items()}


def joined(items: list[dict]) -> dict:
    """The inverse of split_items, for the form: paragraphs separated by blank lines per language."""
    return {code: "\n\n".join(item.get(code, "") for item in items) for code in LANGUAGES
            if any(item.get(code) for item in items)}


def compose(document: OutcomeDocument) -> Composition:
    """Sections and consecutively numbered paragraphs, from approved messages only."""
    event = document.event
    query = (select(KeyMessage).join(MeetingSession)
             .where(MeetingSession.event_id == event.id, KeyMessage.status == "approved")
             .options(selectinload(KeyMessage.session))
             .order_by(MeetingSession.starts_at, MeetingSession.code, KeyMessage.position, KeyMessage.id))
    if document.session_ids:
        query = query.where(MeetingSession.id.in_(document.session_ids))
    messages = list(db.session.scalars(query))
    sections: list[Section] = []
    if document.grouping == "theme":
        by_theme: dict[int, Section] = {}
        for theme in event_themes(event):
            by_theme[theme.id] = Section(f"theme:{theme.id}", theme.title, document.original_language)
        other = Section("other", "other", document.original_language)
        for message in messages:
            first = next((t for t in message.themes if t in by_theme), None)
            (by_theme[first] if first is not None else other).paragraphs.append(_message_paragraph(message))
        sections = [s for s in by_theme.values() if s.paragraphs] + ([other] if other.paragraphs else [])
    else:
        by_session: dict[int, Section] = {}
        for message in messages:
            s = message.session
            if s.id not in by_session:
                by_session[s.id] = Section(f"session:{s.id}", s.title, s.original_language)
                sections.append(by_session[s.id])
            by_session[s.id].paragraphs.append(_message_paragraph(message))
    for key, items in (("recommendations", document.recommendations), ("next_steps", document.next_steps)):
        if items:
            section = Section(key, key, document.original_language)
            for i, item in enumerate(items):
                section.paragraphs.append(Paragraph(f"{key}:{i + 1}", 0, item, _original_of(item, document)))
            sections.append(section)
    number = 0
    for i, section in enumerate(sections, start=1):
        section.numeral = roman(i)
        for paragraph in section.paragraphs:
            number += 1
            paragraph.number = number
    return Composition(document, event, sections)


def _original_of(item: dict, document: OutcomeDocument) -> str:
    if item.get(document.original_language):
        return document.original_language
    return next((code for code in LANGUAGES if item.get(code)), document.original_language)


def _message_paragraph(message: KeyMessage) -> Paragraph:
    return Paragraph(f"km:{message.id}", 0, message.text, message.original_language, message.session.code)


# --- translation report and publishing rules --------------------------------------------------

@dataclass
class Gap:
    """Something of the document missing in one or more languages."""

    key: str
    label: str
    number: int | None
    original_language: str
    missing: list[str]
    accepted: bool  # the organisers chose to publish it in its original language


def translation_report(comp: Composition) -> list[Gap]:
    """Every part of the document, numbered paragraphs included, that lacks a language."""
    doc = comp.document
    accepted = set(doc.original_only or [])
    gaps = []

    def check(key, label, number, value, original):
        missing = missing_languages(value)
        if missing:
            gaps.append(Gap(key, label, number, original, missing, key in accepted))

    check("title", _("Title"), None, doc.title, doc.original_language)
    if doc.place:
        check("place", _("Place"), None, doc.place, doc.original_language)
    if doc.preamble:
        check("preamble", _("Preamble"), None, doc.preamble, doc.original_language)
    for section in comp.sections:
        if isinstance(section.heading, dict):
            check(f"heading:{section.key}", _("Heading of part %(numeral)s", numeral=section.numeral), None,
                  section.heading, section.original_language)
        for p in section.paragraphs:
            label = _("Paragraph %(number)d", number=p.number) + (f" ({p.label})" if p.label else "")
            check(p.key, label, p.number, p.text, p.original_language)
    return gaps


def ensure_publishable(comp: Composition) -> None:
    doc = comp.document
    if not doc.symbol:
        raise OutcomeError(_("Give the document a symbol before publishing."), "symbol")
    if not doc.issued_on:
        raise OutcomeError(_("Give the document a date before publishing."), "issued_on")
    if not comp.paragraphs:
        raise OutcomeError(_("The document has no paragraph yet: approve key messages or add recommendations."))
    open_gaps = [g for g in translation_report(comp) if not g.accepted]
    if open_gaps:
        labels = "; ".join(_("%(part)s: %(languages)s", part=g.label,
                             languages=", ".join(language_name(c, _cur()) for c in g.missing)) for g in open_gaps[:8])
        raise OutcomeError(_("Translations are missing. Add them, or choose to publish these parts in their "
                             "original language: %(list)s", list=labels))
    freshness.ensure_current(comp)


def _cur() -> str:
    from ..formatting import current_lang
    return current_lang()


def set_original_only(document: OutcomeDocument, keys: list[str], by) -> None:
    ensure(can_organise, by, document.event)
    document.original_only = sorted(set(keys))
    db.session.flush()
    audit("outcome.original_only", user=by, event=document.event, keys=document.original_only)
