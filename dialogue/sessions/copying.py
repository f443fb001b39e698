"""Copying the agenda: a session (as a prefilled form), a whole day, or an event from an earlier one.

Times move by whole days of the venue's calendar: 09:30 stays 09:30 on the new day even when the
clocks change in between (see `localtime`); a time the new day does not have is refused, naming it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..actions import DomainError
from ..extensions import db
from ..i18n import clean_translations, valid_timezone
from ..models import audit
from ..permissions import can_copy_event, can_organise, ensure
from . import clashes, localtime, services
from .models import CONCEPT_NOTE_FIELDS, Event, EventSlug, MeetingSession, Person, Room, SessionPerson


class CopyError(DomainError):
    """A copy that cannot be made, with a message for the user and the field it concerns."""


#: Longest session code (models.MeetingSession.code).
CODE_MAX = 20


def free_code(code: str, taken: set[str]) -> str:
    """`code` if no session has it, else `code-2`, `code-3`... (cut to fit 20 characters)."""
    if code not in taken:
        return code
    n = 2
    while True:
        tail = f"-{n}"
        candidate = code[:CODE_MAX - len(tail)] + tail
        if candidate not in taken:
            return candidate
        n += 1


def codes_of(event: Event) -> set[str]:
    """The codes the event's sessions use, in one query."""
    return set(db.session.scalars(select(MeetingSession.code).where(MeetingSession.event_id == event.id)))


def suggested_code(session: MeetingSession) -> str:
    """A code for a copy of `session` that no session of its event has."""
    return free_code(session.code, codes_of(session.event))


def shift(value: datetime, from_tz: str, to_tz: str, days: int, field: str, code: str) -> datetime:
    """Naive UTC `value` moved by `days` days of the wall clock (read in `from_tz`, written in `to_tz`)."""
    local = localtime.to_local(value, from_tz)
    moved = local + timedelta(days=days)
    try:
        return localtime.to_utc(moved.replace(fold=0), to_tz, local.fold, field)
    except localtime.LocalTimeError as error:
        raise CopyError(_("Session %(code)s: %(problem)s", code=code, problem=error.message), field) from None


def local_day(session: MeetingSession, tz: str) -> date:
    return localtime.to_local(session.starts_at, tz).date()


def _copy_fields(source: MeetingSession, target: MeetingSession) -> None:
    target.kind = source.kind
    target.title = dict(source.title)
    target.original_language = source.original_language
    target.capacity = source.capacity
    target.interpretation = list(source.interpretation or [])
    for name in CONCEPT_NOTE_FIELDS:
        setattr(target, name, dict(getattr(source, name) or {}))


@dataclass
class DayCopy:
    """What copying a day made: the new sessions' codes (old -> new), and the clashes they have."""

    codes: list[tuple[str, str]]
    conflicts: list[str]


def copy_day(event: Event, from_day: date, to_day: date, by) -> DayCopy:
    """Copy every session of `from_day` (in the event's zone; cancelled ones excepted) to `to_day`, with
    its room and people; codes already taken get a suffix. The copies' clashes are reported, not refused."""
    ensure(can_organise, by, event)
    if from_day == to_day:
        raise CopyError(_("Choose another day to copy to."), "to_day")
    if not event.starts_on <= to_day <= event.ends_on:
        raise CopyError(_("Choose a day of the event."), "to_day")
    tz = event.timezone
    sources = [s for s in services.agenda(event) if local_day(s, tz) == from_day and not s.is_cancelled]
    if not sources:
        raise CopyError(_("No session takes place on this day."), "from_day")
    taken = codes_of(event)
    days = (to_day - from_day).days
    made: list[tuple[MeetingSession, MeetingSession]] = []
    for s in sources:
        code = free_code(s.code, taken)
        taken.add(code)
        copy = MeetingSession(event=event, code=code, status="scheduled", sequence=0, room=s.room,
                              starts_at=shift(s.starts_at, tz, tz, days, "to_day", s.code),
                              ends_at=shift(s.ends_at, tz, tz, days, "to_day", s.code))
        _copy_fields(s, copy)
        copy.people = [SessionPerson(person=p.person, role=p.role, position=p.position) for p in s.people]
        db.session.add(copy)
        made.append((s, copy))
    db.session.flush()
    found = []
    for _s, copy in made:
        for clash in clashes.find_conflicts(event, clashes.Proposal.of(copy)):
            found.append(_clash_message(copy.code, clash, event))
    audit("session.copy_day", user=by, event=event, target=f"event:{event.id}", day=from_day.isoformat(),
          to=to_day.isoformat(), sessions=len(made))
    return DayCopy([(s.code, c.code) for s, c in made], list(dict.fromkeys(found)))


def _clash_message(code: str, clash: clashes.Clash, event: Event) -> str:
    if clash.kind == "room":
        room = db.session.get(Room, clash.record_id)
        return _("Sessions %(a)s and %(b)s use the room %(room)s at the same time.", a=clash.code, b=code,
                 room=clashes.room_name(room, event))
    return _("%(name)s is on sessions %(a)s and %(b)s, which overlap.", name=clash.person, a=clash.code, b=code)


def copy_event(source: Event, data: dict, by) -> Event:
    """A new draft event from `source`: its rooms, people directory and sessions with their concept
    notes, every session keeping its day and wall-clock time counted from the first day.

    `data`: slug, starts_on (the new first day), timezone (default the source's), title (optional,
    translated; default the source's). One transaction: the caller commits or rolls back.
    """
    ensure(can_copy_event, by, source)
    starts_on = data.get("starts_on")
    if not isinstance(starts_on, date):
        raise CopyError(_("Give the first day of the new event."), "starts_on")
    tz = valid_timezone(data.get("timezone") or source.timezone)
    if tz is None:
        raise CopyError(_("Choose a time zone from the list."), "timezone")
    title = clean_translations(data.get("title")) or dict(source.title)
    days = (starts_on - source.starts_on).days
    slug = _free_slug(data.get("slug"))
    event = Event(slug=slug, title=title, description=dict(source.description), venue=dict(source.venue),
                  original_language=source.original_language, starts_on=starts_on,
                  ends_on=source.ends_on + timedelta(days=days), timezone=tz, status="draft")
    db.session.add(event)
    db.session.flush()
    if by is not None and not by.is_admin:
        from ..auth import grant_role
        grant_role(by, event, "organiser")
    rooms = {}
    for room in services.directory.rooms_of(source):
        rooms[room.id] = Room(event=event, name=dict(room.name), capacity=room.capacity, booths=room.booths)
        db.session.add(rooms[room.id])
    people = {}
    for person in services.directory.people_of(source):
        # Delegations belong to the old event: the copy's people have none.
        people[person.id] = Person(event=event, name=person.name, title=person.title,
                                   organisation=person.organisation, gender=person.gender, email=person.email)
        db.session.add(people[person.id])
    sessions = services.agenda(source)
    for s in sessions:
        copy = MeetingSession(event=event, code=s.code, status=s.status, sequence=0,
                              room=rooms.get(s.room_id),
                              starts_at=shift(s.starts_at, source.timezone, tz, days, "starts_on", s.code),
                              ends_at=shift(s.ends_at, source.timezone, tz, days, "starts_on", s.code))
        _copy_fields(s, copy)
        copy.people = [SessionPerson(person=people[p.person_id], role=p.role, position=p.position)
                       for p in s.people]
        db.session.add(copy)
    db.session.flush()
    audit("event.copy", user=by, event=event, target=f"event:{event.id}", source=source.slug,
          sessions=len(sessions), rooms=len(rooms), people=len(people))
    return event


def _free_slug(value) -> str:
    """The address asked for, if it is well formed and no event has or had it."""
    slug = (value or "").strip().lower()
    if not services.SLUG_RE.match(slug):
        raise CopyError(_("Use lower-case letters, digits and hyphens (2 to 80)."), "slug")
    if db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise CopyError(_("Another event already uses this address."), "slug")
    if db.session.scalar(select(EventSlug.id).where(EventSlug.slug == slug)) is not None:
        raise CopyError(_("Another event used this address before and its links still lead there: "
                          "choose another one."), "slug")
    return slug


def suggested_slug(source: Event, starts_on: date | None = None) -> str:
    """An address for a copy of `source`: its slug with the new year, or with a number, unused."""
    base = source.slug
    year = str(source.starts_on.year)
    if starts_on is not None and year in base:
        base = base.replace(year, str(starts_on.year))
    taken = set(db.session.scalars(select(Event.slug))) | set(db.session.scalars(select(EventSlug.slug)))
    if base not in taken:
        return base
    n = 2
    while f"{base[:75]}-{n}" in taken:
        n += 1
    return f"{base[:75]}-{n}"


