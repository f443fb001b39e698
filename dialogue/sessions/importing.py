"""Importing sessions from a file: every row or none, with each error naming its row and column.

A row whose code is new adds a session; a row whose code is a session's of the event updates it
(the columns the file has replace its values, the others are kept; history, calendar sequence and
change notices as for an edit). Rooms and people are matched to the event's records by name (in any
language, case and spacing ignored) and created when new; a preview (a dry run, rolled back) lists
them with the conflicts the import would create, before the organiser confirms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..forms import LINE_MAX, TEXT_MAX
from ..i18n import LANGUAGES, clean_translations
from ..imports import RowError, RowsRejected, duplicate, file_error
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

    #: (code, day, "09:30–11:00", room) of each new session, and of each session updated.
    sessions: list[tuple[str, str, str, str]] = field(default_factory=list)
    updates: list[tuple[str, str, str, str]] = field(default_factory=list)
    new_rooms: list[str] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)
    #: The first MAX_LISTED conflicts, in words, and how many there are in all.
    conflicts: list[str] = field(default_factory=list)
    conflict_count: int = 0


MAX_LISTED = 100
#: Rows between two reports of progress.
PROGRESS_EVERY = 250


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


def _given(data: dict, name: str, current, value) -> str:
    """A column's text; for a session being updated, its current value when the file lacks the column."""
    if current is not None and name not in data:
        return value
    return data.get(name) or ""


def _check_row(event: Event, number: int, data: dict, errors: list[RowError],
               current: MeetingSession | None = None) -> dict | None:
    """The row as save_session data, or None with its errors added; `current` is the session a row
    with its code updates (columns the file lacks keep its values)."""
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
    kind = data.get("kind") or (current.kind if current is not None else "plenary")
    if kind not in SESSION_KINDS:
        errors.append(RowError(number, "kind", _("\"%(value)s\" is not a kind of session.", value=kind)))
    title = {c: _given(data, f"title_{c}", current, current and current.title.get(c, "")) for c in LANGUAGES}
    purpose = {c: _given(data, f"purpose_{c}", current, current and current.purpose.get(c, "")) for c in LANGUAGES}
    if not any(t.strip() for t in title.values()):
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
    people = []
    for role, column in (("chair", "chairs"), ("speaker", "speakers")):
        if current is not None and column not in data:
            people += [{"role": role, "person_id": p.person} for p in current.people if p.role == role]
        else:
            people += [{"role": role, "name": name} for name in split_names(data.get(column) or "")]
    if current is not None:  # roles the file cannot say (moderators, panelists, contacts) are kept
        people += [{"role": p.role, "person_id": p.person} for p in current.people if p.role not in ("chair", "speaker")]
    return {"code": code, "kind": kind, "session": current,
            "original_language": current.original_language if current is not None else event.original_language,
            "title": title, "purpose": purpose,
            "starts_at": datetime.combine(day, times["start"]), "ends_at": datetime.combine(day, times["end"]),
            "room": (data.get("room") or "").strip() if current is None or "room" in data else current.room,
            "people": people}


def import_sessions(event: Event, rows: list[tuple[int, dict]], by, progress=None) -> ImportReport:
    """Add or update a session for every row, or none: ImportFailed lists the errors (the caller rolls back).

    A code must come once in the file; a code of the event's sessions updates that session (not one
    in the bin). Rooms and people not found by name are created. `progress(done, total)`, when
    given, hears how far the work is: the checking of the rows (done from 0 to the number of rows),
    then their writing (on to twice that). It writes in a transaction of its own, which SQLite makes
    wait for this one once this one has written: there the new sessions are built and counted, then
    inserted in one flush, and the bar stops until the end; PostgreSQL inserts them in batches
    between reports, and counts the updated sessions too.
    """
    ensure(can_organise, by, event)
    errors: list[RowError] = []
    if not rows:
        raise ImportFailed([file_error(_("The file has no sessions."))])
    tick = progress or (lambda done, total: None)
    total = 2 * len(rows)
    existing = {s.code: s for s in db.session.scalars(
        select(MeetingSession).where(MeetingSession.event_id == event.id)
        .options(selectinload(MeetingSession.people).selectinload(SessionPerson.person)))}
    seen: dict[str, int] = {}
    cleaned = []
    for index, (number, data) in enumerate(rows, start=1):
        code = (data.get("code") or "").strip()
        current = existing.get(code)
        if current is not None and current.is_binned:
            errors.append(RowError(number, "code", _("A session in the bin has the code %(code)s: restore it, or "
                                                     "choose another code.", code=code)))
            continue
        clean = _check_row(event, number, data, errors, current)
        if index % PROGRESS_EVERY == 0:
            tick(index, total)
        if clean is None:
            continue
        duplicate(errors, seen, clean["code"], number, "code", lambda row: _("The same code is on row %(row)d.", row=row))
        cleaned.append((number, clean))
    if errors:
        raise ImportFailed(errors)
    report = ImportReport()
    rooms = directory.rooms_of(event)
    index = _people_index(directory.people_of(event))
    for number, clean in cleaned:
        if isinstance(clean["room"], str) and clean["room"] and directory.room_by_name(event, clean["room"], rooms) is None:
            room = Room(event=event, name={event.original_language: clean["room"]})
            db.session.add(room)
            rooms.append(room)
            report.new_rooms.append(clean["room"])
        for row in clean["people"]:
            if row.get("person_id") is not None:
                continue
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
    made, changed = [], []
    batches = db.session.get_bind().dialect.name != "sqlite"  # may the bar move once this has written?
    written = 0
    for number, clean in cleaned:
        if clean["session"] is not None:
            continue
        try:
            made.append(_session(event, clean, rooms))
        except services.DomainError as error:
            errors.append(RowError(number, SERVICE_FIELDS.get(error.field or "", "code"), error.message))
        written += 1
        if written % PROGRESS_EVERY == 0:
            if batches and not errors:
                db.session.add_all(made[-PROGRESS_EVERY:])
                db.session.flush()  # a batch of inserts, then the bar moves
            tick(len(rows) + written, total)
    if errors:
        raise ImportFailed(errors)
    db.session.add_all(made)
    db.session.flush()  # the rest in one batch of inserts (on SQLite: all of them)
    for number, clean in cleaned:
        if clean["session"] is None:
            continue
        try:
            changed.append(_update(event, clean, rooms, by))
        except services.DomainError as error:
            errors.append(RowError(number, SERVICE_FIELDS.get(error.field or "", "code"), error.message))
        written += 1
        if batches and written % PROGRESS_EVERY == 0:
            tick(len(rows) + written, total)
    if errors:
        raise ImportFailed(errors)
    codes = {s.code for s in made} | {s.code for s in changed}
    found = [c for c in services.conflicts(event) if codes & set(c.codes)]
    report.conflict_count = len(found)
    report.conflicts = [c.message for c in found[:MAX_LISTED]]
    report.sessions = [_line(event, s) for s in made]
    report.updates = [_line(event, s) for s in changed]
    audit("session.import", user=by, event=event, target=f"event:{event.id}", sessions=len(made),
          updated=len(changed), codes=[s.code for s in made][:2000],
          rooms=len(report.new_rooms), people=len(report.new_people))
    return report


def _line(event: Event, s: MeetingSession) -> tuple[str, str, str, str]:
    """(code, day, "09:30–11:00", room) of a session, on the wall clock of the event's zone."""
    starts, ends = services.utc_to_local(s.starts_at, event.timezone), services.utc_to_local(s.ends_at, event.timezone)
    return s.code, starts.date().isoformat(), f"{starts:%H:%M}–{ends:%H:%M}", clashes.room_name(s.room, event)


def _update(event: Event, clean: dict, rooms: list[Room], by) -> MeetingSession:
    """A session changed by its row, as the session form changes it (history, sequence, notices);
    what the file cannot say (capacity, interpretation, the concept note's other parts) is kept."""
    session = clean["session"]
    room = clean["room"]
    if isinstance(room, str):
        room = directory.room_by_name(event, room, rooms) if room else None
    data = {**clean, "room": room, "capacity": session.capacity, "interpretation": list(session.interpretation or []),
            **{name: getattr(session, name) for name in CONCEPT_NOTE_FIELDS if name != "purpose"}}
    return services.save_session(event, data, by, session)


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


def preview_import(event: Event, rows: list[tuple[int, dict]], by, progress=None) -> ImportReport:
    """What importing `rows` would do, without keeping anything: a dry run that always rolls back."""
    try:
        return import_sessions(event, rows, by, progress)
    finally:
        db.session.rollback()


def summary(report: ImportReport) -> str:
    """What an import did, in words (the file a background import leaves)."""
    lines = [ngettext("%(num)d session is imported.", "%(num)d sessions are imported.", len(report.sessions)),
             ngettext("%(num)d session is updated.", "%(num)d sessions are updated.", len(report.updates))]
    if report.conflict_count:
        lines.append(ngettext("%(num)d conflict in all.", "%(num)d conflicts in all.", report.conflict_count))
    lines += [f"- {c}" for c in report.conflicts]
    return "\n".join(lines) + "\n"
