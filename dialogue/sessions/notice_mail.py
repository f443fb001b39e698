"""The words of a change notice: one mail listing what changed in each of a person's sessions."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for
from flask_babel import force_locale, get_locale, gettext, ngettext

from ..formatting import fmt_date_local, fmt_datetime, fmt_time, to_zone
from ..i18n import pick
from ..mail import send_mail
from .models import Event, MeetingSession


def _utc(value) -> datetime | None:
    """A time as the history keeps it (naive-UTC ISO text) back as a datetime."""
    if isinstance(value, datetime) or value is None:
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def when(starts: datetime | None, ends: datetime | None, tz: str) -> str:
    """"Tuesday 13 December 2022, 14:00–15:30" in `tz`, in the current language."""
    if starts is None:
        return "—"
    if ends is None:
        return gettext("%(date)s, %(start)s", date=fmt_date_local(starts, tz), start=fmt_time(starts, tz))
    if to_zone(starts, tz).date() == to_zone(ends, tz).date():
        return gettext("%(date)s, %(start)s–%(end)s", date=fmt_date_local(starts, tz),
                       start=fmt_time(starts, tz), end=fmt_time(ends, tz))
    return f"{fmt_datetime(starts, tz, 'medium')} – {fmt_datetime(ends, tz, 'medium')}"


def change_lines(session: MeetingSession, changes: dict, tz: str) -> list[str]:
    """What changed of one session, a line each, in the current language (times in `tz`)."""
    lines = []
    if "starts_at" in changes or "ends_at" in changes:
        old_start = _utc(changes["starts_at"][0]) if "starts_at" in changes else session.starts_at
        old_end = _utc(changes["ends_at"][0]) if "ends_at" in changes else session.ends_at
        new_start = _utc(changes["starts_at"][1]) if "starts_at" in changes else session.starts_at
        new_end = _utc(changes["ends_at"][1]) if "ends_at" in changes else session.ends_at
        lines.append(gettext("Time: %(old)s → %(new)s", old=when(old_start, old_end, tz),
                             new=when(new_start, new_end, tz)))
    if "room" in changes:
        old, new = (pick(value, str(get_locale())).text if isinstance(value, dict) else value for value in changes["room"])
        lines.append(gettext("Room: %(old)s → %(new)s", old=old or "—", new=new or "—"))
    if "status" in changes:
        lines.append(gettext("This session is cancelled.") if changes["status"][1] == "cancelled"
                     else gettext("This session takes place again as planned."))
    if "binned" in changes:
        lines.append(gettext("This session is removed from the agenda.") if changes["binned"][1]
                     else gettext("This session is back on the agenda."))
    return lines


def _link(event: Event, lang: str, session: MeetingSession | None = None) -> str:
    base = current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/")
    with current_app.test_request_context():
        if session is None or session.is_binned:
            path = url_for("sessions.event", lang=lang, slug=event.slug)
        else:
            path = url_for("sessions.session", lang=lang, slug=event.slug, code=session.code)
    return base + path


def compose(event: Event, email: str, lang: str, items: list[tuple[MeetingSession, dict]]):
    """Write one notice to the outbox for `email`, in `lang`, about these sessions and their changes."""
    with force_locale(lang):
        title = pick(event.title, lang, event.original_language).text
        blocks = []
        for session, changes in items:
            name = pick(session.title, lang, session.original_language).text
            lines = "\n".join(f"- {line}" for line in change_lines(session, changes, event.timezone))
            blocks.append(f"{session.code} · {name}\n{lines}\n{_link(event, lang, session)}")
        subject = ngettext("%(event)s: a change to %(num)d session",
                           "%(event)s: changes to %(num)d sessions", len(items), event=title)
        body = ngettext(
            "Hello,\n\nThe organisers of %(event)s changed a session you take part in. "
            "Times are in the event's time zone, %(zone)s.\n\n%(changes)s\n\nThe agenda: %(agenda)s",
            "Hello,\n\nThe organisers of %(event)s changed %(num)d sessions you take part in. "
            "Times are in the event's time zone, %(zone)s.\n\n%(changes)s\n\nThe agenda: %(agenda)s",
            len(items), event=title, zone=event.timezone, changes="\n\n".join(blocks),
            agenda=_link(event, lang))
    return send_mail(email, subject, body, event)
