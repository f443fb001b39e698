"""Key messages: writing and editing them (rapporteurs and themes are in rapporteurs.py, review in approval.py).

Every function checks who may act, records a revision and an audit entry, and leaves the
commit to the caller. A save carries the revision the user started from: when someone else
saved in between, the two edits are merged from that common ancestor (merging.py); what both
changed in the same place raises `EditConflict` with both texts, so nothing is lost. No save
empties a language without the saver confirming it (`RemovalUnconfirmed`).
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import LANGUAGES, clean_translations, language_name
from ..models import audit
from ..permissions import can_edit_message, can_organise, ensure
from ..sessions.models import MeetingSession
from . import merging, review, words
from .approval import (  # noqa: F401  (re-exported: callers use services.approve_message etc.)
    approve_message,
    delete_message,
    event_messages,
    return_message,
    review_queue,
    revise,
    set_word_limit,
    submit_message,
    text_authors,
)
from .errors import OutcomeError
from .freshness import translation_bases
from .models import KeyMessage
from .rapporteurs import (  # noqa: F401  (re-exported)
    _current,
    assign_rapporteur,
    assignments,
    rapporteur_sessions,
    set_themes,
    split_items,
    themes,
    unassign_rapporteur,
)


class EditConflict(OutcomeError):
    """Someone saved the message since this user opened it, and the two edits need a person to settle them."""

    def __init__(self, current: KeyMessage, merge: merging.MessageMerge | None = None, status_changed: bool = False):
        if merge is not None and not merge.clean:
            message = _("Someone else saved this message while you were editing it, and you both changed the same "
                        "paragraphs. What only one of you changed is merged in the form below; settle the marked "
                        "paragraphs and save again.")
        elif status_changed:
            message = _("Someone else reviewed this message while you were editing it: saving your change sends it "
                        "back to review. Your text is kept below; save again to confirm.")
        else:
            message = _("Someone else saved this message while you were editing it. Your text is kept below: "
                        "compare it with the saved version, merge, and save again.")
        super().__init__(message, "")
        self.current = current
        self.merge = merge


class RemovalUnconfirmed(OutcomeError):
    """A save would empty a language that has text, and the saver has not said they mean it."""

    def __init__(self, languages: list[str]):
        names = ", ".join(language_name(code, _current()) for code in languages)
        super().__init__(_("This save removes the whole text in %(languages)s. Tick the box to confirm, or put "
                           "the text back.", languages=names), "confirm_removal")
        self.languages = languages


# --- key messages -----------------------------------------------------------------------------

def session_messages(session: MeetingSession) -> list[KeyMessage]:
    return list(db.session.scalars(select(KeyMessage).where(KeyMessage.session_id == session.id)
                                   .order_by(KeyMessage.position, KeyMessage.id)))


def _validated(session: MeetingSession, data: dict, before: dict | None = None) -> tuple[dict, str, list[int], int]:
    # Browsers send text areas with CRLF line ends: kept as LF, so that no save "changes" an untouched box.
    text = {code: value.replace("\r\n", "\n") for code, value in clean_translations(data.get("text")).items()}
    words.check(session, text, None if before is None else {c for c in text if text[c] != before.get(c)})
    original = data.get("original_language")
    if original not in LANGUAGES:
        raise OutcomeError(_("Choose one of the languages."), "original_language")
    if not text.get(original):
        raise OutcomeError(_("Write the message in its original language (%(language)s).",
                             language=language_name(original, _current())), "text")
    valid = {t.id for t in themes(session.event)}
    chosen = [int(t) for t in (data.get("themes") or []) if int(t) in valid]
    position = data.get("position")
    if position is None:
        position = (db.session.scalar(select(func.max(KeyMessage.position))
                                      .where(KeyMessage.session_id == session.id)) or 0) + 1
    return text, original, chosen, int(position)


def create_message(session: MeetingSession, data: dict, by) -> KeyMessage:
    ensure(can_edit_message, by, session)
    text, original, chosen, position = _validated(session, data)
    message = KeyMessage(session=session, text=text, original_language=original, themes=chosen,
                         position=position, status="draft", author=by,
                         translated_from={code: 1 for code in text if code != original})
    db.session.add(message)
    revise(message, by, "create")
    db.session.flush()
    if data.get("position") is not None:
        _place(message, position)
    audit("key_message.create", user=by, event=session.event, target=f"key_message:{message.id}")
    return message


def latest_revision(message: KeyMessage) -> int:
    """The number of the message's newest revision (what an edit form starts from)."""
    return max((r.number for r in message.revisions), default=0)


def save_message(message: KeyMessage, data: dict, by, expected_version: int | None = None) -> KeyMessage:
    """Save an edit made from revision `data["base"]` (or from `expected_version`), merging a save made meanwhile.

    `data["confirm_removal"]` lists the languages the saver agreed to empty; `data["confirm_current"]`
    the out-of-date translations they checked and found still right.
    """
    ensure(can_edit_message, by, message)
    text, original, chosen, position = _validated(message.session, data, message.text)
    latest = latest_revision(message)
    base_number = _number(data.get("base"))
    if base_number is not None:
        concurrent = base_number != latest
    else:
        concurrent = expected_version is not None and int(expected_version) != message.version
    typed_original = text.get(original)
    if concurrent:
        base = next((r for r in message.revisions if r.number == base_number), None)
        merge = merging.merge_message(base, message, text, original, chosen, position)
        content_changed = merge.text != message.text or merge.original_language != message.original_language
        # Approved or returned meanwhile: say so before an edit withdraws that review.
        status_changed = (base is not None and base.status != message.status and content_changed
                          and message.status in ("approved", "returned"))
        if base is None or not merge.clean or status_changed:
            raise EditConflict(message, merge, status_changed)
        text, original, chosen = merge.text, merge.original_language, merge.themes
    removed = [code for code in LANGUAGES if message.text.get(code) and not text.get(code)]
    if set(removed) - set(data.get("confirm_removal") or []):
        raise RemovalUnconfirmed(removed)
    confirmed = set(data.get("confirm_current") or [])
    content_changed = text != message.text or original != message.original_language or chosen != list(message.themes)
    moved = position != message.position
    original_changed = (original != message.original_language or text.get(original) != message.text.get(original)
                        or chosen != list(message.themes))
    if not (content_changed or moved or confirmed):
        return message
    translations_changed = [code for code in LANGUAGES if code != original and text.get(code) != message.text.get(code)]
    message.translated_from = translation_bases(message, text, original, confirmed, latest + 1,
                                                 base_number if typed_original != text.get(original) else None)
    before_status = message.status
    message.text, message.original_language, message.themes, message.position = text, original, chosen, position
    if content_changed and message.status in ("approved", "submitted"):
        # The text the organisers approved (or are reviewing) changed: it needs a new review.
        # Moving a message within its session changes nothing they approved.
        if not can_organise(by, message.session.event):
            message.status = "draft"
        elif message.status == "approved":
            # An organiser changed approved text: it goes back to the review queue for a second look.
            message.status = "submitted"
    revise(message, by, "edit")
    if before_status == "approved" and message.status == "submitted" and not original_changed and translations_changed:
        with_names = ", ".join(language_name(code, message.original_language) for code in translations_changed)
        with force_locale(message.original_language):
            review.note(message, _("A translation was changed after approval (%(languages)s): the message is back in "
                                   "review for another look.", languages=with_names), by)
    db.session.flush()
    if moved:
        _place(message, position)
    audit("key_message.edit", user=by, event=message.session.event, target=f"key_message:{message.id}")
    return message


def conflict_after_race(message: KeyMessage, data: dict) -> EditConflict:
    """The conflict to show when someone saved between our read and our write: their save merged with ours."""
    base = next((r for r in message.revisions if r.number == _number(data.get("base"))), None)
    merge = merging.merge_message(base, message, clean_translations(data.get("text")), data.get("original_language"),
                                  list(data.get("themes") or []), message.position)
    return EditConflict(message, merge)


def _number(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 10**9 else None


def _place(message: KeyMessage, position: int) -> None:
    """Put `message` at `position` (1, 2, 3...) among its session's messages, and number them all again.

    The others keep their order and move up or down by one; their rows are updated without a new
    version, so that nobody editing one of them gets a conflict for a mere change of order.
    """
    from sqlalchemy.orm.attributes import set_committed_value
    others = [m for m in session_messages(message.session) if m.id != message.id]
    index = max(0, min(int(position) - 1, len(others)))
    for number, m in enumerate(others[:index] + [message] + others[index:], start=1):
        if m.position == number:
            continue
        if m is message:
            message.position = number
        else:
            db.session.execute(KeyMessage.__table__.update().where(KeyMessage.id == m.id).values(position=number))
            set_committed_value(m, "position", number)
    db.session.flush()
