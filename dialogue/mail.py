"""Outgoing mail: every message is kept in the outbox; SMTP sends it when configured."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from .extensions import db
from .models import OutboxMessage, utcnow


def send_mail(recipient: str, subject: str, body: str, event=None) -> OutboxMessage:
    """Store the message, then try SMTP if there is a server. Failures stay visible in the outbox."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body,
                            event_id=event.id if event is not None else None)
    db.session.add(message)
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = cfg["MAIL_SENDER"], recipient, subject
        mail.set_content(body)
        try:
            with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
                if cfg["MAIL_USE_TLS"]:
                    smtp.starttls()
                if cfg.get("MAIL_USERNAME"):
                    smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
                smtp.send_message(mail)
            message.sent_at = utcnow()
        except (OSError, smtplib.SMTPException) as exc:
            message.error = str(exc)[:500]
    return message
