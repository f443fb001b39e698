"""The agenda as iCalendar and as JSON."""
from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from icalendar import Calendar, vText
from icalendar import Event as VEvent

from ..i18n import pick
from .models import Event, MeetingSession

#: The right-hand side of every UID: fixed, so neither a new address of the event nor of the site
#: makes calendars see new events.
UID_DOMAIN = "dialogue"


def session_uid(session: MeetingSession) -> str:
    """Stable across edits, renamed events and exports: built from the database id only."""
    return f"session-{session.id}@{UID_DOMAIN}"


def _aware(value, tz: str):
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))


def to_ical(event: Event, sessions: list[MeetingSession], lang: str, url_for_session) -> bytes:
    """A VCALENDAR of the sessions, with the event's VTIMEZONE and summaries in `lang`.

    Cancelled (and binned) sessions stay in it with STATUS:CANCELLED (a subscribed calendar then shows them so
    instead of silently dropping them); SEQUENCE is the session's `sequence`, DTSTAMP and
    LAST-MODIFIED its `updated_at`.
    """
    cal = Calendar()
    cal.add("prodid", "-//dialogue//agenda//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", pick(event.title, lang, event.original_language).text)
    cal.add("x-wr-timezone", event.timezone)
    for s in sessions:
        item = VEvent()
        item.add("uid", session_uid(s))
        item.add("sequence", s.sequence or 0)
        item.add("status", "CANCELLED" if s.is_cancelled or s.is_binned else "CONFIRMED")
        item.add("dtstamp", s.updated_at.replace(tzinfo=UTC))
        item.add("last-modified", s.updated_at.replace(tzinfo=UTC))
        item.add("dtstart", _aware(s.starts_at, event.timezone))
        item.add("dtend", _aware(s.ends_at, event.timezone))
        title = pick(s.title, lang, s.original_language)
        item.add("summary", f"{s.code} · {title.text}")
        if title.fallback:
            item["summary"].params["LANGUAGE"] = title.lang
        else:
            item["summary"].params["LANGUAGE"] = lang
        purpose = pick(s.purpose, lang, s.original_language).text
        url = url_for_session(s)
        item.add("description", "\n\n".join(part for part in (purpose, url) if part))
        if s.room is not None:
            item.add("location", vText(pick(s.room.name, lang, event.original_language).text))
        item.add("url", url)
        item.add("categories", [s.kind])
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


def event_json(event: Event) -> dict:
    return {
        "slug": event.slug,
        "title": event.title,
        "description": event.description,
        "venue": event.venue,
        "original_language": event.original_language,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "timezone": event.timezone,
        "revision": event.revision,
    }


def session_json(event: Event, s: MeetingSession) -> dict:
    return {
        "code": s.code,
        "kind": s.kind,
        "status": s.status,
        "title": s.title,
        "original_language": s.original_language,
        # The name in the event's language, as before rooms were records; all three are in "rooms".
        "room": "" if s.room is None else pick(s.room.name, event.original_language, event.original_language).text,
        "room_id": s.room_id,
        "starts_at": _aware(s.starts_at, event.timezone).isoformat(),
        "ends_at": _aware(s.ends_at, event.timezone).isoformat(),
        "capacity": s.capacity,
        "interpretation": s.interpretation,
        "concept_note": {
            "context": s.context, "purpose": s.purpose, "objectives": s.objectives,
            "expected_results": s.expected_results, "deliverable": s.deliverable,
        },
        "people": [
            {"id": p.person_id, "role": p.role, "name": p.person.name, "organisation": p.person.affiliation,
             **({"email": p.person.email} if p.role == "contact" and p.person.email else {})}
            for p in s.people
        ],
    }


def room_json(room) -> dict:
    """A room of the event's list: its name in the three languages, seats and interpretation booths."""
    return {"id": room.id, "name": room.name, "capacity": room.capacity, "booths": room.booths}
