"""Accrediting and rejecting nominations (organisers only), telling the focal points."""
from __future__ import annotations

import secrets
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import audit, utcnow
from ...permissions import can_organise, ensure
from ...sessions.models import Event
from ..models import Delegate
from . import notices
from .errors import DelegationError
from .nominations import _unflag
from .notify import _tell_focal_points, _tell_focal_points_many


def accredit(delegate: Delegate, by) -> None:
    """Accredit a nominated delegate and tell the delegation's focal points."""
    event = delegate.delegation.event
    ensure(can_organise, by, event)
    if delegate.status != "nominated":
        raise DelegationError(_("Only a pending nomination can be accredited."), "")
    _mark_accredited(delegate, by)
    _tell_focal_points(delegate)


def _mark_accredited(delegate: Delegate, by, **details) -> None:
    delegate.status = "accredited"
    delegate.reason = ""
    delegate.decided_at = utcnow()
    delegate.badge_code = delegate.badge_code or secrets.token_urlsafe(16)
    audit("delegate.accredit", user=by, event=delegate.delegation.event, target=f"delegate:{delegate.id}", **details)
    notices.decided(delegate)


def accredit_many(event: Event, delegate_ids, by) -> list[Delegate]:
    """Accredit several pending nominations of one event at once (organisers only).

    Each delegate gets its own audit entry, as when accredited one by one; ids of other events and
    nominations already decided (by another organiser meanwhile) are left alone. The focal points
    of each delegation get one message listing its newly accredited delegates, not one per person.
    """
    ensure(can_organise, by, event)
    ids = sorted({int(i) for i in delegate_ids})
    if not ids:
        raise DelegationError(_("Select at least one nomination."), "")
    delegates = db.session.scalars(select(Delegate).where(Delegate.event_id == event.id, Delegate.id.in_(ids),
                                                          Delegate.status == "nominated")
                                   .options(selectinload(Delegate.delegation)).order_by(Delegate.id)
                                   .with_for_update(of=Delegate)).all()
    by_delegation: dict[int, list[Delegate]] = defaultdict(list)
    for delegate in delegates:
        _mark_accredited(delegate, by, bulk=True)
        by_delegation[delegate.delegation_id].append(delegate)
    for people in by_delegation.values():
        if len(people) == 1:
            _tell_focal_points(people[0])
        else:
            _tell_focal_points_many(people)
    return list(delegates)


def reject(delegate: Delegate, reason: str, by) -> None:
    """Reject a nomination with a reason the focal points read."""
    event = delegate.delegation.event
    ensure(can_organise, by, event)
    reason = (reason or "").strip()
    if not reason:
        raise DelegationError(_("Give the reason for the rejection."), "reason")
    if delegate.status != "nominated":
        raise DelegationError(_("Only a pending nomination can be rejected."), "")
    delegate.status = "rejected"
    delegate.reason = reason[:2000]
    delegate.decided_at = utcnow()
    delegate.registrations.clear()
    _unflag(delegate)
    audit("delegate.reject", user=by, event=event, target=f"delegate:{delegate.id}", reason=delegate.reason)
    notices.decided(delegate)
    _tell_focal_points(delegate)
