"""Delegates' own details: what an event asks for, the signed link, the delegate's answers, erasure.

The details live in their own table (`delegate_details`), seen only by the delegation's focal
points and the event's organisers (`can_see_personal_details`), never in the participants'
lists or files, and erased `erase_after_days` after the event's last day (`dialogue
personal-data erase`, or the `dialogue.erase_personal_data` task a worker runs).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from ..actions import DomainError
from ..extensions import db
from ..i18n import LANGUAGES
from ..mail import send_mail
from ..models import audit, utcnow
from ..permissions import PermissionDenied, can_organise, can_see_personal_details, ensure
from ..sessions.models import Event
from .details_jobs import erase_files
from .models import ACTIVE_STATUSES, Delegate, Delegation
from .personal_models import DETAIL_FIELDS, DelegateDetails, DetailsPolicy

DEFAULT_ERASE_DAYS = 30
#: The oldest and youngest plausible delegate, in years, at the event.
OLDEST, YOUNGEST = 110, 12


def policy(event: Event) -> DetailsPolicy:
    """What the event asks for (a default, not stored, when the organisers chose nothing)."""
    found = db.session.scalar(select(DetailsPolicy).where(DetailsPolicy.event_id == event.id))
    return found or DetailsPolicy(event_id=event.id, fields=[], erase_after_days=DEFAULT_ERASE_DAYS)


def asked_fields(event: Event) -> list[str]:
    """The fields the event asks for, in the form's order."""
    wanted = set(policy(event).fields or [])
    return [f for f in DETAIL_FIELDS if f in wanted]


def save_policy(event: Event, fields, erase_after_days, by) -> DetailsPolicy:
    """Choose the personal fields asked for and how long they are kept (organisers only)."""
    ensure(can_organise, by, event)
    chosen = [f for f in DETAIL_FIELDS if f in set(fields or [])]
    if not isinstance(erase_after_days, int) or not 0 <= erase_after_days <= 3650:
        raise DomainError(_("Give a number of days between 0 and 3650."), "erase_after_days")
    found = db.session.scalar(select(DetailsPolicy).where(DetailsPolicy.event_id == event.id))
    if found is None:
        found = DetailsPolicy(event_id=event.id)
        db.session.add(found)
    found.fields, found.erase_after_days = chosen, erase_after_days
    audit("personal_data.policy", user=by, event=event, fields=chosen, erase_after_days=erase_after_days)
    return found


def erase_on(event: Event, days: int | None = None) -> date:
    """The day the event's personal details are erased."""
    return event.ends_on + timedelta(days=policy(event).erase_after_days if days is None else days)


# --- the signed link ------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="delegate-details")


def details_token(delegate: Delegate) -> str:
    """A signed link token; it dies with its age, a change of the delegate's email or their withdrawal."""
    return _serializer().dumps({"d": delegate.id, "e": delegate.email})


def delegate_from_token(token: str) -> Delegate:
    """The delegate a details link was sent to, or a clear refusal (expired, forged, no longer valid)."""
    days = current_app.config.get("DETAILS_LINK_MAX_AGE_DAYS") or 21
    try:
        data = _serializer().loads(token, max_age=days * 86400)
    except SignatureExpired:
        raise PermissionDenied(_("This link has expired. Ask your focal point for a new one.")) from None
    except BadSignature:
        raise PermissionDenied(_("This link is not valid.")) from None
    delegate = db.session.get(Delegate, data.get("d")) if isinstance(data, dict) and isinstance(data.get("d"), int) else None
    if delegate is None or delegate.email != data.get("e") or delegate.status not in ACTIVE_STATUSES:
        raise PermissionDenied(_("This link is no longer valid. Ask your focal point for a new one."))
    event = delegate.delegation.event
    if not asked_fields(event) or date.today() >= erase_on(event):
        raise PermissionDenied(_("This event no longer collects personal details."))
    return delegate


def details_url(delegate: Delegate, lang: str) -> str:
    from .services.notify import external_url
    return external_url("delegate_details.form", lang=lang, token=details_token(delegate))


def mail_language(delegate: Delegate) -> str:
    """The language of mails to a delegate: theirs, else the event's."""
    if delegate.language in LANGUAGES:
        return delegate.language
    event = delegate.delegation.event
    return event.original_language if event.original_language in LANGUAGES else "en"


def send_link(delegate: Delegate, by) -> None:
    """Mail a delegate the link to their details page, in their language (the delegation's focal points)."""
    delegation = delegate.delegation
    ensure(can_see_personal_details, by, delegation)
    event = delegation.event
    if not asked_fields(event):
        raise DomainError(_("This event asks for no personal details."))
    if delegate.status not in ACTIVE_STATUSES:
        raise DomainError(_("Only a nominated or accredited delegate gets a link."))
    lang = mail_language(delegate)
    send_mail(delegate.email, *link_mail(delegate, lang), event)
    audit("personal_data.link", user=by, event=event, target=f"delegate:{delegate.id}")


def link_mail(delegate: Delegate, lang: str) -> tuple[str, str]:
    """(subject, body) of the mail with the details link, in `lang`."""
    from .services.notify import _event_title
    event = delegate.delegation.event
    with force_locale(lang):
        title = _event_title(event, lang)
        subject = _("Your details for %(event)s", event=title)
        body = _("Hello %(name)s,\n\nThe organisers of %(event)s ask for a few personal details. Please give "
                 "them on this page (no account needed; the link works for %(days)d days):\n\n%(url)s",
                 name=f"{delegate.given_name} {delegate.family_name}", event=title,
                 days=current_app.config.get("DETAILS_LINK_MAX_AGE_DAYS") or 21, url=details_url(delegate, lang))
    return subject, body


# --- the delegate's answers -----------------------------------------------------------------------

def details_of(delegate: Delegate) -> DelegateDetails | None:
    return db.session.scalar(select(DelegateDetails).where(DelegateDetails.delegate_id == delegate.id))


def check(event: Event, data: dict) -> None:
    """The rules across fields: dates in order, a plausible date of birth, a known nationality."""
    from .services.names import countries
    today = date.today()
    born = data.get("birth_date")
    if born is not None:
        if born > today or born > event.starts_on.replace(year=event.starts_on.year - YOUNGEST):
            raise DomainError(_("This date of birth is not plausible for a delegate."), "birth_date")
        if born < today.replace(year=today.year - OLDEST):
            raise DomainError(_("This date of birth is not plausible for a delegate."), "birth_date")
    arrival, departure = data.get("arrival_date"), data.get("departure_date")
    if arrival is not None and arrival > event.ends_on:
        raise DomainError(_("The arrival is after the end of the event."), "arrival_date")
    if departure is not None and departure < event.starts_on:
        raise DomainError(_("The departure is before the start of the event."), "departure_date")
    if arrival is not None and departure is not None and departure < arrival:
        raise DomainError(_("The departure is before the arrival."), "departure_date")
    nationality = data.get("nationality")
    if nationality is not None and nationality not in dict(countries("en")):
        raise DomainError(_("Choose a nationality from the list."), "nationality")


def save_details(delegate: Delegate, data: dict, lang: str) -> DelegateDetails:
    """Store what the delegate gave through their link (only the fields the event asks for)."""
    event = delegate.delegation.event
    asked = asked_fields(event)
    clean = {k: v for k, v in data.items() if k in asked}
    if isinstance(clean.get("document_number"), str):
        clean["document_number"] = clean["document_number"].strip().upper()[:40] or None
    check(event, clean)
    found = details_of(delegate)
    if found is None:
        found = DelegateDetails(delegate_id=delegate.id, event_id=event.id)
        db.session.add(found)
    for name, value in clean.items():
        setattr(found, name, value)
    found.updated_at = utcnow()
    if lang in LANGUAGES:
        delegate.language = lang
    audit("personal_data.save", user=None, event=event, target=f"delegate:{delegate.id}", fields=sorted(clean))
    return found


def set_language(delegate: Delegate, lang: str, by) -> None:
    """The language of mails to a delegate, as their focal point knows it (fr, es or en)."""
    ensure(can_see_personal_details, by, delegate.delegation)
    if lang not in LANGUAGES:
        raise DomainError(_("Choose French, Spanish or English."), "language")
    delegate.language = lang
    audit("delegate.language", user=by, event=delegate.delegation.event, target=f"delegate:{delegate.id}", language=lang)


def missing(details: DelegateDetails | None, asked: list[str]) -> list[str]:
    """The asked fields still empty (the visa letter is a yes or no: unticked is an answer)."""
    return [f for f in asked if f != "visa_letter" and (details is None or getattr(details, f) is None)]


def delegation_completeness(delegation: Delegation, by) -> list[tuple[Delegate, DelegateDetails | None, list[str]]]:
    """Each active delegate of a delegation with their details and the asked fields still missing, in two queries."""
    ensure(can_see_personal_details, by, delegation, status=404)
    asked = asked_fields(delegation.event)
    people = db.session.scalars(select(Delegate).where(Delegate.delegation_id == delegation.id,
                                                       Delegate.status.in_(ACTIVE_STATUSES))
                                .order_by(Delegate.sort_name, Delegate.id)).all()
    found = {d.delegate_id: d for d in db.session.scalars(select(DelegateDetails).join(Delegate).where(
        Delegate.delegation_id == delegation.id))}
    return [(p, found.get(p.id), missing(found.get(p.id), asked)) for p in people]


# --- erasure --------------------------------------------------------------------------------------

def erase_due(today: date | None = None) -> dict[int, int]:
    """Erase the personal details of every event past its erasure day: {event id: rows erased}, audited."""
    today = today or date.today()
    days = func.coalesce(DetailsPolicy.erase_after_days, DEFAULT_ERASE_DAYS)
    events = db.session.execute(select(Event, days).outerjoin(DetailsPolicy, DetailsPolicy.event_id == Event.id)
                                .where(Event.id.in_(select(DelegateDetails.event_id).distinct()))).all()
    erased: dict[int, int] = {}
    for event, keep in events:
        if today < event.ends_on + timedelta(days=keep):
            continue
        count = db.session.execute(delete(DelegateDetails).where(DelegateDetails.event_id == event.id)).rowcount
        files = erase_files(event.id)  # the exports made of them go too
        audit("personal_data.erase", user=None, event=event, count=count, after_days=keep, files=files)
        erased[event.id] = count
    return erased
