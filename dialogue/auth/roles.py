"""Who holds which role in an event, and the guards that check it."""
from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import EventRole, User


class PermissionDenied(Exception):
    """Raised by services when a user may not do something."""


ROLE_LABELS = {"organiser": _l("organiser"), "focal_point": _l("focal point"), "rapporteur": _l("rapporteur")}


def has_role(user, event, *roles: str) -> bool:
    """Whether `user` holds one of `roles` in `event` (admins are organisers everywhere)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin and "organiser" in roles:
        return True
    return db.session.scalar(
        select(EventRole.id).where(EventRole.user_id == user.id, EventRole.event_id == event.id,
                                   EventRole.role.in_(roles)).limit(1)) is not None


def organised_event_ids(user) -> set[int] | None:
    """Ids of the events `user` organises, in one query; None means every event (an admin)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if user.is_admin:
        return None
    return set(db.session.scalars(select(EventRole.event_id).where(
        EventRole.user_id == user.id, EventRole.role == "organiser")))


def ensure_organiser(user, event) -> None:
    """Raise PermissionDenied unless `user` organises `event`."""
    if not has_role(user, event, "organiser"):
        raise PermissionDenied(_("Only the organisers of this event may do this."))


def grant_role(user: User, event, role: str) -> EventRole:
    """Give `user` `role` in `event` (once; an existing grant is returned as it is)."""
    existing = db.session.scalar(select(EventRole).where(
        EventRole.user_id == user.id, EventRole.event_id == event.id, EventRole.role == role))
    if existing:
        return existing
    granted = EventRole(user=user, event=event, role=role)
    db.session.add(granted)
    return granted


def require_role(event, *roles: str) -> None:
    """View guard: sign-in page for visitors, 403 for users without the role."""
    from ..extensions import login_manager
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not has_role(current_user, event, *roles):
        abort(403)
