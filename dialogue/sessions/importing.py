"""Importing sessions from a file: every row or none, with each error naming its row and column.

Rooms and people are matched to the event's records by name (in any language, case and spacing
ignored) and created when new; a preview (a dry run, rolled back) lists them with the conflicts
the import would create, before the organiser confirms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _

from ..extensions import db
from ..forms import LINE_MAX, TEXT_MAX
from ..i18n import LANGUAGES, clean_translations
from ..imports import RowError, RowsRejected, file_error
from ..models import audit
from ..permissions import can_organise, ensure
from . import clashes, directory, services
from .models import CONCEPT_NOTE_FIELDS, SESSION_KINDS, Event, MeetingSession, Person, Room, SessionPerson
from .spreadsheets import EXAMPLE_TITLE, NAME_SEPARATOR, SessionImportError


class ImportFailed(RowsRejected, SessionImportError):
    """A file with errors: nothing was imported; each error names its row and column (of spreadsheets.FIELDS)."""


@dataclass
class ImportReport:
    """What an import made (or, in a preview, would make): plain values, readable after a rollback."""

    #: (code, day, "09:30–11:00", room) of each session.
    sessions: list[tuple[str, str, str, str]] = field(default_factory=list)
    new_rooms: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    #: The first MAX_LISTED conflicts, in words, and how many there are in all.
    conflicts: list[str] = field(default_factory=list)
    conflict_count: int = 0


MAX_LISTED = 100


DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M")
TIME_RE = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})(?::\d{2})?$")
#: Where save_session's field names go among the file's columns.
SERVICE_FIELDS = {"starts_at": "start", "ends_at": "end", "title": "title_en", "code": "code", "kind": "kind",
                  "room": "room", "capacity": "code"}


def parse_day(text: str) -> date | None:
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_time(text: str) -> time | None:
    match = TIME_RE.match(text.strip())
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


def split_names(text: str) -> list[str]:
    return [" ".join(n.split()) for n in re.split(rf"[{NAME_SEPARATOR}\n]", text or "") if n.strip()]


def _check_row(event: Event, number: int, data: dict, errors: list[RowError]) -> dict | None:
    """The row as save_session data, or None with its errors added."""
    before = len(errors)
    code = (data.get("code") or "").strip()
    if not code:
        errors.append(RowError(number, "code", _("Give the session's code.")))
    day = parse_day(data.get("day") or "")
    if day is None:
        errors.append(RowError(number, "day", _("Write the day as YYYY-MM-DD or DD/MM/YYYY.")))
    elif not event.starts_on <= day <= event.ends_on:
        errors.append(RowError(number, "day", _("This day is not one of the event's days.")))
    times = {}
    for name in ("start", "end"):
        times[name] = parse_time(data.get(name) or "")
        if times[name] is None:
            errors.append(RowError(number, name, _("Write the time as HH:MM, e.g. 09:30.")))
    kind = data.get("kind") or "plenary"
    if kind not in SESSION_KINDS:
        errors.append(RowError(number, "kind", _("\"%(value)s\" is not a kind of session.", value=kind)))
    if not any((data.get(f"title_{code}") or "").strip() for code in LANGUAGES):
        errors.append(RowError(number, "title_en", _("Give the title in at least one language.")))
    limits = {"room": 120, **{f"title_{c}": LINE_MAX for c in LANGUAGES}, **{f"purpose_{c}": TEXT_MAX for c in LANGUAGES}}
    for name, limit in limits.items():
        if len(data.get(name) or "") > limit:
            errors.append(RowError(number, name, _("At most %(max)d characters.", max=limit)))
    for name in ("chairs", "speakers"):
        if any(len(n) > 200 for n in split_names(data.get(name) or "")):
            errors.append(RowError(number, name, _("At most %(max)d characters.", max=200)))
    if all((data.get(f"title_{c}") or "").strip() == EXAMPLE_TITLE[c] for c in LANGUAGES):
        errors.append(RowError(number, "title_en", _("This is the template's example row: delete it or write over it.")))
    if len(errors) > before:
        return None
    return {"code": code, "kind": kind, "original_language": event.original_language,
            "title": {c: data.get(f"title_{c}") or "" for c in LANGUAGES},
            "purpose": {c: data.get(f"purpose_{c}") or "" for c in LANGUAGES},
            "starts_at": datetime.combine(day, times["start"]), "ends_at": datetime.combine(day, times["end"]),
            "room": (data.get("room") or "").strip(),
            "people": [{"role": role, "name": name} for role, column in (("chair", "chairs"), ("speaker", "speakers"))
                       for name in split_names(data.get(column) or "")]}


def import_sessions(event: Event, rows: list[tuple[int, dict]], by) -> ImportReport:
    """Add every row as a session, or none: ImportFailed lists the errors (the caller rolls back).

    Codes must be new to the event and to the file; rooms and people not found by name are created.
    """
    ensure(can_organise, by, event)
    errors: list[RowError] = []
    if not rows:
        raise ImportFailed([file_error(_("The file has no sessions."))])
    taken = dict.fromkeys(services_codes(event), 0)
    cleaned = []
    for number, data in rows:
        clean = _check_row(event, number, data, errors)
        if clean is None:
            continue
        if clean["code"] in taken:
            errors.append(RowError(number, "code", _("The same code is on row %(row)d.", row=taken[clean["code"]])
                                   if taken[clean["code"]] else
                                   _("Another session of this event already has the code %(code)s.", code=clean["code"])))
        taken.setdefault(clean["code"], number)
        cleaned.append((number, clean))
    if errors:
        raise ImportFailed(errors)
    report = ImportReport()
    rooms = directory.rooms_of(event)
    index = _people_index(directory.people_of(event))
    for number, clean in cleaned:
        if clean["room"] and directory.room_by_name(event, clean["room"], rooms) is None:
            room = Room(event=event, name={event.original_language: clean["room"]})
            db.session.add(room)
            rooms.append(room)
            report.new_rooms.append(clean["room"])
        for row in clean["people"]:
            person = _find_person(index, row["name"])
            if person is None:
                if directory.norm(row["name"]) in index["named"]:
                    errors.append(RowError(number, "chairs" if row["role"] == "chair" else "speakers",
                                           _("%(name)s is in the people directory twice: give the name as the "
                                             "directory's list shows it.", name=row["name"])))
                    continue
                person = Person(event=event, name=row["name"])
                db.session.add(person)
                index["named"][directory.norm(row["name"])] = [person]
                report.new_people.append(row["name"])
            row["person_id"] = person
    if errors:
        raise ImportFailed(errors)
    made = []
    for number, clean in cleaned:
        try:
            made.append(_session(event, clean, rooms))
        except services.DomainError as error:
            errors.append(RowError(number, SERVICE_FIELDS.get(error.field or "", "code"), error.message))
    if errors:
        raise ImportFailed(errors)
    db.session.add_all(made)
    db.session.flush()  # one batch of inserts, whatever the number of rows
    codes = {s.code for s in made}
    found = [c for c in services.conflicts(event) if codes & set(c.codes)]
    report.conflict_count = len(found)
    report.conflicts = [c.message for c in found[:MAX_LISTED]]
    tz = event.timezone
    for s in made:
        starts, ends = services.utc_to_local(s.starts_at, tz), services.utc_to_local(s.ends_at, tz)
        report.sessions.append((s.code, starts.date().isoformat(), f"{starts:%H:%M}–{ends:%H:%M}",
                                clashes.room_name(s.room, event)))
    audit("session.import", user=by, event=event, target=f"event:{event.id}", sessions=len(made),
          codes=[s.code for s in made][:2000],
          rooms=len(report.new_rooms), people=len(report.new_people))
    return report


def _session(event: Event, clean: dict, rooms: list[Room]) -> MeetingSession:
    """A new session from a checked row, with the rules of services.save_session (code, times in the
    event's zone, end after start), without its queries per session: an import of hundreds of rows
    stays one flush."""
    if not services.CODE_RE.match(clean["code"]):
        raise services.AgendaError(_("Use letters, digits, dots, hyphens or underscores (at most 20)."), "code")
    starts = services.local_to_utc(clean["starts_at"], event.timezone, None, "starts_at")
    ends = services.local_to_utc(clean["ends_at"], event.timezone, None, "ends_at")
    if ends <= starts:
        raise services.AgendaError(_("The session ends before it starts: the end must come after the start."), "ends_at")
    session = MeetingSession(event=event, code=clean["code"], kind=clean["kind"], status="scheduled", sequence=0,
                             original_language=clean["original_language"], title=clean_translations(clean["title"]),
                             purpose=clean_translations(clean["purpose"]), starts_at=starts, ends_at=ends,
                             room=directory.room_by_name(event, clean["room"], rooms) if clean["room"] else None)
    for name in CONCEPT_NOTE_FIELDS:
        if name != "purpose":
            setattr(session, name, {})
    session.people = [SessionPerson(person=row["person_id"], role=row["role"], position=i)
                      for i, row in enumerate(clean["people"])]
    return session


def _people_index(people: list[Person]) -> dict[str, dict]:
    """The directory by picker label and by name (normalised), built once for the whole file."""
    index: dict[str, dict] = {"labels": {}, "named": {}}
    for person, label in directory.person_labels(people):
        index["labels"][directory.norm(label)] = person
        index["named"].setdefault(directory.norm(person.name), []).append(person)
    return index


def _find_person(index: dict[str, dict], name: str) -> Person | None:
    """As directory.person_by_name: a picker label, or a name only one person has."""
    wanted = directory.norm(name)
    if wanted in index["labels"]:
        return index["labels"][wanted]
    named = index["named"].get(wanted, [])
    return named[0] if len(named) == 1 else None


def services_codes(event: Event) -> set[str]:
    from .copying import codes_of
    return codes_of(event)


def preview_import(event: Event, rows: list[tuple[int, dict]], by) -> ImportReport:
    """What importing `rows` would do, without keeping anything: a dry run that always rolls back."""
    try:
        return import_sessions(event, rows, by)
    finally:
        db.session.rollback()
