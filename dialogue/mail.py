"""Outgoing mail: written to the outbox in the caller's transaction, delivered by a worker after commit.

A request never talks to SMTP. `send_mail()` adds an `OutboxMessage` to the current transaction;
when it commits, `dialogue.deliver_mail` is published (dialogue/mailer.py), and a rollback leaves
neither a row nor a mail. Without MAIL_SERVER the message is `kept`: it stays in the outbox,
where organisers copy invitation links by hand.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from .actions import DomainError
from .extensions import db
from .jobs.engine import publish_after_commit
from .models import OutboxMessage, utcnow


def setting(name: str):
    """A delivery setting from the app config, with its default."""
    defaults = {"MAIL_MAX_ATTEMPTS": 6, "MAIL_RETRY_DELAY": 30, "MAIL_SENDING_TIMEOUT": 300, "MAIL_TIMEOUT": 30,
                "MAIL_WAIT_WARNING": 600}
    value = current_app.config.get(name)
    return defaults[name] if value is None else value


def message_id_for(message: OutboxMessage) -> str:
    """The Message-ID header of every attempt: `<outbox-ID.CREATED@domain of the sender>`.

    The creation time keeps two databases (or one reset) from giving two mails the same header.
    """
    domain = (current_app.config.get("MAIL_SENDER") or "dialogue@localhost").rpartition("@")[2] or "localhost"
    return f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"


def send_mail(recipient: str, subject: str, body: str, event=None) -> OutboxMessage:
    """Put a message in the outbox; a worker sends it once this transaction commits (never if it rolls back)."""
    server = current_app.config.get("MAIL_SERVER")
    message = OutboxMessage(recipient=recipient, subject=subject, body=body,
                            event_id=event.id if event is not None else None,
                            status="queued" if server else "kept")
    db.session.add(message)
    if server:
        message.created_at = utcnow()
        db.session.flush()
        message.message_id = message_id_for(message)
        publish_after_commit(db.session, "dialogue.deliver_mail", message.id)
    return message


def send_again(message: OutboxMessage) -> OutboxMessage:
    """Queue a message that could not be sent for a new round of attempts (the caller commits)."""
    if message.status != "failed":
        raise DomainError(_("Only a message that could not be sent can be sent again."))
    if not current_app.config.get("MAIL_SERVER"):
        raise DomainError(_("No mail server is configured: the message stays in the outbox."))
    message.status, message.attempts, message.next_attempt_at = "queued", 0, None
    message.message_id = message.message_id or message_id_for(message)
    publish_after_commit(db.session, "dialogue.deliver_mail", message.id)
    return message


def waiting(now=None, grace_seconds: int = 60) -> list[int]:
    """Messages a lost task message left behind: queued a while ago, stuck in `sending`, or due again."""
    now = now or utcnow()
    grace = now - timedelta(seconds=grace_seconds)
    stuck = now - timedelta(seconds=setting("MAIL_SENDING_TIMEOUT"))
    return list(db.session.scalars(select(OutboxMessage.id).where(or_(
        and_(OutboxMessage.status == "queued", OutboxMessage.created_at <= grace),
        and_(OutboxMessage.status == "sending", OutboxMessage.last_attempt_at <= stuck),
        and_(OutboxMessage.status == "failed", OutboxMessage.next_attempt_at <= grace),
    )).order_by(OutboxMessage.id)))


def sweep(grace_seconds: int = 60) -> int:
    """Publish again the delivery of every message waiting too long (the caller commits)."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0
    ids = waiting(grace_seconds=grace_seconds)
    for message_id in ids:
        publish_after_commit(db.session, "dialogue.deliver_mail", message_id)
    return len(ids)


def overdue(event_id: int, now=None) -> tuple[int, datetime] | None:
    """(how many, since when) the event's messages wait to be delivered, when the oldest has waited longer
    than MAIL_WAIT_WARNING seconds: most likely no worker takes the mail queue. One query."""
    now = now or utcnow()
    count, oldest = db.session.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(
        OutboxMessage.event_id == event_id, OutboxMessage.status.in_(("queued", "sending")))).one()
    if not count or oldest > now - timedelta(seconds=setting("MAIL_WAIT_WARNING")):
        return None
    return count, oldest
