"""What the session form needs to pick rooms and people from the event's records, and the
suggestions its script asks for as the organiser types."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select

from ..extensions import db
from ..formatting import current_lang
from ..i18n import pick
from . import directory
from .models import Event, MeetingSession, Person, search_key


def room_label(room, event: Event) -> str:
    """A room as the picker shows it: its name in the page's language, and its seats."""
    name = pick(room.name, current_lang(), event.original_language).text
    if room.capacity:
        return _("%(name)s (%(seats)s seats)", name=name, seats=room.capacity)
    return name


def room_options(event: Event) -> list[tuple[str, str]]:
    """(value, label) of the rooms the room picker offers (a <datalist>): the name in the page's
    language, and the seats."""
    return [(pick(room.name, current_lang(), event.original_language).text, room_label(room, event))
            for room in directory.rooms_of(event)]


def room_value(session: MeetingSession) -> str:
    """The session's room as the picker writes it: its name in the page's language."""
    if session.room is None:
        return ""
    return pick(session.room.name, current_lang(), session.event.original_language).text


def people_options(event: Event) -> list[str]:
    """The labels the people picker offers (a <datalist>), one per person of the directory."""
    return [label for _person, label in directory.person_labels(directory.people_of(event))]


def programme_rows(event: Event, session: MeetingSession) -> list[dict]:
    """The session's people as rows of the form: role and the picker's label of the person."""
    labels = {p.id: label for p, label in directory.person_labels(directory.people_of(event))}
    return [{"role": p.role, "name": labels.get(p.person_id, p.person.name)} for p in session.people]


# --- suggestions as the organiser types (static/picker.js) ------------------------------------

#: Most names a suggestion answers with: the organiser types more to narrow them down.
MAX_SUGGESTIONS = 20


def suggest_people(event: Event, q: str | None, limit: int = MAX_SUGGESTIONS) -> list[dict]:
    """The people of the directory whose stored search key holds each word typed, whatever the
    case, accents or script ("lopez" finds María López), as {"value": the picker's label, "hint":
    organisation}: at most `limit`, by name, in two queries whatever the directory's size (the
    matches, then their namesakes, for the labels that tell namesakes apart)."""
    words = directory.search_filter(q)
    if not words:
        return []
    found = list(db.session.scalars(select(Person).where(Person.event_id == event.id, *words)
                                    .order_by(Person.name, Person.id).limit(limit)))
    if not found:
        return []
    keys = {search_key(p.name) for p in found}
    namesakes = db.session.scalars(select(Person).where(
        Person.event_id == event.id, Person.id.not_in([p.id for p in found]),
        or_(*(or_(Person.search_text == key, Person.search_text.startswith(key + " ", autoescape=True))
              for key in keys))))
    others: dict[str, list[Person]] = {}
    for p in [*found, *namesakes]:
        others.setdefault(directory.norm(p.name), []).append(p)
    result = []
    for p in found:
        label = directory._label(p, [o for o in others[directory.norm(p.name)] if o is not p])
        hint = p.organisation if p.organisation and p.organisation not in label else ""
        result.append({"value": label, "hint": hint})
    return result


def suggest_rooms(event: Event, q: str | None, limit: int = MAX_SUGGESTIONS) -> list[dict]:
    """The event's rooms with each word typed in their name in one of the three languages, whatever
    the case or accents, as {"value": the picker's value, "hint": the seats}: one query."""
    words = search_key(q).split()[:8]
    if not words:
        return []
    result = []
    for room in directory.rooms_of(event):
        keys = [search_key(name) for name in room.name.values()]
        if any(all(word in key for word in words) for key in keys):
            name = pick(room.name, current_lang(), event.original_language).text
            hint = ngettext("%(num)d seat", "%(num)d seats", room.capacity) if room.capacity else ""
            result.append({"value": name, "hint": hint})
            if len(result) == limit:
                break
    return result
