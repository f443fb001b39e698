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
from ..i18n import LANGUAGES
from ..models import audit
from ..permissions import can_organise, ensure
from . import clashes, directory, services
from .models import SESSION_KINDS, Event, Person, Room
from .spreadsheets import EXAMPLE_TITLE, NAME_SEPARATOR, SessionImportError


@dataclass
class RowError:
    """A problem of the file: its row (0: the whole file), column (a field of spreadsheets.FIELDS) and message."""

    row: int
    field: str
    message: str


class ImportFailed(SessionImportError):
    """A file with errors: nothing was imported; each error names its row and column."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("Nothing was imported: correct the rows below and upload the file again."), "file")
        self.errors = errors


@dataclass
class ImportReport:
    """What an import made (or, in a preview, would make): plain values, readable after a rollback."""

    #: (code, day, "09:30–11:00", room) of each session.
    sessions: list[tuple[str, str, str, str]] = field(default_factory=list)
    new_rooms: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


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
        raise ImportFailed([RowError(0, "file", _("The file has no sessions."))])
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
    people = directory.people_of(event)
    for number, clean in cleaned:
        if clean["room"] and directory.room_by_name(event, clean["room"], rooms) is None:
            room = Room(event=event, name={event.original_language: clean["room"]})
            db.session.add(room)
            rooms.append(room)
            report.new_rooms.append(clean["room"])
        for row in clean["people"]:
            person = directory.person_by_name(event, row["name"], people)
            if person is None:
                if any(directory.norm(p.name) == directory.norm(row["name"]) for p in people):
                    errors.append(RowError(number, "chairs" if row["role"] == "chair" else "speakers",
                                           _("%(name)s is in the people directory twice: give the name as the "
                                             "directory's list shows it.", name=row["name"])))
                    continue
                person = Person(event=event, name=row["name"])
                db.session.add(person)
                people.append(person)
                report.new_people.append(row["name"])
            row["person_id"] = person
    if errors:
        raise ImportFailed(errors)
    db.session.flush()
    made = []
    for number, clean in cleaned:
        clean["room"] = directory.room_by_name(event, clean["room"], rooms) if clean["room"] else None
        try:
            made.append(services.save_session(event, clean, by))
        except services.DomainError as error:
            column = SERVICE_FIELDS.get(error.field or "", "chairs" if (error.field or "").startswith("people") else "code")
            errors.append(RowError(number, column, error.message))
    if errors:
        raise ImportFailed(errors)
    codes = {s.code for s in made}
    report.conflicts = [c.message for c in services.conflicts(event) if codes & set(c.codes)]
    tz = event.timezone
    for s in made:
        starts, ends = services.utc_to_local(s.starts_at, tz), services.utc_to_local(s.ends_at, tz)
        report.sessions.append((s.code, starts.date().isoformat(), f"{starts:%H:%M}–{ends:%H:%M}",
                                clashes.room_name(s.room, event)))
    audit("session.import", user=by, event=event, target=f"event:{event.id}", sessions=len(made),
          rooms=len(report.new_rooms), people=len(report.new_people))
    return report


def services_codes(event: Event) -> set[str]:
    from .copying import codes_of
    return codes_of(event)


def preview_import(event: Event, rows: list[tuple[int, dict]], by) -> ImportReport:
    """What importing `rows` would do, without keeping anything: a dry run that always rolls back."""
    try:
        return import_sessions(event, rows, by)
    finally:
        db.session.rollback()
