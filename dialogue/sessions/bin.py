"""The bin: a deleted session leaves the agenda but is kept, to be restored by an organiser.

A binned session is gone from the public agenda, the JSON API, the agenda PDF and the conflict
checks (all read `services.agenda`, which leaves it out). Calendars that saw it while the event was
published keep it as STATUS:CANCELLED (`calendar_sessions`).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..actions import DomainError
from ..extensions import db
from ..models import audit, utcnow
from ..permissions import can_organise, ensure
from . import notices
from .models import Event, MeetingSession


def binned(event: Event) -> list[MeetingSession]:
    """The event's sessions in the bin, most recently binned first, with who binned them."""
    return list(db.session.scalars(
        select(MeetingSession).where(MeetingSession.event_id == event.id, MeetingSession.deleted_at.is_not(None))
        .options(selectinload(MeetingSession.deleted_by))
        .order_by(MeetingSession.deleted_at.desc(), MeetingSession.id.desc())))


def binned_session(event: Event, session_id: int) -> MeetingSession | None:
    """One session of the event's bin, or None."""
    return db.session.scalar(select(MeetingSession).where(
        MeetingSession.id == session_id, MeetingSession.event_id == event.id, MeetingSession.deleted_at.is_not(None)))


def any_session(event: Event, code: str) -> MeetingSession | None:
    """A session of the event by code, on the agenda or in the bin (for its history)."""
    return db.session.scalar(select(MeetingSession).where(MeetingSession.event_id == event.id,
                                                          MeetingSession.code == code))


def calendar_sessions(event: Event, code: str | None = None) -> list[MeetingSession]:
    """What a calendar shows: the agenda, and the sessions binned while it was public (cancelled)."""
    query = (select(MeetingSession).where(MeetingSession.event_id == event.id)
             .where((MeetingSession.deleted_at.is_(None)) | (MeetingSession.deleted_public.is_(True)))
             .order_by(MeetingSession.starts_at, MeetingSession.code))
    if code is not None:
        query = query.where(MeetingSession.code == code)
    return list(db.session.scalars(query))


def bin_session(session: MeetingSession, by) -> MeetingSession:
    """Move a session to the bin; its people and registered delegates are told when it was public."""
    ensure(can_organise, by, session.event)
    if session.is_binned:
        raise DomainError(_("Session %(code)s is already in the bin.", code=session.code))
    session.deleted_at = utcnow()
    session.deleted_by_id = getattr(by, "id", None)
    session.deleted_public = session.deleted_public or session.event.is_published
    session.sequence = (session.sequence or 0) + 1
    db.session.flush()
    audit("session.bin", user=by, event=session.event, target=f"session:{session.id}", code=session.code)
    notices.queue(session, {"binned": [False, True]}, by)
    return session


def restore_session(session: MeetingSession, by) -> MeetingSession:
    """Put a session from the bin back on the agenda, as it was."""
    ensure(can_organise, by, session.event)
    if not session.is_binned:
        raise DomainError(_("Session %(code)s is not in the bin.", code=session.code))
    session.deleted_at = None
    session.deleted_by_id = None
    session.sequence = (session.sequence or 0) + 1
    db.session.flush()
    audit("session.restore", user=by, event=session.event, target=f"session:{session.id}", code=session.code)
    notices.queue(session, {"binned": [True, False]}, by)
    return session
