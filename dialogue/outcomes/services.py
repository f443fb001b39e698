"""Rapporteurs, key messages and their review.

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
from sqlalchemy.orm import selectinload

from ..actions import DomainError
from ..extensions import db
from ..i18n import LANGUAGES, clean_translations, language_name
from ..models import User, audit
from ..permissions import can_delete_message, can_edit_message, can_organise, can_review_message, ensure
from ..sessions.models import Event, MeetingSession
from . import merging, review, words
from .freshness import translation_bases
from .models import KeyMessage, KeyMessageRevision, OutcomeTheme, SessionRapporteur


class OutcomeError(DomainError):
    """Invalid input for key messages or the outcome document, with the field it concerns."""


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


# --- rapporteurs ------------------------------------------------------------------------------

def rapporteur_sessions(user, event: Event) -> list[MeetingSession]:
    """The sessions of `event` this user reports on."""
    return list(db.session.scalars(
        select(MeetingSession).join(SessionRapporteur, SessionRapporteur.session_id == MeetingSession.id)
        .where(SessionRapporteur.user_id == user.id, MeetingSession.event_id == event.id)
        .order_by(MeetingSession.starts_at, MeetingSession.code)))


def assignments(event: Event) -> list[SessionRapporteur]:
    return list(db.session.scalars(
        select(SessionRapporteur).join(MeetingSession).where(MeetingSession.event_id == event.id)
        .options(selectinload(SessionRapporteur.user), selectinload(SessionRapporteur.session))
        .order_by(MeetingSession.starts_at, MeetingSession.code, SessionRapporteur.id)))


def assign_rapporteur(session: MeetingSession, email: str, name: str, by, lang: str) -> SessionRapporteur:
    """Make someone rapporteur of a session and mail them (a set-password link if they have none)."""

    from ..auth import invite
    from ..formatting import tr_text
    event = session.event
    ensure(can_organise, by, event)
    email = (email or "").strip().lower()
    if "@" not in email:
        raise OutcomeError(_("Give a valid email address."), "email")
    already = db.session.scalar(select(SessionRapporteur.id).join(User).where(
        User.email == email, SessionRapporteur.session_id == session.id))
    if already:
        raise OutcomeError(_("%(email)s is already rapporteur of session %(code)s.", email=email, code=session.code),
                           "email")
    with force_locale(lang):
        title = tr_text(session.title, session.original_language)
        from flask import current_app, url_for
        page = current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/") + url_for(
            "outcomes_manage.my_sessions", lang=lang, slug=event.slug)
        intro = _("You are rapporteur of session %(code)s, %(title)s: you draft its key messages and submit "
                  "them to the organisers.", code=session.code, title=title) + "\n\n" + _(
            "Your key messages, once signed in: %(url)s", url=page)
        subject = _("Rapporteur of session %(code)s", code=session.code)
    user = invite(event, email, name, "rapporteur", by, lang, subject=subject, intro=intro)
    link = SessionRapporteur(user=user, session=session)
    db.session.add(link)
    db.session.flush()
    audit("rapporteur.assign", user=by, event=event, target=f"session:{session.id}", email=email)
    return link


def unassign_rapporteur(link: SessionRapporteur, by) -> None:
    event = link.session.event
    ensure(can_organise, by, event)
    audit("rapporteur.unassign", user=by, event=event, target=f"session:{link.session_id}", email=link.user.email)
    db.session.delete(link)


# --- themes -----------------------------------------------------------------------------------

def themes(event: Event) -> list[OutcomeTheme]:
    return list(db.session.scalars(select(OutcomeTheme).where(OutcomeTheme.event_id == event.id)
                                   .order_by(OutcomeTheme.position, OutcomeTheme.id)))


def set_themes(event: Event, lines: dict, by) -> list[OutcomeTheme]:
    """Themes from one line per theme in each language; the lines of each language must match."""
    ensure(can_organise, by, event)
    per_lang = split_items(lines, "themes", separator="\n")
    existing = themes(event)
    for i, title in enumerate(per_lang):
        theme = existing[i] if i < len(existing) else OutcomeTheme(event_id=event.id)
        theme.position, theme.title = i, title
        db.session.add(theme)
    for theme in existing[len(per_lang):]:
        db.session.delete(theme)
    db.session.flush()
    audit("outcome.themes", user=by, event=event, count=len(per_lang))
    return themes(event)


def split_items(value: dict | None, field: str, separator: str = "\n\n") -> list[dict]:
    """Text per language, cut into items (paragraphs or lines) that must line up across languages."""
    counts, items = {}, {}
    for code, text in clean_translations(value).items():
        parts = [p.strip() for p in (text.split("\n\n") if separator == "\n\n" else text.split("\n")) if p.strip()]
        counts[code], items[code] = len(parts), parts
    if len(set(counts.values())) > 1:
        detail = ", ".join(f"{language_name(code, _current())}: {n}" for code, n in counts.items())
        raise OutcomeError(_("Each language must have the same number of items, so that every paragraph keeps "
                             "its number in every language (%(detail)s).", detail=detail), field)
    n = max(counts.values(), default=0)
    return [{code: items[code][i] for code in items} for i in range(n)]


def _current() -> str:
    from ..formatting import current_lang
    return current_lang()


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


def _revise(message: KeyMessage, by, action: str, comment: str = "") -> KeyMessageRevision:
    number = (max((r.number for r in message.revisions), default=0)) + 1
    revision = KeyMessageRevision(number=number, user=by if getattr(by, "id", None) else None, action=action,
                                  text=dict(message.text), original_language=message.original_language,
                                  themes=list(message.themes), status=message.status, comment=comment)
    message.revisions.append(revision)
    return revision


def create_message(session: MeetingSession, data: dict, by) -> KeyMessage:
    ensure(can_edit_message, by, session)
    text, original, chosen, position = _validated(session, data)
    message = KeyMessage(session=session, text=text, original_language=original, themes=chosen,
                         position=position, status="draft", author=by,
                         translated_from={code: 1 for code in text if code != original})
    db.session.add(message)
    _revise(message, by, "create")
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
    _revise(message, by, "edit")
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


def submit_message(message: KeyMessage, by) -> KeyMessage:
    ensure(can_edit_message, by, message)
    if message.status not in ("draft", "returned"):
        raise OutcomeError(_("Only drafts and returned messages can be submitted."))
    message.status = "submitted"
    _revise(message, by, "submit")
    db.session.flush()
    event = message.session.event
    review.notify_submitted(message, by)
    audit("key_message.submit", user=by, event=event, target=f"key_message:{message.id}")
    return message


def text_authors(message: KeyMessage) -> set[int]:
    """Everyone who wrote or changed the text in its original language: none of them may approve it.

    An edit that only adds or corrects the versions in the other languages (a secretariat translating
    in-house), or only moves the message, does not make its author one of the text's: what is approved
    is the original text. Changing the original text, the original language or the themes does.
    """
    ids = set()
    previous = None
    for r in sorted(message.revisions, key=lambda r: r.number):
        if r.user_id and (r.action == "create" or (r.action == "edit" and not _translation_only(previous, r))):
            ids.add(r.user_id)
        previous = r
    if message.author_id:
        ids.add(message.author_id)
    return ids


def _translation_only(before: KeyMessageRevision | None, after: KeyMessageRevision) -> bool:
    if before is None or before.original_language != after.original_language:
        return False
    original = after.original_language
    return ((before.text.get(original) or "") == (after.text.get(original) or "")
            and list(before.themes) == list(after.themes))


def approve_message(message: KeyMessage, by) -> KeyMessage:
    ensure(can_review_message, by, message)
    if message.status != "submitted":
        raise OutcomeError(_("Only submitted messages can be approved."))
    message.status = "approved"
    _revise(message, by, "approve")
    db.session.flush()
    audit("key_message.approve", user=by, event=message.session.event, target=f"key_message:{message.id}")
    return message


def return_message(message: KeyMessage, comment: str, by) -> KeyMessage:
    """Send a message back to its rapporteurs with the reason."""
    ensure(can_review_message, by, message)
    comment = (comment or "").strip()
    if not comment:
        raise OutcomeError(_("Say what should change: the comment is required."), "comment")
    if message.status not in ("submitted", "approved"):
        raise OutcomeError(_("Only submitted or approved messages can be returned."))
    message.status = "returned"
    _revise(message, by, "return", comment)
    review.add_comment(message, comment, by, kind="return")
    review.notify_returned(message, comment)
    event = message.session.event
    audit("key_message.return", user=by, event=event, target=f"key_message:{message.id}", comment=comment)
    return message


def set_word_limit(session: MeetingSession, limit: int | None, by) -> None:
    """The most words a key message of `session` may have in each language (None: no limit)."""
    ensure(can_organise, by, session.event)
    session.key_message_word_limit = limit or None
    db.session.flush()
    audit("key_message.word_limit", user=by, event=session.event, target=f"session:{session.id}", words=limit)


def delete_message(message: KeyMessage, by) -> None:
    ensure(can_delete_message, by, message)
    audit("key_message.delete", user=by, event=message.session.event, target=f"key_message:{message.id}")
    db.session.delete(message)


def review_queue(event: Event) -> list[KeyMessage]:
    """Submitted messages of the event, session by session."""
    return list(db.session.scalars(
        select(KeyMessage).join(MeetingSession).where(MeetingSession.event_id == event.id,
                                                      KeyMessage.status == "submitted")
        .options(selectinload(KeyMessage.session), selectinload(KeyMessage.revisions))
        .order_by(MeetingSession.starts_at, MeetingSession.code, KeyMessage.position)))


def event_messages(event: Event, statuses: tuple[str, ...] | None = None) -> list[KeyMessage]:
    query = (select(KeyMessage).join(MeetingSession).where(MeetingSession.event_id == event.id)
             .options(selectinload(KeyMessage.session))
             .order_by(MeetingSession.starts_at, MeetingSession.code, KeyMessage.position, KeyMessage.id))
    if statuses:
        query = query.where(KeyMessage.status.in_(statuses))
    return list(db.session.scalars(query))
