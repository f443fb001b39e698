"""Changes after accreditation: a focal point asks to replace an accredited delegate by a new person,
or to withdraw them; the organisers accept or refuse. On acceptance the person replaced is withdrawn
(their badge stops verifying) and the replacement is accredited within the quota; both are audited
and the focal points get the decision by mail."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..actions import DomainError
from ..extensions import db
from ..i18n import LANGUAGES
from ..mail import send_mail
from ..models import User, audit, utcnow
from ..permissions import can_organise, can_request_change, ensure
from ..sessions.models import Event
from .models import Delegate, FocalPoint
from .personal_models import ChangeRequest
from .services import notices
from .services.accreditation import _mark_accredited
from .services.names import delegation_name
from .services.nominations import _check_rules, _flush_or_clash, _lock, _set_sessions
from .services.validation import _first_error, clean_delegate

KINDS = ("substitute", "withdraw")


def pending_for(delegate_ids) -> dict[int, ChangeRequest]:
    """The pending request of each of these delegates, in one query."""
    ids = list(delegate_ids)
    if not ids:
        return {}
    return {r.delegate_id: r for r in db.session.scalars(select(ChangeRequest).where(
        ChangeRequest.delegate_id.in_(ids), ChangeRequest.status == "pending"))}


def request_change(delegate: Delegate, kind: str, reason: str, data: dict | None, by) -> ChangeRequest:
    """A focal point asks to replace (`data`: the new person's fields) or withdraw an accredited delegate."""
    delegation = delegate.delegation
    ensure(can_request_change, by, delegation)
    if kind not in KINDS:
        raise DomainError(_("Choose a substitution or a withdrawal."), "kind")
    if delegate.status != "accredited":
        raise DomainError(_("Only an accredited delegate can be replaced or withdrawn this way."))
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise DomainError(_("Give the reason for the request."), "reason")
    if pending_for([delegate.id]):
        raise DomainError(_("A request for this delegate is already waiting for the organisers."))
    replacement: dict = {}
    if kind == "substitute":
        clean, errors = clean_delegate(delegation.event, data or {})
        if errors:
            raise _first_error(errors)
        replacement = {k: v for k, v in clean.items() if k != "sessions"}
        replacement["sessions"] = [s.code for s in clean["sessions"]]
    change = ChangeRequest(event_id=delegation.event_id, delegation_id=delegation.id, delegate_id=delegate.id,
                           kind=kind, reason=reason, replacement=replacement, requested_by_id=by.id)
    _lock(delegation)  # PostgreSQL: two requests of one delegation at once run one after the other
    db.session.add(change)
    db.session.flush()
    # The same request sent twice at once (a double click, two focal points): with this row written, the
    # other one is committed and seen here (PostgreSQL's lock above, SQLite's one writer), or waits for us.
    if db.session.scalar(select(func.count(ChangeRequest.id)).where(
            ChangeRequest.delegate_id == delegate.id, ChangeRequest.status == "pending")) > 1:
        raise DomainError(_("A request for this delegate is already waiting for the organisers."))
    audit(f"delegate.{kind}_request", user=by, event=delegation.event, target=f"delegate:{delegate.id}",
          request=change.id, reason=reason, replacement=replacement.get("email"))
    return change


def pending_changes(event: Event) -> list[ChangeRequest]:
    """The requests waiting for the organisers, oldest first (one query with their delegates)."""
    return list(db.session.scalars(select(ChangeRequest).where(
        ChangeRequest.event_id == event.id, ChangeRequest.status == "pending").order_by(ChangeRequest.id)
        .options(selectinload(ChangeRequest.delegate), selectinload(ChangeRequest.delegation))))


def decide(change: ChangeRequest, accept: bool, reason: str, by) -> Delegate | None:
    """Accept or refuse a request (organisers); on a substitution returns the new accredited delegate."""
    delegate = change.delegate
    delegation = change.delegation
    event = delegation.event
    ensure(can_organise, by, event)
    _claim(change, by)
    reason = (reason or "").strip()[:2000]
    if not accept and not reason:
        raise DomainError(_("Give the reason for the refusal."), "reason")
    replacement = None
    if accept:
        if delegate.status != "accredited":
            raise DomainError(_("This delegate is no longer accredited."))
        _lock(delegation)
        delegate.status = "withdrawn"
        delegate.registrations.clear()
        db.session.flush()
        audit("delegate.withdraw", user=by, event=event, target=f"delegate:{delegate.id}", request=change.id,
              reason=change.reason, badge=delegate.badge_code)
        if change.kind == "substitute":
            replacement = _replace(change, by)
    change.status = "accepted" if accept else "refused"
    change.decision_reason, change.decided_by_id, change.decided_at = reason, by.id, utcnow()
    audit(f"delegate.{change.kind}_{change.status}", user=by, event=event, target=f"delegate:{delegate.id}",
          request=change.id, reason=reason, replacement=replacement.id if replacement else None)
    _tell_focal_points(change, replacement)
    return replacement


def _claim(change: ChangeRequest, by) -> None:
    """Take the decision of a pending request, or say it is already decided. Two organisers deciding
    at once: a conditional UPDATE is the transaction's first write, so the second waits for the first
    to end (PostgreSQL's row lock, SQLite's one writer) and then matches no row. A SELECT ... FOR UPDATE
    would not do on SQLite, which ignores it and reads before either has written."""
    claimed = db.session.execute(
        update(ChangeRequest).where(ChangeRequest.id == change.id, ChangeRequest.status == "pending")
        .values(decided_by_id=by.id, decided_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise DomainError(_("This request is already decided."))
    db.session.refresh(change)  # what was read before the claim may be another organiser's past
    db.session.refresh(change.delegate)


def _replace(change: ChangeRequest, by) -> Delegate:
    """The new person, accredited in the place the replaced one left (same rules as a nomination)."""
    delegation = change.delegation
    data = dict(change.replacement)
    clean, errors = clean_delegate(delegation.event, data)
    if errors:
        raise _first_error(errors)
    _check_rules(delegation, clean, None)
    person = Delegate(delegation=delegation, event_id=delegation.event_id, status="nominated",
                      **{k: v for k, v in clean.items() if k != "sessions"})
    db.session.add(person)
    _set_sessions(person, clean["sessions"])
    _flush_or_clash()
    requester = db.session.get(User, change.requested_by_id) if change.requested_by_id else None
    notices.set_language(person, requester)
    change.replacement_id = person.id
    _mark_accredited(person, by, substitutes=change.delegate_id, request=change.id)
    return person


def _tell_focal_points(change: ChangeRequest, replacement: Delegate | None) -> None:
    delegation = change.delegation
    event = delegation.event
    from .services.notify import _event_title, external_url
    points = db.session.scalars(select(FocalPoint).where(FocalPoint.delegation_id == delegation.id)
                                .options(selectinload(FocalPoint.user))).all()
    old = f"{change.delegate.given_name} {change.delegate.family_name}"
    new = f"{replacement.given_name} {replacement.family_name}" if replacement else ""
    for point in points:
        lang = point.user.locale if point.user.locale in LANGUAGES else event.original_language
        with force_locale(lang):
            values = {"event": _event_title(event, lang), "name": old, "new": new,
                      "delegation": delegation_name(delegation, lang), "reason": change.decision_reason,
                      "url": external_url("delegates.delegation", lang=lang, slug=event.slug, delegation_id=delegation.id)}
            if change.status == "accepted" and replacement is not None:
                subject = _("Substitution accepted: %(new)s replaces %(name)s", **values)
                body = _("Hello,\n\nThe organisers of %(event)s accepted the substitution in the delegation of "
                         "%(delegation)s: %(new)s is accredited in place of %(name)s, whose badge is no longer valid."
                         "\n\nYour delegation: %(url)s", **values)
            elif change.status == "accepted":
                subject = _("Withdrawal accepted: %(name)s", **values)
                body = _("Hello,\n\nThe organisers of %(event)s accepted the withdrawal of %(name)s (%(delegation)s); "
                         "their badge is no longer valid.\n\nYour delegation: %(url)s", **values)
            else:
                subject = _("Request refused for %(name)s", **values)
                body = _("Hello,\n\nThe organisers of %(event)s refused your request about %(name)s (%(delegation)s)."
                         "\n\nReason: %(reason)s\n\nYour delegation: %(url)s", **values)
        send_mail(point.user.email, subject, body, event)
