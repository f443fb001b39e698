"""Events and the sessions of their agenda."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime

from anyascii import anyascii
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm import Session as OrmSession

from ..extensions import db
from ..jobs.engine import publish_after_commit
from ..models import TimestampMixin, User, utcnow

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
    rooms: Mapped[list[Room]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Room.id")
    #: The people directory (chairs, speakers, contacts of its sessions).
    directory: Mapped[list[Person]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Person.name")
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
    #: Where it takes place: one of the event's rooms (None: not decided yet).
    room_id: Mapped[int | None] = mapped_column(ForeignKey("room.id", ondelete="RESTRICT"), index=True)
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
    #: Most words a key message of the session may have in each language (set by the organisers); None: no limit.
    key_message_word_limit: Mapped[int | None]
    #: When an organiser put the session in the bin (None: on the agenda); see sessions/bin.py.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The session was on the published agenda when it was binned: calendars keep it, cancelled.
    deleted_public: Mapped[bool] = mapped_column(default=False, server_default="0")
    deleted_by: Mapped[User | None] = relationship()

    event: Mapped[Event] = relationship(back_populates="sessions")
    room: Mapped[Room | None] = relationship()
    people: Mapped[list[SessionPerson]] = relationship(
        back_populates="session", cascade="all, delete-orphan",
        order_by="(SessionPerson.position, SessionPerson.id)")

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def is_binned(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<MeetingSession {self.code}>"


class Room(db.Model):
    """A room of the event's venue, picked on sessions: conflicts compare rooms, not typed names."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: Translated: {"fr": "Salle XVIII", "es": "Sala XVIII", "en": "Room XVIII"}; falls back to the
    #: event's original language.
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Seats, if known.
    capacity: Mapped[int | None]
    #: Interpretation booths the room has (0: none).
    booths: Mapped[int] = mapped_column(default=0, server_default="0")

    event: Mapped[Event] = relationship(back_populates="rooms")

    def __str__(self) -> str:
        """The name in the event's original language (or any): for logs and plain text."""
        original = self.event.original_language if self.event is not None else "en"
        return self.name.get(original) or next((v for v in self.name.values() if v), "")

    def __repr__(self) -> str:
        return f"<Room {self.id}>"


class Person(db.Model):
    """Someone in the event's people directory: chairs, speakers and contacts of sessions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Function or title, e.g. "Executive Director".
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: Institution, e.g. "Peruvian Agency for International Cooperation".
    organisation: Mapped[str] = mapped_column(String(300), default="", server_default="")
    gender: Mapped[str] = mapped_column(String(12), default="undisclosed", server_default="undisclosed")
    #: Shown publicly only where the person is a session's contact.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    #: The delegation the person belongs to, if any (a table of the delegates domain).
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id", ondelete="SET NULL"), index=True)
    #: Name, title, organisation and email as the directory's search compares them (`search_key`):
    #: the same on SQLite and PostgreSQL, whatever the case or accents ("lopez" finds "López").
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    event: Mapped[Event] = relationship(back_populates="directory")

    @property
    def affiliation(self) -> str:
        """Title and organisation as one line: "Executive Director, APCI"."""
        return ", ".join(part for part in (self.title, self.organisation) if part)

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


def search_key(text: str | None) -> str:
    """Text as searches compare it: case, accents and script folded to lower-case ASCII words
    ("ÉLODIE Łukasz İnce 王" is "elodie lukasz ince wang"), one space between them."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(anyascii(folded).lower().split())


@sa_event.listens_for(Person, "before_insert")
@sa_event.listens_for(Person, "before_update")
def _set_search_text(_mapper, _connection, person: Person) -> None:
    person.search_text = search_key(" ".join((person.name or "", person.title or "", person.organisation or "",
                                              person.email or "")))


class SessionPerson(db.Model):
    """A person of the directory on a session's programme (chair, moderator, speaker, panelist) or
    its contact, in the order the programme lists them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("meeting_session.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[MeetingSession] = relationship(back_populates="people")
    person: Mapped[Person] = relationship()

    # Read through to the directory record, so pages and exports read `p.name` as before.
    @property
    def name(self) -> str:
        return self.person.name

    @property
    def organisation(self) -> str:
        """Title and organisation, as the programme prints them."""
        return self.person.affiliation

    @property
    def gender(self) -> str:
        return self.person.gender

    @property
    def email(self) -> str:
        return self.person.email


@sa_event.listens_for(OrmSession, "before_flush")
def _bump_event_revision(session: OrmSession, flush_context, instances) -> None:
    """Any change to an event, its sessions, their people, its rooms or directory invalidates rendered agendas."""
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
        elif isinstance(obj, (Room, Person)):
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
