"""The history of a session: what a change did, field by field (old → new), kept in the audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AuditEntry
from .models import CONCEPT_NOTE_FIELDS, Event, MeetingSession, Room

#: What the history follows of a session, in the order a change lists it.
TRACKED = ("code", "kind", "title", "starts_at", "ends_at", "room", "capacity", "interpretation", "status",
           *CONCEPT_NOTE_FIELDS, "people")
#: Of those, what people on the session or registered for it are told about (sessions/notices.py).
NOTICE_FIELDS = ("starts_at", "ends_at", "room", "status", "binned")


def _plain(value):
    """A value as the audit log's JSON keeps it: times as ISO text (naive UTC), lists as lists."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, Room):
        # A room record: its names in the three languages, as they were at the change.
        value = value.name
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(session: MeetingSession | None) -> dict:
    """What the history follows of a session, now (an empty dict before it exists)."""
    if session is None:
        return {}
    values = {name: _plain(getattr(session, name, None)) for name in TRACKED if name != "people"}
    values["people"] = [[p.role, p.name] for p in session.people]
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every followed field that changed (nothing for a new session)."""
    if not before:
        return {}
    return {name: [before.get(name), after.get(name)] for name in TRACKED
            if name in after and before.get(name) != after.get(name)}


def entries(event: Event, session: MeetingSession) -> list[AuditEntry]:
    """Every audit entry about one session, newest first, with who made it (two queries)."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.event_id == event.id, AuditEntry.target == f"session:{session.id}")
        .options(selectinload(AuditEntry.user)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))
