"""What the session form needs to pick rooms and people from the event's records."""
from __future__ import annotations

from flask_babel import gettext as _

from ..formatting import current_lang
from ..i18n import pick
from . import directory
from .models import Event, MeetingSession


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
