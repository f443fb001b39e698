"""Delivering the outbox: one Celery task per message, claimed before SMTP, retried with back-off.

The task may run twice (late acknowledgement: a worker killed mid-send leaves its message to
another), so it first claims the message with a conditional UPDATE committed before any SMTP
talk: a message already sent is skipped, one another worker is sending is looked at again once
that worker's time is up. Every attempt carries the same Message-ID, so the one duplicate no
outbox can prevent (the server said 250, the worker died before committing) is recognisable.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import click
from celery import shared_task
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import and_, or_, select, update

from .extensions import db
from .mail import message_id_for, setting, sweep, waiting
from .models import OutboxMessage, utcnow

log = logging.getLogger(__name__)


@dataclass
class Attempt:
    """What one call of `attempt()` did: sent, skipped (nothing to do), busy (another worker has it), failed."""

    outcome: str
    #: For `failed`: seconds until the next automatic attempt (None: no more); for `busy`: until it is stuck.
    countdown: float | None = None
    error: str | None = None


def describe(exc: BaseException) -> str:
    """The SMTP error in one line: `550 Mailbox unavailable` rather than a tuple of bytes."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        return f"{exc.smtp_code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return str(exc) or type(exc).__name__


def _claim(message_id: int) -> bool:
    """Take the message for one attempt, in a transaction of its own; False if it is not ours to send."""
    now = utcnow()
    stuck = now - timedelta(seconds=setting("MAIL_SENDING_TIMEOUT"))
    taken = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, or_(
            OutboxMessage.status == "queued",
            and_(OutboxMessage.status == "failed", OutboxMessage.next_attempt_at <= now + timedelta(seconds=1)),
            and_(OutboxMessage.status == "sending", OutboxMessage.last_attempt_at <= stuck),
        )).values(status="sending", attempts=OutboxMessage.attempts + 1, last_attempt_at=now, next_attempt_at=None)
    ).rowcount
    db.session.commit()
    return bool(taken)


def _compose(message: OutboxMessage) -> EmailMessage:
    cfg = current_app.config
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = cfg["MAIL_SENDER"], message.recipient, message.subject
    mail["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC))
    mail["Message-ID"] = message.message_id
    mail.set_content(message.body)
    return mail


def _smtp_send(mail: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=setting("MAIL_TIMEOUT")) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def attempt(message_id: int) -> Attempt:
    """Claim the message, send it once, record what happened (each step committed)."""
    if not _claim(message_id):
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.status != "sending":
            return Attempt("skipped")
        left = setting("MAIL_SENDING_TIMEOUT") - (utcnow() - message.last_attempt_at).total_seconds()
        return Attempt("busy", countdown=max(left, 0) + 1)
    message = db.session.get(OutboxMessage, message_id)
    if not message.message_id:
        message.message_id = message_id_for(message)
    mail = _compose(message)
    db.session.commit()  # no transaction stays open while SMTP talks
    try:
        _smtp_send(mail)
    except (OSError, smtplib.SMTPException) as exc:
        return _failed(message_id, exc)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(
        status="sent", sent_at=utcnow(), error=None, next_attempt_at=None))
    db.session.commit()
    return Attempt("sent")


def _failed(message_id: int, exc: BaseException) -> Attempt:
    db.session.rollback()
    error = describe(exc)[:500]
    attempts = db.session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == message_id))
    countdown = None
    if attempts < setting("MAIL_MAX_ATTEMPTS"):
        countdown = setting("MAIL_RETRY_DELAY") * 2 ** (attempts - 1)
    next_at = utcnow() + timedelta(seconds=countdown) if countdown is not None else None
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
                       .values(status="failed", error=error, next_attempt_at=next_at))
    db.session.commit()
    log.warning("mail %s not sent (attempt %s): %s", message_id, attempts, error)
    return Attempt("failed", countdown=countdown, error=error)


@shared_task(bind=True, name="dialogue.deliver_mail", max_retries=None)
def deliver_mail(self, message_id: int) -> str:
    """Deliver one outbox message; on failure try again later, 30 s × 2ⁿ apart, up to MAIL_MAX_ATTEMPTS."""
    result = attempt(message_id)
    if result.countdown is not None:
        raise self.retry(countdown=result.countdown)
    return result.outcome


@shared_task(name="dialogue.sweep_outbox")
def sweep_outbox() -> int:
    """Publish again what a lost task or a killed worker left in the outbox (run on worker start)."""
    count = sweep()
    db.session.commit()
    return count


@click.group("outbox")
def outbox_cli():
    """The mail outbox."""


@outbox_cli.command("flush")
@with_appcontext
def flush():
    """Send now, from this process, every message waiting: queued, due again, or stuck in sending."""
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not set: messages stay in the outbox.")
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status == "failed",
                                                   OutboxMessage.next_attempt_at.is_not(None))
                       .values(next_attempt_at=utcnow()))
    db.session.commit()
    ids = waiting(grace_seconds=0)
    outcomes: dict[str, int] = {}
    for message_id in ids:
        result = attempt(message_id)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        if result.error:
            click.echo(f"message {message_id}: {result.error}", err=True)
    summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to send"
    click.echo(f"{len(ids)} waiting: {summary}.")
