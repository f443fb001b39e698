"""Building the agenda: events, sessions, their people, conflict warnings and queries."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..actions import DomainError
from ..cache import head_row
from ..extensions import db
from ..i18n import LANGUAGES, clean_translations, valid_timezone
from ..jobs.models import Job
from ..models import audit
from ..permissions import can_create_event, can_organise, ensure, viewable_events
from . import clashes, directory, history, localtime, notices
from .clashes import (
    Conflict,
    ConflictsFound,
    Proposal,
    find_conflicts,  # noqa: F401  (the check before saving, for other tools)
)
from .days import MAX_DAYS_SPANNED, Day, by_day  # noqa: F401  (the agenda's days, re-exported)
from .models import (
    CONCEPT_NOTE_FIELDS,
    SESSION_KINDS,
    SESSION_STATUSES,
    Event,
    EventSlug,
    MeetingSession,
    SessionPerson,
)


class AgendaError(DomainError):
    """Invalid agenda input, with a message for the user and the field it concerns."""


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


def local_to_utc(value: datetime, tz: str, fold: int | None = None, field: str | None = None) -> datetime:
    """A naive wall-clock time in `tz` as naive UTC for storage. A time the clocks skip is refused
    naming the gap; one they show twice needs `fold` (0 the first, 1 the second): see `localtime`."""
    return localtime.to_utc(value, tz, fold, field)


def utc_to_local(value: datetime, tz: str) -> datetime:
    """Naive UTC from storage as a naive wall-clock time in `tz` (for form fields), with its `fold`."""
    return localtime.to_local(value, tz)


def _fold(value) -> int | None:
    """The choice between the two readings of a repeated time, as the form sends it ("0", "1", "")."""
    return int(value) if str(value) in ("0", "1") else None


# --- queries ----------------------------------------------------------------------------------

def event_by_slug(slug: str) -> Event | None:
    """The event whose current address is `slug` (former addresses: `event_by_former_slug`)."""
    return db.session.scalar(select(Event).where(Event.slug == slug))


def event_by_former_slug(slug: str) -> Event | None:
    """The event that once had the address `slug` and has another one now, or None.

    Only asked when no event has `slug` as its current address, so pages pay for it only then.
    """
    return db.session.scalar(select(Event).join(EventSlug, EventSlug.event_id == Event.id)
                             .where(EventSlug.slug == slug))


#: Built once: a per-request `where(Event.slug == slug)` cost as much as running the query.
_EVENT_HEAD = (select(Event.id, Event.status, Event.revision, Event.timezone)
               .where(Event.slug == bindparam("slug")))


def event_head(slug: str):
    """(id, status, revision, timezone) of an event, or None: all a cached page needs.

    A column query without the ORM (a third of the cost of loading the Event and its JSON
    columns) nor SQLAlchemy's execution layer (cache.head_row): the hot path of cached pages.
    """
    return head_row(_EVENT_HEAD, {"slug": slug})


_STORED_FILE_HEAD = (
    select(Event.id, Event.status, Event.revision, Job.revision.label("file_revision"), Job.sha256, Job.size,
           Job.mimetype, Job.filename, Job.finished_at)
    .join(Job, (Job.event_id == Event.id) & (Job.kind == bindparam("kind")) & (Job.language == bindparam("language"))
          & (Job.status == "done"))
    .where(Event.slug == bindparam("slug"))
    .order_by(Job.revision.desc(), Job.id.desc()).limit(1))


def stored_file_head(slug: str, kind: str, language: str):
    """The event's (id, status, revision) with its newest finished file of this kind and language
    (file_revision, sha256, size, mimetype, filename, finished_at), or None: all the serving of a stored
    file needs, in one column query (jobs.services.latest_done loads the Job, then the Event)."""
    return head_row(_STORED_FILE_HEAD, {"slug": slug, "kind": kind, "language": language})


def visible_events(user=None) -> list[Event]:
    """Published events, and the drafts this user organises (permissions.can_view_event)."""
    return viewable_events(user, db.session.scalars(select(Event).order_by(Event.starts_on.desc())))


def agenda(event: Event, kinds: list[str] | None = None) -> list[MeetingSession]:
    """The sessions of an event with their rooms and people, in two queries whatever their number."""
    where = [MeetingSession.event_id == event.id, MeetingSession.deleted_at.is_(None)]
    if kinds:
        where.append(MeetingSession.kind.in_(kinds))
    query = (select(MeetingSession).where(*where).options(joinedload(MeetingSession.room))
             .order_by(MeetingSession.starts_at, MeetingSession.code))
    return with_people(list(db.session.scalars(query)), where)


def with_people(sessions: list[MeetingSession], where: list) -> list[MeetingSession]:
    """Give `sessions` (those `where` selects) their people and directory records in ONE query:
    selectinload would take one more query per 500 sessions."""
    rows = db.session.scalars(
        select(SessionPerson).join(MeetingSession, MeetingSession.id == SessionPerson.session_id).where(*where)
        .options(joinedload(SessionPerson.person))
        .order_by(SessionPerson.session_id, SessionPerson.position, SessionPerson.id))
    found: dict[int, list[SessionPerson]] = {}
    for row in rows:
        found.setdefault(row.session_id, []).append(row)
    for s in sessions:
        set_committed_value(s, "people", found.get(s.id, []))
    return sessions


def session_by_code(event: Event, code: str) -> MeetingSession | None:
    return db.session.scalar(
        select(MeetingSession).where(MeetingSession.event_id == event.id, MeetingSession.code == code,
                                     MeetingSession.deleted_at.is_(None))
        .options(joinedload(MeetingSession.room),
                 selectinload(MeetingSession.people).joinedload(SessionPerson.person)))


# --- conflicts --------------------------------------------------------------------------------

def conflicts(event: Event, sessions: list[MeetingSession] | None = None) -> list[Conflict]:
    """The agenda's conflicts, comparing room and person records (see clashes.py)."""
    return clashes.conflicts(event, sessions if sessions is not None else agenda(event))


# --- changes ----------------------------------------------------------------------------------

def _translations(data: dict, name: str) -> dict:
    return clean_translations(data.get(name))


def save_event(data: dict, by, event: Event | None = None) -> Event:
    """Create or update an event from validated form data."""
    if event is None:
        ensure(can_create_event, by)
    else:
        ensure(can_organise, by, event)
    slug = (data.get("slug") or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise AgendaError(_("Use lower-case letters, digits and hyphens (2 to 80)."), "slug")
    clash = db.session.scalar(select(Event.id).where(Event.slug == slug))
    if clash is not None and (event is None or clash != event.id):
        raise AgendaError(_("Another event already uses this address."), "slug")
    former = db.session.scalar(select(EventSlug.event_id).where(EventSlug.slug == slug))
    if former is not None and (event is None or former != event.id):
        raise AgendaError(_("Another event used this address before and its links still lead there: "
                            "choose another one."), "slug")
    title = _translations(data, "title")
    if not title:
        raise AgendaError(_("Give the title in at least one language."), "title")
    tz = valid_timezone(data.get("timezone"))
    if tz is None:
        raise AgendaError(_("Choose a time zone from the list."), "timezone")
    if data["ends_on"] < data["starts_on"]:
        raise AgendaError(_("The event cannot end before it starts."), "ends_on")
    original = data.get("original_language") or "en"
    if original not in LANGUAGES:
        raise AgendaError(_("Choose one of the languages."), "original_language")
    created = event is None
    before = _event_view(event)
    if created:
        event = Event()
        db.session.add(event)
    else:
        _keep_former_slug(event, slug)
    event.slug = slug
    event.title = title
    event.description = _translations(data, "description")
    event.venue = _translations(data, "venue")
    event.original_language = original
    event.starts_on, event.ends_on = data["starts_on"], data["ends_on"]
    event.timezone = tz
    event.status = data.get("status") if data.get("status") in ("draft", "published") else "draft"
    db.session.flush()
    if created and by is not None and not by.is_admin:
        from ..auth import grant_role
        grant_role(by, event, "organiser")
    changes = {k: [before[k], v] for k, v in _event_view(event).items() if not created and before[k] != v}
    status = changes.pop("status", None)
    if created or changes:
        audit("event.create" if created else "event.update", user=by, event=event, target=f"event:{event.id}",
              **({"changes": changes} if changes else {}))
    if status is not None:
        audit("event.publish" if event.is_published else "event.unpublish", user=by, event=event,
              target=f"event:{event.id}")
    return event


def _event_view(event: Event | None) -> dict:
    """What the audit log follows of an event (for "changed the address from ... to ...")."""
    if event is None:
        return {}
    return {"slug": event.slug, "title": dict(event.title or {}), "starts_on": str(event.starts_on),
            "ends_on": str(event.ends_on), "timezone": event.timezone, "status": event.status}


def _keep_former_slug(event: Event, new_slug: str) -> None:
    """Before an event changes address: remember the old one, so its links redirect to the new one."""
    if event.slug == new_slug:
        return
    # Back to an address it had before: that one is current again, no longer a former one.
    db.session.execute(delete(EventSlug).where(EventSlug.event_id == event.id, EventSlug.slug == new_slug))
    known = db.session.scalar(select(EventSlug.id).where(EventSlug.slug == event.slug))
    if known is None:
        db.session.add(EventSlug(event_id=event.id, slug=event.slug))


def _calendar_view(session: MeetingSession) -> tuple:
    """What a calendar shows of a session: when it changes, its iCalendar SEQUENCE goes up."""
    return (session.code, session.kind, session.title, session.original_language, session.room,
            session.starts_at, session.ends_at, session.purpose, session.status)


def save_session(event: Event, data: dict, by, session: MeetingSession | None = None, *,
                 check_conflicts: bool = False, accepted: str | None = None) -> MeetingSession:
    """Create or update a session from validated form data; times are wall-clock in the event's zone.

    The room is `data["room_id"]` (a room of the event) or `data["room"]` (a room's name); people
    rows name a person of the directory (`person_id`, or `name` as the picker writes it).
    With `check_conflicts`, raise ConflictsFound when the change would create clashes, unless
    `accepted` is their signature (the organiser chose "Save anyway" for exactly these).
    """
    ensure(can_organise, by, event)
    code = (data.get("code") or "").strip()
    if not CODE_RE.match(code):
        raise AgendaError(_("Use letters, digits, dots, hyphens or underscores (at most 20)."), "code")
    clash = db.session.scalar(select(MeetingSession.id).where(
        MeetingSession.event_id == event.id, MeetingSession.code == code))
    if clash is not None and (session is None or clash != session.id):
        if db.session.get(MeetingSession, clash).is_binned:
            raise AgendaError(_("A session in the bin has the code %(code)s: restore it, or choose another code.",
                                code=code), "code")
        raise AgendaError(_("Another session of this event already has the code %(code)s.", code=code), "code")
    if data.get("kind") not in SESSION_KINDS:
        raise AgendaError(_("Choose a kind of session."), "kind")
    title = _translations(data, "title")
    if not title:
        raise AgendaError(_("Give the title in at least one language."), "title")
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is None or ends is None:
        raise AgendaError(_("Give the start and the end."), "starts_at")
    starts_utc = local_to_utc(starts, event.timezone, _fold(data.get("starts_at_fold")), "starts_at")
    ends_utc = local_to_utc(ends, event.timezone, _fold(data.get("ends_at_fold")), "ends_at")
    if ends_utc <= starts_utc:
        raise AgendaError(_("The session ends before it starts: the end must come after the start."), "ends_at")
    capacity = data.get("capacity")
    if capacity is not None and capacity < 1:
        raise AgendaError(_("The capacity must be a positive number."), "capacity")
    room = directory.resolve_room(event, data)
    people = directory.resolve_people(event, data["people"]) if "people" in data else None
    if check_conflicts:
        current = None if session is None else Proposal.of(session)
        if people is not None:
            person_ids = frozenset(p.id for p, role in people if role != "contact")
        else:
            person_ids = current.person_ids if current is not None else frozenset()
        proposal = Proposal(None if session is None else session.id, starts_utc, ends_utc,
                            None if room is None else room.id, person_ids,
                            session is not None and session.is_cancelled)
        found = clashes.new_conflicts(event, proposal, current)
        if found and clashes.signature(found) != accepted:
            raise ConflictsFound(found)
    created = session is None
    if created:
        session = MeetingSession(event=event, status="scheduled", sequence=0)
        db.session.add(session)
    before = None if created else _calendar_view(session)
    was = history.snapshot(None if created else session)
    session.code = code
    session.kind = data["kind"]
    session.title = title
    session.original_language = data.get("original_language") if data.get("original_language") in LANGUAGES else event.original_language
    session.room = room
    session.starts_at, session.ends_at = starts_utc, ends_utc
    session.capacity = capacity
    session.interpretation = [code for code in LANGUAGES if code in (data.get("interpretation") or [])]
    for name in CONCEPT_NOTE_FIELDS:
        setattr(session, name, _translations(data, name))
    if people is not None:
        session.people = [SessionPerson(person=p, role=role, position=i) for i, (p, role) in enumerate(people)]
    if before is not None and _calendar_view(session) != before:
        session.sequence = (session.sequence or 0) + 1
    db.session.flush()
    changes = history.diff(was, history.snapshot(session))
    if created or changes:
        audit("session.create" if created else "session.update", user=by, event=event,
              target=f"session:{session.id}", code=session.code, **({"changes": changes} if changes else {}))
    notices.queue(session, changes, by)
    return session


def set_people(session: MeetingSession, people: list[dict]) -> None:
    """Replace the people of a session with the directory's people the rows name."""
    picked = directory.resolve_people(session.event, people)
    session.people = [SessionPerson(person=p, role=role, position=i) for i, (p, role) in enumerate(picked)]


def set_session_status(session: MeetingSession, status: str, by) -> MeetingSession:
    """Cancel a session or schedule it again; calendars that follow the agenda see the change."""
    ensure(can_organise, by, session.event)
    if status not in SESSION_STATUSES:
        raise AgendaError(_("Unknown session status."), "status")
    if session.status != status:
        notices.queue(session, {"status": [session.status, status]}, by)
        session.status = status
        session.sequence = (session.sequence or 0) + 1
        db.session.flush()
        audit("session.cancel" if status == "cancelled" else "session.reinstate", user=by,
              event=session.event, target=f"session:{session.id}", code=session.code)
    return session


def delete_session(session: MeetingSession, by) -> None:
    """Move a session to the bin, from which an organiser can restore it (see sessions/bin.py)."""
    from .bin import bin_session
    bin_session(session, by)
