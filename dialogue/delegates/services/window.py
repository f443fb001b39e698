"""The nomination window: when focal points may nominate, per-delegation extensions, the time left."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from flask_babel import gettext as _
from flask_babel import ngettext

from ...extensions import db
from ...formatting import fmt_date_local, fmt_time, format_locale
from ...models import audit, utcnow
from ...permissions import can_organise, ensure
from ...sessions.localtime import to_utc
from ...sessions.models import Event
from ..models import Delegation, NominationWindow
from .errors import DelegationError

#: The furthest an extension may go past the event's deadline.
MAX_EXTENSION = timedelta(days=366)


class WindowClosed(DelegationError):
    """Nominations are not open for this delegation now (not yet, or no longer)."""

    status = 409


@dataclass
class Window:
    """When one delegation may nominate: naive UTC bounds (None: no bound) and the event's zone."""

    opens_at: datetime | None
    closes_at: datetime | None
    timezone: str
    extended: bool = False

    def state(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.opens_at is not None and now < self.opens_at:
            return "not_yet"
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        return "open"


def event_window(event: Event) -> NominationWindow | None:
    return db.session.get(NominationWindow, event.id)


def window_for(delegation: Delegation, row: NominationWindow | None = None) -> Window:
    """The window of one delegation: the event's, with the delegation's extension if later."""
    row = row if row is not None else event_window(delegation.event)
    opens, closes = (row.opens_at, row.closes_at) if row is not None else (None, None)
    extended = False
    if delegation.deadline_extended_to is not None and (closes is None or delegation.deadline_extended_to > closes):
        closes, extended = delegation.deadline_extended_to, closes is not None
    return Window(opens, closes, delegation.event.timezone, extended)


def when(value: datetime, tz: str) -> str:
    """A deadline as focal points read it: "1 December 2026, 12:00 (Peru Time)", in the event's zone."""
    try:
        zone = get_timezone_location(ZoneInfo(tz), locale=format_locale())
    except (LookupError, ValueError):  # Babel lacks names for a few exotic zones
        zone = tz
    return f"{fmt_date_local(value, tz, 'long')}, {fmt_time(value, tz)} ({zone})"


def ensure_open(delegation: Delegation, by, now: datetime | None = None) -> None:
    """Refuse a nomination or a change outside the delegation's window; organisers may always act."""
    window = window_for(delegation)
    state = window.state(now)
    if state == "open" or can_organise(by, delegation.event):
        return
    if state == "not_yet":
        raise WindowClosed(_("Nominations open on %(date)s.", date=when(window.opens_at, window.timezone)), "")
    raise WindowClosed(_("The deadline for nominations was %(date)s: ask the organisers for an extension.",
                         date=when(window.closes_at, window.timezone)), "")


def time_left(delegation: Delegation, now: datetime | None = None, row: NominationWindow | None = None) -> dict | None:
    """What the focal point's page says about the deadline: None without one; else its `state`,
    the `deadline` in words and a plural-aware `left` ("3 days left", "closes in 5 hours")."""
    window = window_for(delegation, row)
    if window.opens_at is None and window.closes_at is None:
        return None
    now = now or utcnow()
    state = window.state(now)
    info = {"state": state, "extended": window.extended, "left": "",
            "deadline": when(window.closes_at, window.timezone) if window.closes_at else "",
            "opens": when(window.opens_at, window.timezone) if window.opens_at else ""}
    if state == "open" and window.closes_at is not None:
        seconds = (window.closes_at - now).total_seconds()
        if seconds >= 2 * 86400:
            days = int(seconds // 86400)
            info["left"] = ngettext("%(num)d day left", "%(num)d days left", days)
        elif seconds >= 3600:
            hours = int(seconds // 3600)
            info["left"] = ngettext("closes in %(num)d hour", "closes in %(num)d hours", hours)
        else:
            minutes = max(int(seconds // 60), 1)
            info["left"] = ngettext("closes in %(num)d minute", "closes in %(num)d minutes", minutes)
    return info


def _utc(value: datetime | None, tz: str, field: str) -> datetime | None:
    return to_utc(value, tz, 0, field) if value is not None else None


def save_window(event: Event, opens: datetime | None, closes: datetime | None, reminder_days: int | None,
                by) -> NominationWindow:
    """Set the event's nomination window from wall-clock times in its zone (organisers only)."""
    ensure(can_organise, by, event)
    opens_at, closes_at = _utc(opens, event.timezone, "opens_at"), _utc(closes, event.timezone, "closes_at")
    if opens_at and closes_at and closes_at <= opens_at:
        raise DelegationError(_("The deadline must come after the opening."), "closes_at")
    days = 7 if reminder_days is None else reminder_days
    if not 0 <= days <= 365:
        raise DelegationError(_("From 0 to 365 days."), "reminder_days")
    row = event_window(event)
    if row is None:
        row = NominationWindow(event_id=event.id)
        db.session.add(row)
    row.opens_at, row.closes_at, row.reminder_days = opens_at, closes_at, days
    audit("nominations.window", user=by, event=event, target=f"event:{event.id}",
          opens_at=opens_at.isoformat() if opens_at else None, closes_at=closes_at.isoformat() if closes_at else None,
          reminder_days=days)
    return row


def extend_deadline(delegation: Delegation, until: datetime | None, reason: str, by) -> None:
    """Give one delegation until `until` (wall-clock time in the event's zone) to nominate, with a
    reason kept in the audit log; None takes the extension back (organisers only)."""
    event = delegation.event
    ensure(can_organise, by, event)
    reason = (reason or "").strip()
    if until is None:
        delegation.deadline_extended_to, delegation.extension_reason = None, ""
        audit("nominations.extension_removed", user=by, event=event, target=f"delegation:{delegation.id}")
        return
    if not reason:
        raise DelegationError(_("Give the reason for the extension."), "reason")
    until_utc = to_utc(until, event.timezone, 0, "until")
    row = event_window(event)
    if row is not None and row.closes_at is not None:
        if until_utc <= row.closes_at:
            raise DelegationError(_("An extension must end after the deadline of the event."), "until")
        if until_utc > row.closes_at + MAX_EXTENSION:
            raise DelegationError(_("An extension can last at most a year."), "until")
    delegation.deadline_extended_to, delegation.extension_reason = until_utc, reason[:2000]
    audit("nominations.extension", user=by, event=event, target=f"delegation:{delegation.id}",
          until=until_utc.isoformat(), reason=delegation.extension_reason)
