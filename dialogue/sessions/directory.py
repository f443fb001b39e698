"""The event's rooms and people directory: finding, saving and deleting the records sessions pick."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..actions import DomainError
from ..extensions import db
from ..i18n import LANGUAGES, clean_translations
from ..models import audit
from ..permissions import can_organise, ensure
from ..validation import MAX_ID
from .models import GENDERS, PERSON_ROLES, Event, MeetingSession, Person, Room, SessionPerson, search_key


class DirectoryError(DomainError):
    """Invalid room or person input, with a message for the user and the field it concerns."""


def norm(text: str | None) -> str:
    """A name as compared: case and spacing ignored ("Sala  a" is "sala a")."""
    return " ".join((text or "").casefold().split())


# --- queries ----------------------------------------------------------------------------------

def search_filter(q: str | None) -> list:
    """Conditions for the people of the directory whose name, title, organisation or email hold
    each word of `q`, whatever the case or accents (Person.search_text)."""
    words = search_key(q).split()[:8]
    return [Person.search_text.contains(word, autoescape=True) for word in words]


def rooms_of(event: Event) -> list[Room]:
    """The event's rooms, in the order they were added."""
    return list(db.session.scalars(select(Room).where(Room.event_id == event.id).order_by(Room.id)))


def people_of(event: Event) -> list[Person]:
    """The event's people directory, by name."""
    return list(db.session.scalars(select(Person).where(Person.event_id == event.id)
                                   .order_by(Person.name, Person.id)))


def room_by_id(event: Event, value) -> Room | None:
    """The event's room with this id (a number or its text), or None; never another event's."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10) or not 1 <= int(text) <= MAX_ID:
        return None
    room = db.session.get(Room, int(text))
    return room if room is not None and room.event_id == event.id else None


def room_by_name(event: Event, name: str, rooms: list[Room] | None = None) -> Room | None:
    """The event's room called `name` in any of the three languages (case and spacing ignored)."""
    wanted = norm(name)
    if not wanted:
        return None
    for room in rooms if rooms is not None else rooms_of(event):
        if any(norm(text) == wanted for text in room.name.values()):
            return room
    return None


def person_label(person: Person, people: list[Person]) -> str:
    """How the picker names `person`: the name, with the organisation (or number) when another
    person of the directory has the same name."""
    same = [p for p in people if norm(p.name) == norm(person.name) and p.id != person.id]
    return _label(person, same)


def _label(person: Person, namesakes: list[Person]) -> str:
    if not namesakes:
        return person.name
    if person.organisation and all(norm(p.organisation) != norm(person.organisation) for p in namesakes):
        return f"{person.name} ({person.organisation})"
    return f"{person.name} (#{person.id})"


def person_labels(people: list[Person]) -> list[tuple[Person, str]]:
    """Each person of the directory with the label the picker offers (in one pass over them)."""
    by_name: dict[str, list[Person]] = {}
    for p in people:
        by_name.setdefault(norm(p.name), []).append(p)
    return [(p, _label(p, [o for o in by_name[norm(p.name)] if o is not p])) for p in people]


def person_by_name(event: Event, name: str, people: list[Person] | None = None) -> Person | None:
    """The person of the directory the picker's text names: a picker label, or a name only one
    person has (case and spacing ignored; then accents too). None when nobody or several people match."""
    wanted = norm(name)
    if not wanted:
        return None
    people = people if people is not None else people_of(event)
    for person, label in person_labels(people):
        if norm(label) == wanted:
            return person
    named = [p for p in people if norm(p.name) == wanted]
    if named:
        return named[0] if len(named) == 1 else None
    # Typed without the accents or in other case ("maria lopez", "LUKASZ"): only if one person fits.
    key = search_key(name)
    keyed = [p for p, label in person_labels(people) if search_key(label) == key] or \
        [p for p in people if search_key(p.name) == key]
    return keyed[0] if len(keyed) == 1 else None


def room_usage(event: Event) -> dict[int, int]:
    """{room id: number of sessions in it}, in one query."""
    rows = db.session.execute(select(MeetingSession.room_id, func.count()).where(
        MeetingSession.event_id == event.id, MeetingSession.room_id.is_not(None))
        .group_by(MeetingSession.room_id))
    return dict(rows.all())


def person_usage(event: Event) -> dict[int, int]:
    """{person id: number of sessions they are on}, in one query."""
    rows = db.session.execute(select(SessionPerson.person_id, func.count(func.distinct(SessionPerson.session_id)))
                              .join(Person, Person.id == SessionPerson.person_id)
                              .where(Person.event_id == event.id).group_by(SessionPerson.person_id))
    return dict(rows.all())


def delegation_choices(event: Event, lang: str) -> list[tuple[str, str]]:
    """(id, name) of the event's delegations, for the directory's form."""
    from ..delegates.models import Delegation
    from ..delegates.services import delegation_name
    rows = db.session.scalars(select(Delegation).where(Delegation.event_id == event.id))
    return sorted(((str(d.id), delegation_name(d, lang)) for d in rows), key=lambda c: norm(c[1]))


# --- what session data picks ------------------------------------------------------------------

def resolve_room(event: Event, data: dict) -> Room | None:
    """The room the data picks: a room id of the event (the form) or a room's name (imports)."""
    if data.get("room_id"):
        room = room_by_id(event, data["room_id"])
        if room is None:
            raise DirectoryError(_("Choose a room from the list."), "room_id")
        return room
    name = data.get("room")
    if isinstance(name, Room):
        return name if name.event_id == event.id else None
    if isinstance(name, str) and name.strip():
        room = room_by_name(event, name)
        if room is None:
            raise DirectoryError(_("This event has no room called %(name)s: add it on the Rooms page.",
                                name=name.strip()), "room")
        return room
    return None


def resolve_people(event: Event, rows: list[dict]) -> list[tuple[Person, str]]:
    """The (person, role) pairs of the rows, in order; rows without a person are ignored, and a
    name that is not in the directory (or is there twice) is refused on its row."""
    everyone = None
    picked = []
    for i, row in enumerate(rows):
        role = row.get("role") if row.get("role") in PERSON_ROLES else "speaker"
        person = row.get("person_id") or None
        if isinstance(person, Person):
            picked.append((person, role))
            continue
        if person is not None:
            found = db.session.get(Person, int(person)) if str(person).isdigit() and int(person) <= MAX_ID else None
            if found is None or found.event_id != event.id:
                raise DirectoryError(_("Choose a person from the directory."), f"people-{i}-name")
            picked.append((found, role))
            continue
        text = " ".join(str(row.get("name") or "").split())
        if not text:
            continue
        if everyone is None:
            everyone = people_of(event)
        found = person_by_name(event, text, everyone)
        if found is None:
            raise DirectoryError(_("%(name)s is not in the people directory (or is there twice): pick a name "
                                "from the list, or add the person on the People page.", name=text),
                              f"people-{i}-name")
        picked.append((found, role))
    return picked


# --- changes ----------------------------------------------------------------------------------

def save_room(event: Event, data: dict, by, room: Room | None = None) -> Room:
    """Create or update a room: a name in at least one language, unique in the event."""
    ensure(can_organise, by, event)
    name = clean_translations(data.get("name"))
    if not name:
        raise DirectoryError(_("Give the room's name in at least one language."), "name")
    for other in rooms_of(event):
        if room is not None and other.id == room.id:
            continue
        taken = {norm(v) for v in other.name.values()}
        clash = next((v for v in name.values() if norm(v) in taken), None)
        if clash:
            raise DirectoryError(_("Another room of this event is already called %(name)s.", name=clash), "name")
    capacity, booths = data.get("capacity"), data.get("booths") or 0
    if capacity is not None and not 1 <= capacity <= 100000:
        raise DirectoryError(_("The capacity must be a positive number."), "capacity")
    if not 0 <= booths <= 100:
        raise DirectoryError(_("Give a number of booths from 0 to 100."), "booths")
    created = room is None
    if created:
        room = Room(event=event)
        db.session.add(room)
    renamed = not created and room.name != name
    room.name, room.capacity, room.booths = name, capacity, booths
    db.session.flush()
    if renamed:
        # Calendars show the room as LOCATION: its sessions changed for them.
        db.session.execute(update(MeetingSession).where(MeetingSession.room_id == room.id)
                           .values(sequence=MeetingSession.sequence + 1))
    audit("room.create" if created else "room.update", user=by, event=event, target=f"room:{room.id}",
          name=str(room))
    return room


def delete_room(room: Room, by) -> None:
    """Remove a room no session uses."""
    ensure(can_organise, by, room.event)
    used = db.session.scalar(select(func.count()).where(MeetingSession.room_id == room.id))
    if used:
        raise DirectoryError(_("Sessions use this room: move them to another room first."))
    audit("room.delete", user=by, event=room.event, target=f"room:{room.id}", name=str(room))
    db.session.delete(room)


def save_person(event: Event, data: dict, by, person: Person | None = None) -> Person:
    """Create or update a person of the directory; two people may share a name, not also an
    organisation (the picker could not tell them apart)."""
    ensure(can_organise, by, event)
    name = " ".join((data.get("name") or "").split())
    if not name:
        raise DirectoryError(_("Give the person's name."), "name")
    organisation = (data.get("organisation") or "").strip()
    twin = db.session.scalars(select(Person).where(Person.event_id == event.id)).all()
    if any(norm(p.name) == norm(name) and norm(p.organisation) == norm(organisation)
           and (person is None or p.id != person.id) for p in twin):
        raise DirectoryError(_("%(name)s is already in the directory with this organisation.", name=name), "name")
    delegation_id = None
    if data.get("delegation"):
        wanted = str(data["delegation"])
        choices = dict(delegation_choices(event, "en"))
        if wanted not in choices:
            raise DirectoryError(_("Choose a delegation from the list."), "delegation")
        delegation_id = int(wanted)
    created = person is None
    if created:
        person = Person(event=event)
        db.session.add(person)
    person.name = name
    person.title = (data.get("title") or "").strip()
    person.organisation = organisation
    person.gender = data.get("gender") if data.get("gender") in GENDERS else "undisclosed"
    person.email = (data.get("email") or "").strip()
    person.delegation_id = delegation_id
    db.session.flush()
    audit("person.create" if created else "person.update", user=by, event=event, target=f"person:{person.id}",
          name=person.name)
    return person


def delete_person(person: Person, by) -> None:
    """Remove a person who is on no session."""
    ensure(can_organise, by, person.event)
    used = db.session.scalar(select(func.count()).where(SessionPerson.person_id == person.id))
    if used:
        raise DirectoryError(_("%(name)s is on sessions: take them off those sessions first.", name=person.name))
    audit("person.delete", user=by, event=person.event, target=f"person:{person.id}", name=person.name)
    db.session.delete(person)


def room_or_new(event: Event, name: str) -> Room:
    """The event's room called `name`, created with that name in the event's language if there is
    none (for imports and tests that still speak in names)."""
    room = room_by_name(event, name)
    if room is None:
        room = Room(event=event, name={event.original_language if event.original_language in LANGUAGES else "en":
                                       " ".join(name.split())})
        db.session.add(room)
    return room


def person_or_new(event: Event, name: str, organisation: str = "", **fields) -> Person:
    """The person of the directory with this name and organisation, created if there is none."""
    name = " ".join(name.split())
    for p in people_of(event) if event.id is not None else []:
        if norm(p.name) == norm(name) and norm(p.organisation) == norm(organisation):
            return p
    person = Person(event=event, name=name, organisation=organisation.strip(), **fields)
    db.session.add(person)
    return person
