"""Events and the sessions of their agenda."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm import Session as OrmSession

from ..extensions import db
from ..jobs.engine import publish_after_commit
from ..models import TimestampMixin, utcnow

EVENT_STATUSES = ("draft", "published")
SESSION_KINDS = ("plenary", "working", "regional_dialogue", "side_event")
PERSON_ROLES = ("chair", "moderator", "speaker", "panelist", "contact")
GENDERS = ("female", "male", "other", "undisclosed")
SESSION_STATUSES = ("scheduled", "cancelled")
#: Translated concept-note fields of a session, in the order a concept note has them.
CONCEPT_NOTE_FIELDS = ("context", "purpose", "objectives", "expected_results", "deliverable")


class Event(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable public identifier in URLs.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: Translated: {"fr": ..., "es": ..., "en": ...}.
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    venue: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Language the texts were written in, the fallback for missing translations.
    original_language: Mapped[str] = mapped_column(String(5), default="en")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: IANA time zone of the venue; session times are shown in it by default.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    status: Mapped[str] = mapped_column(String(12), default="draft")
    #: Bumped on every change to the event or its agenda: the key of rendered pages and exports.
    revision: Mapped[int] = mapped_column(default=1)
    #: When the organisers published the provisional list of participants; None while it is private.
    participants_published_at: Mapped[datetime | None]

    sessions: Mapped[list[MeetingSession]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="(MeetingSession.starts_at, MeetingSession.code)")
    former_slugs: Mapped[list[EventSlug]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventSlug.id")

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventSlug(db.Model):
    """A former address of an event: its URLs keep working and redirect to the current one."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: Unique across events: no other event may take it.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="former_slugs")


class MeetingSession(TimestampMixin, db.Model):
    """A session of a meeting (called so to keep clear of database and HTTP sessions)."""

    __tablename__ = "meeting_session"
    __table_args__ = (UniqueConstraint("event_id", "code", name="uq_meeting_session_event_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: Short code, unique in the event and used in URLs: "PL1", "WS07", "RD-LAC".
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="plenary")
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    original_language: Mapped[str] = mapped_column(String(5), default="en")
    room: Mapped[str] = mapped_column(String(120), default="")
    #: Naive UTC; shown in the event's time zone or the viewer's.
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]
    #: Interpretation languages, e.g. ["en", "es", "fr"].
    interpretation: Mapped[list] = mapped_column(JSON, default=list)
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    purpose: Mapped[dict] = mapped_column(JSON, default=dict)
    objectives: Mapped[dict] = mapped_column(JSON, default=dict)
    expected_results: Mapped[dict] = mapped_column(JSON, default=dict)
    deliverable: Mapped[dict] = mapped_column(JSON, default=dict)
    #: "scheduled" or "cancelled": a cancelled session stays on the agenda and in calendars, marked.
    status: Mapped[str] = mapped_column(String(12), default="scheduled", server_default="scheduled")
    #: iCalendar SEQUENCE: raised by the services whenever what a calendar shows of the session
    #: (times, room, code, title, purpose, kind, status) changes; not for people or other texts.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    event: Mapped[Event] = relationship(back_populates="sessions")
    people: Mapped[list[SessionPerson]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="(SessionPerson.position, SessionPerson.id)")

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    def __repr__(self) -> str:
        return f"<MeetingSession {self.code}>"


class SessionPerson(db.Model):
    """Someone on a session's programme (chair, moderator, speaker, panelist) or its contact."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_session.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    #: Function and institution, e.g. "Director, Peruvian Agency for International Cooperation".
    organisation: Mapped[str] = mapped_column(String(300), default="")
    gender: Mapped[str] = mapped_column(String(12), default="undisclosed")
    #: Shown only for contacts: the public address a concept note gives.
    email: Mapped[str] = mapped_column(String(254), default="")
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[MeetingSession] = relationship(back_populates="people")


@sa_event.listens_for(OrmSession, "before_flush")
def _bump_event_revision(session: OrmSession, flush_context, instances) -> None:
    """Any change to an event, its sessions or their people invalidates rendered agendas."""
    touched: set[Event] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Event):
            if obj in session.dirty and not session.is_modified(obj, include_collections=False):
                continue
            touched.add(obj)
        elif isinstance(obj, MeetingSession):
            event = obj.event or (session.get(Event, obj.event_id) if obj.event_id else None)
            if event is not None:
                touched.add(event)
        elif isinstance(obj, SessionPerson):
            sess = obj.session or (session.get(MeetingSession, obj.session_id) if obj.session_id else None)
            if sess is not None and sess.event is not None:
                touched.add(sess.event)
    for ev in touched:
        if ev.id is not None and ev not in session.new:
            ev.revision = (ev.revision or 0) + 1
            # Agenda PDFs someone asked for are made again once this change commits.
            publish_after_commit(session, "dialogue.refresh_agenda_pdfs", ev.id)
