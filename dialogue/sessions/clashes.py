"""Conflicts of the agenda: a room booked twice, a person in two places, a session outside the
dates, more delegates registered for a session than its room seats.

They compare records (room and person ids), never typed names. `conflicts` sweeps a whole agenda;
`find_conflicts` answers, before a session is saved, which clashes its new state would have.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..actions import DomainError
from ..extensions import db
from ..formatting import current_lang
from ..i18n import pick
from . import directory, localtime
from .models import Event, MeetingSession, Room, SessionPerson


def room_name(room: Room | None, event: Event, lang: str | None = None) -> str:
    """A room's name in `lang` (default the page's), falling back to the event's language."""
    if room is None:
        return ""
    return pick(room.name, lang or current_lang(), event.original_language).text


@dataclass(frozen=True)
class Conflict:
    """One clash on the agenda, between the sessions `codes` (or one session outside the dates)."""

    kind: str  # "room" | "person" | "outside" | "capacity"
    codes: tuple[str, ...]
    #: The person's name for "person"; "" otherwise.
    detail: str = ""
    room: Room | None = None
    event: Event | None = None
    #: Delegates registered for the session ("capacity").
    registered: int = 0

    @property
    def message(self) -> str:
        if self.kind == "room":
            return _("Sessions %(a)s and %(b)s use the room %(room)s at the same time.",
                     a=self.codes[0], b=self.codes[1], room=room_name(self.room, self.event))
        if self.kind == "person":
            return _("%(name)s is on sessions %(a)s and %(b)s, which overlap.",
                     name=self.detail, a=self.codes[0], b=self.codes[1])
        if self.kind == "capacity":
            return capacity_message(self.registered, self.codes[0], room_name(self.room, self.event),
                                    self.room.capacity)
        return _("Session %(code)s is outside the dates of the event.", code=self.codes[0])


def _programme(s: MeetingSession) -> dict[int, str]:
    """{person id: name} of the people whose time a session takes (contacts' is not)."""
    return {p.person_id: p.person.name for p in s.people if p.role != "contact"}


def conflicts(event: Event, sessions: list[MeetingSession]) -> list[Conflict]:
    """Room double-bookings, people in two overlapping sessions, sessions outside the dates
    (cancelled sessions take no room and nobody's time).

    Sweeps the sessions in start order, so it stays fast for a thousand sessions; `sessions` come
    with their room and people loaded (`services.agenda`).
    """
    sessions = sorted((s for s in sessions if not s.is_cancelled), key=lambda s: s.starts_at)
    found: list[Conflict] = []
    zone = ZoneInfo(event.timezone)
    active: list[MeetingSession] = []
    for s in sessions:
        start_day = s.starts_at.replace(tzinfo=UTC).astimezone(zone).date()
        end_day = s.ends_at.replace(tzinfo=UTC).astimezone(zone).date()
        if start_day < event.starts_on or end_day > event.ends_on:
            found.append(Conflict("outside", (s.code,)))
        active = [a for a in active if a.ends_at > s.starts_at]
        mine = _programme(s)
        for other in active:
            if s.room_id is not None and s.room_id == other.room_id:
                found.append(Conflict("room", (other.code, s.code), room=s.room, event=event))
            for person_id, name in _programme(other).items():
                if person_id in mine:
                    found.append(Conflict("person", (other.code, s.code), name))
        active.append(s)
    return found


def capacity_message(registered: int, code: str, room: str, seats: int) -> str:
    """"12 delegates are registered for PL2, more than Room A seats (10)." """
    return ngettext("%(num)d delegate is registered for %(code)s, more than %(room)s seats (%(seats)d).",
                    "%(num)d delegates are registered for %(code)s, more than %(room)s seats (%(seats)d).",
                    registered, code=code, room=room, seats=seats)


def registered_counts(event: Event) -> dict[int, int]:
    """{session id: delegates (nominated or accredited) registered for it}, in one query."""
    from ..delegates.models import ACTIVE_STATUSES, Delegate, SessionRegistration
    rows = db.session.execute(select(SessionRegistration.session_id, func.count()).join(Delegate).where(
        Delegate.event_id == event.id, Delegate.status.in_(ACTIVE_STATUSES)).group_by(SessionRegistration.session_id))
    return dict(rows.all())


def registered_count_column():
    """The registered delegates of each MeetingSession a query selects, as a column of that query."""
    from ..delegates.models import ACTIVE_STATUSES, Delegate, SessionRegistration
    return (select(func.count()).select_from(SessionRegistration).join(Delegate)
            .where(SessionRegistration.session_id == MeetingSession.id, Delegate.status.in_(ACTIVE_STATUSES))
            .correlate(MeetingSession).scalar_subquery())


def over_capacity(event: Event, sessions: list[MeetingSession], registered: dict[int, int]) -> list[Conflict]:
    """Sessions (not cancelled) with more delegates registered than their room has seats."""
    return [Conflict("capacity", (s.code,), room=s.room, event=event, registered=registered[s.id])
            for s in sessions if not s.is_cancelled and s.room is not None and s.room.capacity
            and registered.get(s.id, 0) > s.room.capacity]


# --- before a save ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Proposal:
    """What a session would be, as far as conflicts go: its times (naive UTC), room and people."""

    session_id: int | None
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    #: Ids of the people whose time it takes (not its contacts).
    person_ids: frozenset[int]
    cancelled: bool = False

    @classmethod
    def of(cls, session: MeetingSession) -> Proposal:
        """A stored session as it is now."""
        return cls(session.id, session.starts_at, session.ends_at, session.room_id,
                   frozenset(p.person_id for p in session.people if p.role != "contact"), session.is_cancelled)


@dataclass(frozen=True)
class Clash:
    """A clash a session would have with another one: plain values, readable after a rollback."""

    kind: str  # "room" | "person"
    other_id: int
    code: str
    title: dict
    original_language: str
    starts_at: datetime
    ends_at: datetime
    #: The room's translated name ("room"), or the person's name ("person").
    room: dict
    person: str = ""
    #: The record the two sessions share: a room id or a person id.
    record_id: int = 0
    #: "capacity": delegates registered for the session, and the seats of its room.
    registered: int = 0
    seats: int = 0

    @property
    def key(self) -> tuple:
        return (self.kind, self.other_id, self.record_id)


def find_conflicts(event: Event, proposal: Proposal | dict, session: MeetingSession | None = None) -> list[Clash]:
    """The clashes a session in the state `proposal` has with the other sessions of the event:
    same room or same person at overlapping times. One query whatever the agenda's size.

    `proposal` may also be data as `services.save_session` takes it (wall-clock times in the
    event's zone, a room name or id, people rows), for imports and copies that check rows before
    saving; `session` is then the session the data would change, if any. Unusable data raises
    a DomainError naming its field.
    """
    if isinstance(proposal, dict):
        proposal = _proposal(event, proposal, session)
    if proposal.cancelled or (proposal.room_id is None and not proposal.person_ids):
        return []
    shares = []
    if proposal.room_id is not None:
        shares.append(MeetingSession.room_id == proposal.room_id)
    if proposal.person_ids:
        shares.append(MeetingSession.id.in_(select(SessionPerson.session_id).where(
            SessionPerson.person_id.in_(proposal.person_ids), SessionPerson.role != "contact")))
    query = (select(MeetingSession).where(
        MeetingSession.event_id == event.id, MeetingSession.status != "cancelled", MeetingSession.deleted_at.is_(None),
        MeetingSession.starts_at < proposal.ends_at, MeetingSession.ends_at > proposal.starts_at, or_(*shares))
        .options(joinedload(MeetingSession.room),
                 selectinload(MeetingSession.people).joinedload(SessionPerson.person))
        .order_by(MeetingSession.starts_at, MeetingSession.code))
    if proposal.session_id is not None:
        query = query.where(MeetingSession.id != proposal.session_id)
    found: list[Clash] = []
    for other in db.session.scalars(query).unique():
        base = {"other_id": other.id, "code": other.code, "title": dict(other.title),
                    "original_language": other.original_language, "starts_at": other.starts_at,
                    "ends_at": other.ends_at, "room": dict(other.room.name) if other.room else {}}
        if proposal.room_id is not None and other.room_id == proposal.room_id:
            found.append(Clash("room", record_id=other.room_id, **base))
        for person_id, name in _programme(other).items():
            if person_id in proposal.person_ids:
                found.append(Clash("person", person=name, record_id=person_id, **base))
    return found


def _proposal(event: Event, data: dict, session: MeetingSession | None) -> Proposal:
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is None or ends is None:
        raise DomainError(_("Give the start and the end."), "starts_at")
    room = directory.resolve_room(event, data)
    people = directory.resolve_people(event, data.get("people") or [])
    fold = {name: int(data[name]) if str(data.get(name)) in ("0", "1") else None
            for name in ("starts_at_fold", "ends_at_fold")}
    return Proposal(None if session is None else session.id,
                    localtime.to_utc(starts, event.timezone, fold["starts_at_fold"], "starts_at"),
                    localtime.to_utc(ends, event.timezone, fold["ends_at_fold"], "ends_at"),
                    None if room is None else room.id,
                    frozenset(p.id for p, role in people if role != "contact"))


def too_small(proposal: Proposal) -> list[Clash]:
    """A "capacity" clash when more delegates are registered for the session than its room in
    `proposal` seats (a new session has nobody registered yet)."""
    if proposal.session_id is None or proposal.room_id is None or proposal.cancelled:
        return []
    room = db.session.get(Room, proposal.room_id)
    if room is None or not room.capacity:
        return []
    from ..delegates.models import ACTIVE_STATUSES, Delegate, SessionRegistration
    registered = db.session.scalar(select(func.count()).select_from(SessionRegistration).join(Delegate).where(
        SessionRegistration.session_id == proposal.session_id, Delegate.status.in_(ACTIVE_STATUSES))) or 0
    if registered <= room.capacity:
        return []
    return [Clash("capacity", 0, "", {}, "", proposal.starts_at, proposal.ends_at, dict(room.name),
                  record_id=room.id, registered=registered, seats=room.capacity)]


def new_conflicts(event: Event, proposal: Proposal, before: Proposal | None) -> list[Clash]:
    """The clashes `proposal` would create: those it has that the session did not have `before`
    (the room's seats included)."""
    found = find_conflicts(event, proposal) + too_small(proposal)
    if before is None or not found:
        return found
    known = {c.key for c in find_conflicts(event, before) + too_small(before)}
    return [c for c in found if c.key not in known]


def signature(clashes: list[Clash]) -> str:
    """A short fingerprint of a set of clashes: "Save anyway" confirms exactly the clashes it was
    shown with, so a form sent again after other changes (or with Enter) is checked again."""
    keys = ",".join(sorted(f"{kind}:{other}:{record}" for kind, other, record in (c.key for c in clashes)))
    return hashlib.sha256(keys.encode()).hexdigest()[:16]


class ConflictsFound(DomainError):
    """Saving would create conflicts; the organiser may save anyway or change the session."""

    status = 409

    def __init__(self, clashes: list[Clash]):
        super().__init__(_("This change would create conflicts."))
        self.clashes = clashes
        self.signature = signature(clashes)
