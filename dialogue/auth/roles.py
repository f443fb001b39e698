"""Who holds which role in an event. The rules built on roles are in dialogue.permissions."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import EventRole, User
from ..permissions import PermissionDenied, has_role, organised_event_ids  # noqa: F401  (re-exported)


def grant_role(user: User, event, role: str) -> EventRole:
    """Give `user` `role` in `event` (once; an existing grant is returned as it is)."""
    existing = db.session.scalar(select(EventRole).where(
        EventRole.user_id == user.id, EventRole.event_id == event.id, EventRole.role == role))
    if existing:
        return existing
    granted = EventRole(user=user, event=event, role=role)
    db.session.add(granted)
    return granted


def events_with_role(user, role: str) -> list:
    """The events in which `user` holds `role` (say, the badge checkers' events for "My work"), in one query."""
    from ..sessions.models import Event  # the sessions domain builds on auth, not the other way round
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(select(Event).join(EventRole, EventRole.event_id == Event.id)
                                   .where(EventRole.user_id == user.id, EventRole.role == role).order_by(Event.id)))
