"""Whether each translation of the outcome document's own parts (title, place, preamble, recommendations,
next steps) is current, or out of date since its original changed.

These parts have no revisions: the document records, per part and translation, the original text it
was made from (`OutcomeDocument.translated_from`), and compares it with the original of now. A save of
the document's form (document.save_document) and an XLIFF import keep the record.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from ..i18n import LANGUAGES
from .freshness import readable_diff, sentence_diff
from .models import OutcomeDocument

LISTS = ("recommendations", "next_steps")


@dataclass
class PartOutdated:
    """A translation of a part of the document itself, made from an earlier original text."""

    part: str  # "title", "place", "preamble", "recommendations:2"...
    lang: str
    label: str
    made_from: str  # the original text the translation was made from
    original: str  # the original text now
    original_language: str
    number: int | None = None
    message = None

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.original.encode()).hexdigest()[:12]
        return f"doc:{self.part}:{self.lang}:{digest}"

    def original_diff(self) -> list[tuple[str, str]]:
        return sentence_diff(self.made_from, self.original)

    def readable(self) -> list[tuple[str, Markup]]:
        return readable_diff(self.made_from, self.original)


def document_parts(document: OutcomeDocument) -> dict[str, tuple[dict, str]]:
    """The document's own translatable parts: key -> (text per language, the language it is written in)."""
    parts = {}
    for field in ("title", "place", "preamble"):
        if getattr(document, field):
            parts[field] = (getattr(document, field), document.original_language)
    for field in LISTS:
        for i, item in enumerate(getattr(document, field) or [], start=1):
            original = document.original_language if item.get(document.original_language) else next(
                (code for code in LANGUAGES if item.get(code)), document.original_language)
            parts[f"{field}:{i}"] = (item, original)
    return parts


def part_bases(before: dict[str, tuple[dict, str]], bases_before: dict, after: dict[str, tuple[dict, str]]) -> dict:
    """What original text each translation of the document's parts is made from, after a save.

    A translation typed now is made from the original of now; one left as it was keeps the original it
    was made from (a recommendation that moved is found by its unchanged translation). One with no
    record was current until this save.
    """
    bases: dict[str, dict[str, str]] = {}
    for key, (text, original) in after.items():
        for code in LANGUAGES:
            value = (text.get(code) or "").strip()
            if code == original or not value:
                continue
            old_key = _same_translation(before, key, code, value)
            if old_key is None or before[old_key][1] != original:
                made_from = text.get(original, "")
            else:
                made_from = (bases_before.get(old_key) or {}).get(code, before[old_key][0].get(original, ""))
            bases.setdefault(key, {})[code] = made_from
    return bases


def _same_translation(before: dict, key: str, code: str, value: str) -> str | None:
    if key in before and (before[key][0].get(code) or "").strip() == value:
        return key
    field = key.partition(":")[0]
    if field not in LISTS:
        return None
    return next((k for k, (text, _o) in before.items()
                 if k.partition(":")[0] == field and (text.get(code) or "").strip() == value), None)


def record_translation(document: OutcomeDocument, part: str, lang: str) -> None:
    """A translation of a part just made (an XLIFF import): it is made from the original of now."""
    text, original = document_parts(document)[part]
    bases = {key: dict(value) for key, value in (document.translated_from or {}).items()}
    bases.setdefault(part, {})[lang] = text.get(original, "")
    document.translated_from = bases


def document_outdated(comp) -> list[PartOutdated]:
    """Out-of-date translations of the document's own parts, in the document's order."""
    from .document import FIXED_HEADINGS
    document = comp.document
    numbers = {p.key: p.number for p in comp.paragraphs}
    labels = {"title": _("Title"), "place": _("Place"), "preamble": _("Preamble")}
    found = []
    for key, (text, original) in document_parts(document).items():
        for code, made_from in ((document.translated_from or {}).get(key) or {}).items():
            if code == original or not (text.get(code) or "").strip() or made_from == text.get(original, ""):
                continue
            number = numbers.get(key)
            label = labels.get(key) or (_("Paragraph %(number)d", number=number or 0)
                                        + f" ({FIXED_HEADINGS[key.partition(':')[0]]})")
            found.append(PartOutdated(key, code, label, made_from, text.get(original, ""), original, number))
    return sorted(found, key=lambda o: (o.number or 0, LANGUAGES.index(o.lang)))
