"""Whether each translation of a key message is current or out of date since its original changed.

Every translation records the revision whose original text it was made from
(`KeyMessage.translated_from`); when the original text differs from that revision's, the
translation is out of date, and the translator is shown what changed in the original since.
The parts of the outcome document itself are in part_freshness.py.
The translation report lists them, and publishing needs them current or an explicit choice.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import LANGUAGES, language_name
from ..models import User, audit
from ..permissions import can_organise, ensure
from .markup import plain
from .models import KeyMessage, KeyMessageRevision, OutcomeDocument


@dataclass
class Outdated:
    """A translation made from an earlier original text."""

    message: KeyMessage
    lang: str
    #: The revision the translation was made from, and the latest one.
    since: KeyMessageRevision
    latest: int
    number: int | None = None  # its paragraph number in the outcome document
    label: str = ""

    @property
    def key(self) -> str:
        """What an organiser accepts: this translation, against this state of the original."""
        return f"km:{self.message.id}:{self.lang}:r{self.latest}"

    @property
    def original_language(self) -> str:
        return self.message.original_language

    def original_diff(self) -> list[tuple[str, str]]:
        """The original text's changes since the translation was made, sentence by sentence."""
        original = self.message.original_language
        return sentence_diff(self.since.text.get(original, ""), self.message.text.get(original, ""))

    def readable(self) -> list[tuple[str, Markup]]:
        original = self.message.original_language
        return readable_diff(self.since.text.get(original, ""), self.message.text.get(original, ""))


def sentence_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(" " | "-" | "+", sentence) lines between two texts in light markup."""
    lines = []
    for line in difflib.ndiff(sentences(old), sentences(new)):
        if not line.startswith("? "):
            lines.append((line[0], line[2:]))
    return lines


def readable_diff(old: str, new: str) -> list[tuple[str, Markup]]:
    """The changes from `old` to `new` to read: ("changed", the new sentence with the words removed and added
    marked, each announced in words), ("same", an unchanged sentence next to a change, for context), ("gap", "…"
    for unchanged sentences left out). A sentence removed or added whole is marked whole."""
    from .versions import _deleted, _inserted, words
    a, b = sentences(old), sentences(new)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out: list[tuple[str, Markup]] = []
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            run = b[j1:j2]
            shown = ({0} if index > 0 else set()) | ({len(run) - 1} if index < len(ops) - 1 else set())
            for k, sentence in enumerate(run):
                if k in shown:
                    out.append(("same", Markup.escape(sentence)))
                elif not out or out[-1][0] != "gap":
                    out.append(("gap", Markup("…")))
            continue
        old_run, new_run = a[i1:i2], b[j1:j2]
        pairs = min(len(old_run), len(new_run))
        out.extend(("changed", words(x, y)) for x, y in zip(old_run[:pairs], new_run[:pairs], strict=True))
        out.extend(("changed", _deleted(x)) for x in old_run[pairs:])
        out.extend(("changed", _inserted(y)) for y in new_run[pairs:])
    return out


def sentences(source: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:!?])\s+", plain(source)) if s]


def outdated(message: KeyMessage) -> list[Outdated]:
    """The out-of-date translations of one message (its revisions are loaded once)."""
    revisions = {r.number: r for r in message.revisions}
    if not revisions:
        return []
    latest = max(revisions)
    original = message.original_language
    found = []
    for code in LANGUAGES:
        made_from = revisions.get((message.translated_from or {}).get(code))
        if code == original or not (message.text.get(code) or "").strip() or made_from is None:
            continue
        if made_from.original_language == original and made_from.text.get(original) != message.text.get(original):
            found.append(Outdated(message, code, made_from, latest))
    return found


def state(message: KeyMessage) -> dict[str, str]:
    """Per language: "original", "current", "outdated" or "missing"."""
    stale = {o.lang for o in outdated(message)}
    result = {}
    for code in LANGUAGES:
        if code == message.original_language:
            result[code] = "original"
        elif not (message.text.get(code) or "").strip():
            result[code] = "missing"
        else:
            result[code] = "outdated" if code in stale else "current"
    return result


def in_document(comp) -> list[Outdated]:
    """Out-of-date translations of the document's paragraphs, in paragraph order, in two queries."""
    from .part_freshness import document_outdated
    found: list = document_outdated(comp)
    numbered = {p.key: p for p in comp.paragraphs if p.key.startswith("km:")}
    ids = [int(key[3:]) for key in numbered]
    if not ids:
        return found
    messages = db.session.scalars(select(KeyMessage).where(KeyMessage.id.in_(ids))
                                  .options(selectinload(KeyMessage.revisions))).all()
    for message in messages:
        paragraph = numbered[f"km:{message.id}"]
        for item in outdated(message):
            item.number = paragraph.number
            item.label = _("Paragraph %(number)d", number=paragraph.number) + (
                f" ({paragraph.label})" if paragraph.label else "")
            found.append(item)
    return sorted(found, key=lambda o: (o.number or 0, LANGUAGES.index(o.lang)))


def ensure_current(comp) -> None:
    """Publishing needs every translation current, or chosen by the organisers to be published as it is."""
    from .services import OutcomeError
    accepted = set(comp.document.accepted_outdated or [])
    left = [o for o in in_document(comp) if o.key not in accepted]
    if left:
        from ..formatting import current_lang
        labels = "; ".join(_("%(part)s: %(languages)s", part=o.label, languages=language_name(o.lang, current_lang()))
                           for o in left[:8])
        raise OutcomeError(_("Some translations are out of date since their original changed. Update them, or "
                             "choose to publish them as they are: %(list)s", list=labels))


def accept_outdated(document: OutcomeDocument, keys: list[str], by) -> None:
    """Record which out-of-date translations the organisers publish as they are."""
    ensure(can_organise, by, document.event)
    document.accepted_outdated = sorted(set(keys))
    db.session.flush()
    audit("outcome.accept_outdated", user=by, event=document.event, keys=document.accepted_outdated)


def translation_bases(message: KeyMessage, text: dict, original: str, confirmed: set[str], number: int,
                       seen: int | None) -> dict:
    """Which revision's original each translation is made from, once this save is revision `number`.

    A translation typed or confirmed now is made from the original the saver saw: this revision's,
    or, when the original came from someone else's save merged in, the revision they started from (`seen`).
    """
    bases = {}
    for code in LANGUAGES:
        if code == original or not text.get(code):
            continue
        if original != message.original_language:
            bases[code] = number
        elif text.get(code) != message.text.get(code) or code in confirmed:
            bases[code] = seen or number
        elif code in (message.translated_from or {}):
            bases[code] = message.translated_from[code]
    return bases


# --- comparing revisions ----------------------------------------------------------------------

@dataclass
class LanguageDiff:
    lang: str
    lines: list[tuple[str, str]]  # (" " | "-" | "+", text)

    @property
    def changed(self) -> bool:
        return any(kind != " " for kind, _ in self.lines)


def compare(old: KeyMessageRevision, new: KeyMessageRevision) -> list[LanguageDiff]:
    """Sentence by sentence differences of two revisions, per language."""
    return [LanguageDiff(code, sentence_diff(old.text.get(code, ""), new.text.get(code, ""))) for code in LANGUAGES]


def users_by_id(ids) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
