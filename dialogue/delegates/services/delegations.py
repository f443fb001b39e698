"""Creating delegations and making people their focal points (organisers only)."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import audit
from ...permissions import can_organise, ensure
from ...sessions.models import Event
from ..models import COUNTRY_KINDS, DELEGATION_KINDS, Delegation, FocalPoint
from .errors import DelegationError
from .names import delegation_name, is_country
from .nominations import _active_count
from .notify import _event_title, external_url


def save_delegation(event: Event, data: dict, by, delegation: Delegation | None = None) -> Delegation:
    """Create or change a delegation (organisers only)."""
    ensure(can_organise, by, event)
    kind = data.get("kind")
    if kind not in DELEGATION_KINDS:
        raise DelegationError(_("Choose a kind of delegation."), "kind")
    country = (data.get("country") or "").strip().upper() or None
    name = (data.get("name") or "").strip()
    if kind in COUNTRY_KINDS:
        if not is_country(country):
            raise DelegationError(_("Choose a country from the list."), "country")
        name = ""
    else:
        country = None
        if not name:
            raise DelegationError(_("Give the name of the organisation."), "name")
    quota = data.get("quota")
    if quota is None or not 1 <= quota <= 10000:
        raise DelegationError(_("The quota must be a number from 1 to 10,000."), "quota")
    if country:
        clash = db.session.scalar(select(Delegation.id).where(Delegation.event_id == event.id, Delegation.country == country))
        if clash is not None and (delegation is None or clash != delegation.id):
            raise DelegationError(_("This country already has a delegation in this event."), "country")
    if delegation is not None:
        held = _active_count(delegation)
        if quota < held:
            raise DelegationError(_("%(count)d delegates already hold a place: the quota cannot be lower.", count=held), "quota")
    created = delegation is None
    if created:
        delegation = Delegation(event=event)
        db.session.add(delegation)
    delegation.kind, delegation.country, delegation.name, delegation.quota = kind, country, name, quota
    db.session.flush()
    audit("delegation.create" if created else "delegation.update", user=by, event=event,
          target=f"delegation:{delegation.id}", kind=kind, country=country or "", name=name, quota=quota)
    return delegation


def invite_focal_point(delegation: Delegation, email: str, name: str, by, lang: str) -> FocalPoint:
    """Make someone a focal point of a delegation; the shared invitation mails them a link to set
    their password (or to sign in, when they have one)."""
    from ...auth import invite

    event = delegation.event
    ensure(can_organise, by, event)
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DelegationError(_("This email address is not valid."), "email") from None
    with force_locale(lang):
        title = _event_title(event, lang)
        dname = delegation_name(delegation, lang)
        subject = _("You are the focal point of %(delegation)s for %(event)s", delegation=dname, event=title)
        intro = _("The organisers of %(event)s have made you the focal point of the delegation of %(delegation)s. "
                  "You nominate its delegates, within a quota of %(quota)d: %(url)s",
                  event=title, delegation=dname, quota=delegation.quota,
                  url=external_url("delegates.delegation", lang=lang, slug=event.slug, delegation_id=delegation.id))
    user = invite(event, email, name, "focal_point", by, lang, subject=subject, intro=intro)
    link = db.session.scalar(select(FocalPoint).where(FocalPoint.user_id == user.id,
                                                      FocalPoint.delegation_id == delegation.id))
    if link is None:
        link = FocalPoint(user=user, delegation=delegation)
        db.session.add(link)
    db.session.flush()
    audit("delegation.focal_point", user=by, event=event, target=f"delegation:{delegation.id}", email=user.email)
    return link
