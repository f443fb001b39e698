"""One day of the agenda by room: rooms as columns, quarter hours as rows, clashes marked.

A session that runs past midnight stands on each day it covers, marked as going on from the day
before or into the next one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from . import clashes, directory
from .models import Event, MeetingSession, Room
from .services import with_people

#: Minutes a row of the grid stands for.
STEP = 15


@dataclass
class Cell:
    """Sessions of one room that overlap, in one cell spanning from the first start to the last end."""

    sessions: list[MeetingSession]
    rowspan: int
    #: Two sessions (not cancelled) in the room at once.
    clash: bool = False


@dataclass
class Row:
    """A quarter hour: its local start, and per column a Cell that starts here, "" for an empty
    cell, or None where a cell from above spans it."""

    at: datetime
    cells: list = field(default_factory=list)


@dataclass
class Grid:
    day: date
    days: list[date]
    columns: list[Room | None]
    rows: list[Row]
    #: Person clashes of the day: {session code: [names]}.
    people_clashes: dict[str, list[str]]
    conflicts: list
    count: int
    #: Local start of the day and of the next: what began before or ends after them is "continued".
    midnight: datetime | None = None
    next_midnight: datetime | None = None
    #: Sessions with more delegates registered than their room seats: {session code: delegates}.
    over_capacity: dict[str, int] = field(default_factory=dict)

    def local(self, value: datetime, zone: str) -> datetime:
        """A naive UTC time of a session as the grid's wall clock reads it."""
        return _local(value, ZoneInfo(zone))

    def continued_from(self, session: MeetingSession, zone: str) -> date | None:
        """The local day a session began on, when it began before this day."""
        start = self.local(session.starts_at, zone)
        return start.date() if self.midnight is not None and start < self.midnight else None

    def continues_until(self, session: MeetingSession, zone: str) -> date | None:
        """The local day a session ends on, when it ends after this day."""
        end = self.local(session.ends_at, zone)
        return end.date() if self.next_midnight is not None and end > self.next_midnight else None

    @property
    def previous(self) -> date | None:
        i = self.days.index(self.day)
        return self.days[i - 1] if i > 0 else None

    @property
    def next(self) -> date | None:
        i = self.days.index(self.day)
        return self.days[i + 1] if i + 1 < len(self.days) else None


def event_days(event: Event) -> list[date]:
    """The days of the event, first to last (at most a year of them)."""
    span = min((event.ends_on - event.starts_on).days, 366)
    return [event.starts_on + timedelta(days=i) for i in range(max(span, 0) + 1)]


def pick_day(event: Event, value: str | None) -> date:
    """The day asked for (YYYY-MM-DD) when it is one of the event's, else the first day."""
    days = event_days(event)
    try:
        wanted = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return days[0]
    return wanted if wanted in days else days[0]


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def sessions_of_day(event: Event, day: date) -> tuple[list[MeetingSession], dict[int, int]]:
    """The sessions of the agenda (not the bin) that take place on `day` in the event's zone, those
    that began the day before or go on into the next included, with room and people, and {session
    id: delegates registered}: two queries."""
    zone = ZoneInfo(event.timezone)
    start = datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC).replace(tzinfo=None)
    where = [MeetingSession.event_id == event.id, MeetingSession.deleted_at.is_(None),
             MeetingSession.starts_at < end, (MeetingSession.ends_at > start) | (MeetingSession.starts_at >= start)]
    rows = db.session.execute(select(MeetingSession, clashes.registered_count_column()).where(*where)
                              .options(joinedload(MeetingSession.room))
                              .order_by(MeetingSession.starts_at, MeetingSession.code)).all()
    registered = {s.id: n for s, n in rows}
    return with_people([s for s, _n in rows], where), registered


def build(event: Event, day: date) -> Grid:
    """The grid of `day`: three queries (rooms, sessions, their people) whatever the data size."""
    zone = ZoneInfo(event.timezone)
    sessions, registered = sessions_of_day(event, day)
    rooms = directory.rooms_of(event)
    columns: list[Room | None] = list(rooms)
    if any(s.room_id is None for s in sessions):
        columns.append(None)
    found = clashes.conflicts(event, sessions) + clashes.over_capacity(event, sessions, registered)
    over = {c.codes[0]: c.registered for c in found if c.kind == "capacity"}
    people_clashes: dict[str, list[str]] = {}
    for c in found:
        if c.kind == "person":
            for code in c.codes:
                people_clashes.setdefault(code, [])
                if c.detail not in people_clashes[code]:
                    people_clashes[code].append(c.detail)
    midnight = datetime.combine(day, time())
    ends = midnight + timedelta(days=1)
    if not sessions:
        return Grid(day, event_days(event), columns, [], people_clashes, found, 0, midnight, ends, over)

    def slot(value: datetime, up: bool) -> int:
        minutes = (min(max(_local(value, zone), midnight), midnight + timedelta(days=1)) - midnight)
        whole, rest = divmod(int(minutes.total_seconds() // 60), STEP)
        return whole + (1 if up and rest else 0)

    first = min(slot(s.starts_at, False) for s in sessions) // (60 // STEP) * (60 // STEP)
    last = max(max(slot(s.ends_at, True), slot(s.starts_at, False) + 1) for s in sessions)
    rows = [Row(midnight + timedelta(minutes=STEP * i), [""] * len(columns)) for i in range(first, last)]
    index = {room.id: i for i, room in enumerate(rooms)}
    by_column: dict[int, list[MeetingSession]] = {}
    for s in sessions:
        by_column.setdefault(index[s.room_id] if s.room_id is not None else len(rooms), []).append(s)
    for col, items in by_column.items():
        for top, bottom, cluster in _clusters(items, slot):
            live = [s for s in cluster if not s.is_cancelled]
            clash = columns[col] is not None and any(
                a.ends_at > b.starts_at for i, a in enumerate(live) for b in live[i + 1:])
            rows[top - first].cells[col] = Cell(cluster, bottom - top, clash)
            for r in range(top + 1, bottom):
                rows[r - first].cells[col] = None
    return Grid(day, event_days(event), columns, rows, people_clashes, found, len(sessions), midnight, ends, over)


def _clusters(items: list[MeetingSession], slot) -> list[tuple[int, int, list[MeetingSession]]]:
    """(first row, row after the last, sessions) of the sessions of one column (in start order)
    that share a quarter hour, so each group fills one cell."""
    groups: list[tuple[int, int, list[MeetingSession]]] = []
    for s in items:
        top, bottom = slot(s.starts_at, False), max(slot(s.ends_at, True), slot(s.starts_at, False) + 1)
        if groups and top < groups[-1][1]:
            first, end, members = groups[-1]
            groups[-1] = (first, max(end, bottom), [*members, s])
        else:
            groups.append((top, bottom, [s]))
    return groups
