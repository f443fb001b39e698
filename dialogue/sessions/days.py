"""The agenda's days in a time zone: sessions grouped by local day, in slots of overlap, a session past
midnight under each day it covers. Pure functions over loaded sessions (no query)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .models import MeetingSession


@dataclass
class Day:
    """One day of the agenda in a given time zone, with its sessions in slots of overlap.

    A session that runs past midnight stands under each day it covers: `continued_from` and
    `continues_until` say so for the days after its first and before its last.
    """

    day: date
    slots: list[list[MeetingSession]] = field(default_factory=list)
    #: {session: local day it began} for sessions that began before this day.
    since: dict = field(default_factory=dict)
    #: {session: local day it ends} for sessions that go on after this day.
    until: dict = field(default_factory=dict)

    def continued_from(self, session: MeetingSession) -> date | None:
        """The local day `session` began on, when it began before this day."""
        return self.since.get(session)

    def continues_until(self, session: MeetingSession) -> date | None:
        """The local day `session` ends on, when it ends after this day."""
        return self.until.get(session)


#: A session is listed under at most this many days (a year), whatever its length.
MAX_DAYS_SPANNED = 366


def _local_days(session: MeetingSession, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last local day `session` takes place on (one ending at midnight does not
    take place on the day that begins then)."""
    start = session.starts_at.replace(tzinfo=UTC).astimezone(zone)
    end = session.ends_at.replace(tzinfo=UTC).astimezone(zone)
    last = end.date()
    if last > start.date() and end.time() == time():
        last -= timedelta(days=1)
    return start.date(), max(last, start.date())


def by_day(sessions: list[MeetingSession], tz: str) -> list[Day]:
    """Group sessions (in start order) by local day in `tz`; sessions that overlap in time share a
    slot (parallel). A session past midnight is listed under each day it covers, first among that
    day's (it began before the others), marked as continued. No query: the agenda is already loaded."""
    zone = ZoneInfo(tz)
    found: dict[date, Day] = {}
    members: dict[date, list[MeetingSession]] = {}
    for s in sessions:
        first, last = _local_days(s, zone)
        for i in range(min((last - first).days, MAX_DAYS_SPANNED - 1) + 1):
            local_day = first + timedelta(days=i)
            day = found.get(local_day) or found.setdefault(local_day, Day(local_day))
            if local_day > first:
                day.since[s] = first
            if local_day < last:
                day.until[s] = last
            members.setdefault(local_day, []).append(s)
    days = [found[d] for d in sorted(found)]
    for day in days:
        day.slots = _slots(members[day.day])
    return days


def _slots(sessions: list[MeetingSession]) -> list[list[MeetingSession]]:
    """Sessions of one day (in start order) in slots: those that overlap in time share one."""
    slots: list[list[MeetingSession]] = []
    slot_end: datetime | None = None
    for s in sessions:
        if slot_end is not None and s.starts_at < slot_end:
            slots[-1].append(s)
            slot_end = max(slot_end, s.ends_at)
        else:
            slots.append([s])
            slot_end = s.ends_at
    return slots
