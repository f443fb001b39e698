"""Cross-domain models: users, their roles in events, the audit log and the mail outbox."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    """Naive UTC now: every datetime is stored as naive UTC, on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    #: When the row was created (UTC).
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the row last changed (UTC).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


ROLES = ("organiser", "focal_point", "rapporteur")


class User(UserMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased login.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: None until the user sets a password from an invitation link.
    password_hash: Mapped[str | None] = mapped_column(String(256))
    #: Preferred interface language and time zone.
    locale: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    #: May create events (the secretariat); event-level rights come from EventRole.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: Part of the session cookie; raising it (sign-out, new password) ends every session of the user.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: The last successful sign-in; a mailed sign-in link is valid until the next one.
    last_login_at: Mapped[datetime | None]

    roles: Mapped[list[EventRole]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session and remember-me cookies carry
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Make every session and remember-me cookie issued so far invalid."""
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class EventRole(db.Model):
    """A user's role in one event: organiser, focal point (of a delegation), rapporteur."""

    __table_args__ = (UniqueConstraint("user_id", "event_id", "role", name="uq_event_role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="roles")
    event: Mapped[Event] = relationship()  # noqa: F821


class AuditEntry(db.Model):
    """Who changed what, and when. Written by services, read by organisers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: A dotted verb: "session.create", "delegate.accredit".
    action: Mapped[str] = mapped_column(String(60))
    #: What it acted on: "session:12".
    target: Mapped[str] = mapped_column(String(80), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()


class OutboxMessage(db.Model):
    """Every mail the system sends, written in the transaction that causes it; a worker delivers it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: queued (waiting for a worker), sending, sent, failed (retried later or by hand) or kept
    #: (no mail server: the message stays in the outbox to be copied by hand).
    status: Mapped[str] = mapped_column(String(10), default="queued", server_default="kept", index=True)
    #: Delivery attempts so far (a claim counts one, even if the worker dies during it).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None]
    #: When the next automatic attempt is due after a failure (None: no more automatic attempts).
    next_attempt_at: Mapped[datetime | None]
    #: The Message-ID header, the same on every attempt, so a receiver can recognise a repeat.
    message_id: Mapped[str | None] = mapped_column(String(200))
    #: When the server accepted it.
    sent_at: Mapped[datetime | None]
    #: The last SMTP error, kept while the message is not sent.
    error: Mapped[str | None] = mapped_column(Text)


def audit(action: str, *, user: User | None, event=None, target: str = "", **data) -> AuditEntry:
    """Record an audit entry in the current transaction (the caller commits)."""
    entry = AuditEntry(action=action, user=user, event_id=event.id if event is not None else None,
                       target=target, data=data)
    db.session.add(entry)
    return entry
