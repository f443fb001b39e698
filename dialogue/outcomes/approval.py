"""Submitting key messages for review, approving and returning them, and the review queue.

Who may approve is in permissions.can_review_message: never someone who wrote or changed the
original text (`text_authors`).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import EventRole, User, audit
from ..permissions import can_delete_message, can_edit_message, can_organise, can_review_message, ensure
from ..sessions.models import Event, MeetingSession
from . import review
from .errors import OutcomeError
from .models import KeyMessage, KeyMessageRevision


def revise(message: KeyMessage, by, action: str, comment: str = "") -> KeyMessageRevision:
    """Record the message as it is now as its next revision (who, what action, why)."""
    number = (max((r.number for r in message.revisions), default=0)) + 1
    revision = KeyMessageRevision(number=number, user=by if getattr(by, "id", None) else None, action=action,
                                  text=dict(message.text), original_language=message.original_language,
                                  themes=list(message.themes), status=message.status, comment=comment)
    message.revisions.append(revision)
    return revision


def submit_message(message: KeyMessage, by) -> KeyMessage:
    ensure(can_edit_message, by, message)
    if message.status not in ("draft", "returned"):
        raise OutcomeError(_("Only drafts and returned messages can be submitted."))
    message.status = "submitted"
    revise(message, by, "submit")
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


def changed_after_approval(message: KeyMessage) -> set[int]:
    """Who edited the message since its last approval (its translations: an original change makes a text author)."""
    revisions = sorted(message.revisions, key=lambda r: r.number)
    approved = max((r.number for r in revisions if r.action == "approve"), default=None)
    if approved is None:
        return set()
    return {r.user_id for r in revisions if r.number > approved and r.action == "edit" and r.user_id}


def review_standing(user, message: KeyMessage, others: bool | None = None) -> str:
    """Whether `user` (an organiser) may review the message, and what to tell them.

    "author": they wrote or changed its original text, another organiser reviews it. "own_change":
    they changed a translation after approval and another organiser can look at it (four eyes).
    "sole": the same, but they are the event's only organiser: they may approve, and are told that
    they approve their own change. "": nothing in the way. `others`: whether the event has another
    organiser, when the caller knows.
    """
    if user.id in text_authors(message):
        return "author"
    if message.status != "submitted" or user.id not in changed_after_approval(message):
        return ""
    if others is None:
        others = has_other_organisers(message.session.event, user)
    return "own_change" if others else "sole"


def has_other_organisers(event: Event, user) -> bool:
    """Whether an active organiser of the event other than `user` exists."""
    return bool(db.session.scalar(
        select(func.count()).select_from(EventRole).join(User, User.id == EventRole.user_id)
        .where(EventRole.event_id == event.id, EventRole.role == "organiser", User.active.is_(True),
               User.id != user.id)))


def approve_message(message: KeyMessage, by) -> KeyMessage:
    ensure(can_review_message, by, message)
    if message.status != "submitted":
        raise OutcomeError(_("Only submitted messages can be approved."))
    message.status = "approved"
    revise(message, by, "approve")
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
    revise(message, by, "return", comment)
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
