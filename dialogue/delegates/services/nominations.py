"""Nominating, changing and withdrawing delegates within the quota, one head and one email per event."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...i18n import LANGUAGES
from ...models import audit
from ...permissions import can_edit_delegation, ensure
from ...sessions.models import MeetingSession
from ..models import ACTIVE_STATUSES, Delegate, Delegation, SessionRegistration
from . import notices
from .errors import DelegationError, QuotaReached
from .validation import _first_error, clean_delegate
from .window import ensure_open


def _lock(delegation: Delegation) -> None:
    """Serialise changes to one delegation's places: on PostgreSQL a row lock held until commit,
    so two nominations for the last place run one after the other and the second sees the first."""
    db.session.execute(select(Delegation.id).where(Delegation.id == delegation.id).with_for_update())


def _active_count(delegation: Delegation) -> int:
    return db.session.scalar(select(func.count(Delegate.id)).where(
        Delegate.delegation_id == delegation.id, Delegate.status.in_(ACTIVE_STATUSES))) or 0


def _check_rules(delegation: Delegation, data: dict, delegate: Delegate | None) -> int | None:
    """The rules that depend on other nominations: quota, one head, one email per delegation.

    Returns the id of another delegation of the event that holds a place for the same email, if
    any: that nomination is taken all the same (and reported to the organisers), because refusing
    it would let a focal point test who else is coming."""
    if delegate is None and _active_count(delegation) >= delegation.quota:
        raise QuotaReached(_("The delegation's quota of %(quota)d delegates is reached: withdraw a nomination "
                                "or ask the organisers for more places.", quota=delegation.quota), "")
    if data["role"] == "head":
        other_head = db.session.scalar(select(Delegate.id).where(
            Delegate.delegation_id == delegation.id, Delegate.role == "head",
            Delegate.status.in_(ACTIVE_STATUSES), Delegate.id != (delegate.id if delegate else -1)).limit(1))
        if other_head is not None:
            raise DelegationError(_("The delegation already has a head of delegation."), "role")
    holders = set(db.session.scalars(select(Delegate.delegation_id).where(
        Delegate.event_id == delegation.event_id, Delegate.email == data["email"],
        Delegate.status.in_(ACTIVE_STATUSES), Delegate.id != (delegate.id if delegate else -1))))
    if delegation.id in holders:
        # The focal point's own delegation: nothing they cannot see already.
        raise DelegationError(_("This email address is already registered for this event."), "email") from None
    return min(holders) if holders else None


def _flag_duplicate(delegate: Delegate, elsewhere: int | None) -> None:
    """Mark a nomination whose email another delegation also nominated, on both sides, for the
    organisers' queue; `dialogue reminders send` mails them a notice. The focal point's answer must
    not tell the two cases apart, by its shape or its time: the same statement runs either way and
    writes one row either way, the other delegation's nomination (its flag set, or kept if a third
    delegation set it first) or, without a duplicate, this nomination itself (unchanged)."""
    own = delegate.id if elsewhere is None else -1
    db.session.execute(update(Delegate).where(
        Delegate.event_id == delegate.event_id, Delegate.email == delegate.email,
        Delegate.status.in_(ACTIVE_STATUSES),
        or_(Delegate.delegation_id == (elsewhere if elsewhere is not None else -1), Delegate.id == own))
        .values(also_in_delegation_id=case((Delegate.id == own, Delegate.also_in_delegation_id),
                                           else_=func.coalesce(Delegate.also_in_delegation_id, delegate.delegation_id)))
        .execution_options(synchronize_session=False))


def _unflag(delegate: Delegate) -> None:
    """A nomination that no longer holds a place: the other side's flag pointing here goes."""
    db.session.execute(update(Delegate).where(
        Delegate.event_id == delegate.event_id, Delegate.email == delegate.email,
        Delegate.also_in_delegation_id == delegate.delegation_id)
        .values(also_in_delegation_id=None).execution_options(synchronize_session=False))


def _set_sessions(delegate: Delegate, sessions: list[MeetingSession]) -> None:
    """Sign a delegate up for sessions; a full session refuses new sign-ups. Sign-ups for sessions
    in the bin (which lists and forms no longer show) are kept, for when a session is restored."""
    wanted = {s.id: s for s in sessions}
    current = {r.session_id: r for r in delegate.registrations}
    for sid, reg in current.items():
        if sid not in wanted and not reg.session.is_binned:
            delegate.registrations.remove(reg)
    for sid, s in wanted.items():
        if sid in current:
            continue
        if s.capacity is not None:
            db.session.execute(select(MeetingSession.id).where(MeetingSession.id == sid).with_for_update())
            taken = db.session.scalar(select(func.count(SessionRegistration.id)).join(Delegate).where(
                SessionRegistration.session_id == sid, Delegate.status.in_(ACTIVE_STATUSES))) or 0
            if taken >= s.capacity:
                raise DelegationError(_("Session %(code)s is full (%(capacity)d places).", code=s.code, capacity=s.capacity),
                                      "sessions")
        delegate.registrations.append(SessionRegistration(session=s))


def _flush_or_clash() -> None:
    """Flush in a savepoint; a race the checks could not see ends as a clear message."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DelegationError(_("This email address is already registered for this event."), "email") from None


def nominate(delegation: Delegation, data: dict, by, language: str | None = None) -> Delegate:
    """Nominate a delegate within the quota, with at most one head and one email per delegation; their
    mails in `language` (fr, es or en), else in the nominating focal point's."""
    ensure(can_edit_delegation, by, delegation)
    ensure_open(delegation, by)
    clean, errors = clean_delegate(delegation.event, data)
    if errors:
        raise _first_error(errors)
    _lock(delegation)
    elsewhere = _check_rules(delegation, clean, None)
    delegate = Delegate(delegation=delegation, event_id=delegation.event_id, status="nominated",
                        **{k: v for k, v in clean.items() if k != "sessions"})
    delegate.also_in_delegation_id = elsewhere
    db.session.add(delegate)
    _set_sessions(delegate, clean["sessions"])
    _flush_or_clash()
    _flag_duplicate(delegate, elsewhere)
    if language in LANGUAGES:
        delegate.language = language
    audit("delegate.nominate", user=by, event=delegation.event, target=f"delegate:{delegate.id}",
          delegation=delegation.id, role=delegate.role, also_in=elsewhere)
    notices.nominated(delegate, by)
    return delegate


def update_delegate(delegate: Delegate, data: dict, by) -> Delegate:
    """Change a nomination; only until an organiser has decided on it."""
    delegation = delegate.delegation
    ensure(can_edit_delegation, by, delegation)
    if not delegate.editable:
        raise DelegationError(_("This nomination is already decided and can no longer be changed."), "")
    ensure_open(delegation, by)
    clean, errors = clean_delegate(delegation.event, data)
    if errors:
        raise _first_error(errors)
    _lock(delegation)
    elsewhere = _check_rules(delegation, clean, delegate)
    if clean["email"] != delegate.email:
        _unflag(delegate)
    changed = [k for k, v in clean.items() if k != "sessions" and getattr(delegate, k) != v]
    for name, value in clean.items():
        if name != "sessions":
            setattr(delegate, name, value)
    if elsewhere != delegate.also_in_delegation_id:
        delegate.also_in_delegation_id, delegate.duplicate_noticed_at = elsewhere, None
    _set_sessions(delegate, clean["sessions"])
    _flush_or_clash()
    _flag_duplicate(delegate, elsewhere)
    audit("delegate.update", user=by, event=delegation.event, target=f"delegate:{delegate.id}", fields=changed,
          also_in=elsewhere)
    return delegate


def withdraw(delegate: Delegate, by) -> None:
    """Withdraw a nomination: its place and email are free again; the row stays for the record."""
    ensure(can_edit_delegation, by, delegate.delegation)
    if not delegate.editable:
        raise DelegationError(_("This nomination is already decided and can no longer be changed."), "")
    delegate.status = "withdrawn"
    delegate.registrations.clear()
    _unflag(delegate)
    audit("delegate.withdraw", user=by, event=delegate.delegation.event, target=f"delegate:{delegate.id}")
