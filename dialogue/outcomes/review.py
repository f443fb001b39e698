"""The conversation about a key message: its thread of comments, the mails its review sends, bulk approval.

The thread replaces the single review comment: organisers and the session's rapporteurs read and
post in it, a return puts its reason there, and the app notes what needs a second look (a
translation changed after approval). Nothing is cleared on approval. Mails go through the outbox,
each in its recipient's language, with a link to the message and the text concerned.
"""
from __future__ import annotations

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.tokens import public_url
from ..extensions import db
from ..i18n import LANGUAGES, pick
from ..mail import send_mail
from ..models import EventRole, User, audit
from ..permissions import can_discuss_message, can_review_message, ensure
from ..sessions.models import Event, MeetingSession
from .markup import excerpt
from .models import KeyMessage, KeyMessageComment, SessionRapporteur

COMMENT_MAX = 4000


def add_comment(message: KeyMessage, body: str, by, kind: str = "comment") -> KeyMessageComment:
    """Post in the message's thread (organisers and the session's rapporteurs)."""
    from .services import OutcomeError
    ensure(can_discuss_message, by, message)
    body = (body or "").strip()
    if not body:
        raise OutcomeError(_("Write the comment first."), "body")
    if len(body) > COMMENT_MAX:
        raise OutcomeError(_("A comment has at most %(max)d characters.", max=COMMENT_MAX), "body")
    comment = KeyMessageComment(message=message, user=by, kind=kind, body=body)
    db.session.add(comment)
    db.session.flush()
    audit("key_message.comment", user=by, event=message.session.event, target=f"key_message:{message.id}",
          kind=kind)
    return comment


def note(message: KeyMessage, body: str, by) -> KeyMessageComment:
    """A note of the app in the thread (who caused it is recorded as its author)."""
    comment = KeyMessageComment(message=message, user=by if getattr(by, "id", None) else None, kind="note",
                                body=body)
    db.session.add(comment)
    return comment


def thread(message: KeyMessage) -> list[KeyMessageComment]:
    """Every post of the thread, oldest first, with their authors, in one query."""
    return list(db.session.scalars(select(KeyMessageComment).where(KeyMessageComment.message_id == message.id)
                                   .options(selectinload(KeyMessageComment.user)).order_by(KeyMessageComment.id)))


def last_returns(messages: list[KeyMessage]) -> dict[int, KeyMessageComment]:
    """The latest return comment of each message, in one query (for lists of messages)."""
    ids = [m.id for m in messages]
    if not ids:
        return {}
    found: dict[int, KeyMessageComment] = {}
    for c in db.session.scalars(select(KeyMessageComment).where(KeyMessageComment.message_id.in_(ids),
                                                                 KeyMessageComment.kind == "return")
                                .order_by(KeyMessageComment.id)):
        found[c.message_id] = c
    return found


def comment_counts(messages: list[KeyMessage]) -> dict[int, int]:
    from sqlalchemy import func
    ids = [m.id for m in messages]
    if not ids:
        return {}
    return dict(db.session.execute(select(KeyMessageComment.message_id, func.count()).where(
        KeyMessageComment.message_id.in_(ids)).group_by(KeyMessageComment.message_id)).all())


# --- mails ------------------------------------------------------------------------------------

def _language_of(user: User, event: Event) -> str:
    return user.locale if user.locale in LANGUAGES else event.original_language


def _excerpt(message: KeyMessage, lang: str) -> str:
    picked = pick(message.text, lang, message.original_language)
    return "\n\n".join("> " + p for p in excerpt(picked.text, 600))


def _link(message: KeyMessage, lang: str) -> str:
    """The message's page, for a mail: also from the CLI or a job, where there is no request."""
    values = {"lang": lang, "slug": message.session.event.slug, "message_id": message.id}
    if has_request_context():
        return public_url("outcomes_manage.message", **values)
    with current_app.test_request_context():
        return public_url("outcomes_manage.message", **values)


def organisers(event: Event) -> list[User]:
    return list(db.session.scalars(select(User).join(EventRole, EventRole.user_id == User.id).where(
        EventRole.event_id == event.id, EventRole.role == "organiser", User.active.is_(True)).order_by(User.id)))


def rapporteurs(message: KeyMessage) -> list[User]:
    return list(db.session.scalars(select(User).join(SessionRapporteur, SessionRapporteur.user_id == User.id)
                                   .where(SessionRapporteur.session_id == message.session_id).order_by(User.id)))


def notify_submitted(message: KeyMessage, by) -> None:
    """Tell the event's organisers (but the submitter) that a message waits for their review."""
    event = message.session.event
    for user in organisers(event):
        if user.id == getattr(by, "id", None):
            continue
        lang = _language_of(user, event)
        with force_locale(lang):
            body = "\n\n".join([
                _("%(name)s submitted a key message of session %(code)s for review.",
                  name=(by.name or by.email) if by else "—", code=message.session.code),
                _excerpt(message, lang),
                _("Review it: %(url)s", url=_link(message, lang))])
            send_mail(user.email, _("Key message of session %(code)s submitted for review", code=message.session.code),
                      body, event=event)


def notify_returned(message: KeyMessage, comment: str) -> None:
    """Tell the session's rapporteurs why their message came back, with the message and a link."""
    event = message.session.event
    for user in rapporteurs(message):
        lang = _language_of(user, event)
        with force_locale(lang):
            body = "\n\n".join([
                _("Comment from the organisers:"), comment,
                _("The key message concerned:"), _excerpt(message, lang),
                _("Edit it and submit it again: %(url)s", url=_link(message, lang))])
            send_mail(user.email, _("A key message of session %(code)s was returned", code=message.session.code),
                      body, event=event)


# --- bulk approval ----------------------------------------------------------------------------

def approve_many(event: Event, ids: list[int], by) -> tuple[list[KeyMessage], list[tuple[KeyMessage, str]]]:
    """Approve the chosen messages of `event` that `by` may approve; the others are left, with why."""
    from .approval import approve_message, text_authors
    ids = [i for i in ids if 0 < i < 2**31]  # ids beyond the database's integers name no message
    messages = list(db.session.scalars(
        select(KeyMessage).join(MeetingSession).where(MeetingSession.event_id == event.id, KeyMessage.id.in_(ids))
        .options(selectinload(KeyMessage.revisions), selectinload(KeyMessage.session))
        .order_by(MeetingSession.starts_at, MeetingSession.code, KeyMessage.position)))
    approved, skipped = [], []
    for message in messages:
        if message.status != "submitted":
            skipped.append((message, _("not submitted for review")))
        elif not can_review_message(by, message):
            skipped.append((message, _("you wrote or changed its text") if by.id in text_authors(message)
                            else _("you changed a translation after approval: another organiser looks at it")))
        else:
            approved.append(approve_message(message, by))
    return approved, skipped
