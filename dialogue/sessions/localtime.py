"""Wall-clock times at the venue: the hour the clocks skip when they go forward, and the hour they
show twice when they go back.

Times are typed as the venue's clocks show them and stored in UTC. A time in the skipped hour
(02:30 on 31 March 2024 in Europe/Paris) is no moment at all and is refused, naming the gap; a
time in the repeated hour (02:30 on 27 October 2024) is two moments an hour apart, and the user
chooses which one: `fold` 0 is the first (still summer time), 1 the second (PEP 495).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask_babel import gettext as _

from ..actions import DomainError
from ..formatting import format_locale


class LocalTimeError(DomainError):
    """A wall-clock time that is no moment (in a gap) or two moments (fold not chosen)."""


class NonexistentTime(LocalTimeError):
    """The clocks skip this time."""


class AmbiguousTime(LocalTimeError):
    """The clocks show this time twice; say which one with `fold`."""


def _offsets(value: datetime, zone: ZoneInfo) -> tuple[timedelta, timedelta]:
    """The UTC offsets of a wall-clock time read with fold 0 and with fold 1."""
    return (value.replace(tzinfo=zone, fold=0).utcoffset(), value.replace(tzinfo=zone, fold=1).utcoffset())


def exists(value: datetime, tz: str) -> bool:
    """Whether the clocks of `tz` ever show this naive time (False in the hour skipped in spring)."""
    zone = ZoneInfo(tz)
    back = value.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return back == value


def is_ambiguous(value: datetime, tz: str) -> bool:
    """Whether the clocks of `tz` show this naive time twice (the hour repeated in autumn)."""
    first, second = _offsets(value, ZoneInfo(tz))
    return first != second and exists(value, tz)


def transition(value: datetime, tz: str) -> tuple[datetime, datetime]:
    """For a time in a gap or a repeated hour: what the clocks read just before and just after they
    change, e.g. (02:00, 03:00) going forward, (03:00, 02:00) going back."""
    zone = ZoneInfo(tz)
    before, after = _offsets(value, zone)
    low, high = sorted((value - before, value - after))  # the change lies between, in UTC
    low, high = low.replace(tzinfo=UTC), high.replace(tzinfo=UTC)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    change = high.replace(tzinfo=None, microsecond=0)
    return change + before, change + after


def offset_label(offset: timedelta) -> str:
    """"UTC+2", "UTC-3", "UTC+5:30"."""
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def fold_choices(value: datetime | None, tz: str) -> list[tuple[str, str]]:
    """For a time the clocks show twice, the two readings to choose from as ("0", "first (UTC+2)"),
    ("1", "second (UTC+1)"); for any other time, []."""
    if value is None or not is_ambiguous(value, tz):
        return []
    first, second = _offsets(value, ZoneInfo(tz))
    return [("0", _("the first (%(offset)s)", offset=offset_label(first))),
            ("1", _("the second (%(offset)s)", offset=offset_label(second)))]


def _time(value: datetime) -> str:
    return format_time(value.time(), "short", locale=format_locale())


def to_utc(value: datetime, tz: str, fold: int | None = None, field: str | None = None) -> datetime:
    """A naive wall-clock time in `tz` as naive UTC for storage.

    Raises NonexistentTime for a time the clocks skip, and AmbiguousTime for one they show twice
    unless `fold` says which (0 the first, 1 the second); the messages name the change of the clocks
    in the user's language, and `field` says which form field they concern.
    """
    if not exists(value, tz):
        raise NonexistentTime(_("%(time)s does not exist on %(date)s in %(zone)s: the clocks go forward from "
                                "%(before)s to %(after)s.", **_details(value, tz)), field)
    if not is_ambiguous(value, tz):
        fold = 0
    elif fold not in (0, 1):
        raise AmbiguousTime(_("%(time)s happens twice on %(date)s in %(zone)s: the clocks go back from %(before)s "
                              "to %(after)s. Choose which %(time)s you mean.", **_details(value, tz)), field)
    return value.replace(tzinfo=ZoneInfo(tz), fold=fold).astimezone(UTC).replace(tzinfo=None)


def _details(value: datetime, tz: str) -> dict[str, str]:
    """The parts of a message about a change of the clocks, formatted in the user's language."""
    before, after = transition(value, tz)
    return {"time": _time(value), "date": format_date(value.date(), "long", locale=format_locale()), "zone": tz,
            "before": _time(before), "after": _time(after)}


def to_local(value: datetime, tz: str) -> datetime:
    """Naive UTC from storage as a naive wall-clock time in `tz`; its `fold` says which reading it is
    when the clocks show that time twice."""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
