"""Registering delegations: focal points, nominations within quotas, accreditation, sign-ups.

Every function takes objects, checks who may act, raises `DelegationError` with a message for
the user and the field it concerns, records an audit entry, and leaves the commit to the caller.
"""
from __future__ import annotations

import secrets
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import force_locale, pgettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..actions import DomainError
from ..extensions import db
from ..i18n import LANGUAGES
from ..mail import send_mail
from ..models import audit, utcnow
from ..permissions import can_edit_delegation, can_organise, ensure
from ..sessions.labels import GENDER_LABELS
from ..sessions.models import GENDERS, Event, MeetingSession
from .labels import ATTENDANCE_LABELS, DELEGATE_ROLE_LABELS, SALUTATION_LABELS
from .models import (
    ACTIVE_STATUSES,
    ATTENDANCE,
    COUNTRY_KINDS,
    DELEGATE_ROLES,
    DELEGATION_KINDS,
    SALUTATIONS,
    Delegate,
    Delegation,
    FocalPoint,
    SessionRegistration,
)


class DelegationError(DomainError):
    """Invalid input or a rule that does not hold, with a message and the field it concerns."""


class QuotaReached(DelegationError):
    """The delegation has no free place."""

    status = 409


# --- countries and collation -----------------------------------------------------------------

#: CLDR territory codes that are not countries of ISO 3166-1 (regions, reserved codes, unknown).
NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})


def is_country(code: str | None) -> bool:
    return bool(code) and len(code) == 2 and code.isalpha() and code.isupper() and code not in NOT_COUNTRIES \
        and code in Locale.parse("en").territories


def country_name(code: str, lang: str) -> str:
    """The name of a country in `lang`, from Babel's CLDR data."""
    return Locale.parse(lang).territories.get(code, code)


@lru_cache(maxsize=1)
def _collator():
    import pyuca
    return pyuca.Collator()


def collation_key(text: str, lang: str) -> tuple:
    """Sort key in the alphabet of `lang`: the Unicode Collation Algorithm (accents are secondary,
    so Pérou files under P in French), with Spanish's tailoring of ñ as a letter after n."""
    text = text.casefold()
    if lang == "es":
        text = text.replace("ñ", "n\U000ffffd")
    return _collator().sort_key(text)


@lru_cache(maxsize=3)
def countries(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every country, sorted in `lang`'s alphabet, for select boxes."""
    names = Locale.parse(lang).territories
    codes = [c for c in names if is_country(c)]
    return sorted(((c, names[c]) for c in codes), key=lambda item: collation_key(item[1], lang))


def elides(name: str) -> bool:
    """Whether French elides "de" before this name: "d’Ana", "d’Hélène", "d’Yves", "d’Œdipe" but
    "de Pedro", "de Yolanda", "de 王丽". Given names with an h are taken as mute h ("d’Henri")."""
    letters = [c.casefold() for c in unicodedata.normalize("NFD", name) if c.isalpha()]
    if not letters:
        return False
    first, rest = letters[0], letters[1:2]
    if first in "aeiouœæ" or first == "h":
        return True
    return first == "y" and bool(rest) and rest[0] not in "aeiouy"


def about(name: str, plain: str, elided: str) -> str:
    """Of two translations of one message around `name`, the one for it: the "elided" form (message
    context "elided") where French writes "d’Ana"; the same text as `plain` in other languages."""
    return elided if elides(name) else plain


def agree(gender: str, neutral: str, female: str, male: str) -> str:
    """Of three translations of one message about a person, the one that agrees with their gender:
    "est accréditée", "está acreditado"; "accrédité·e", "acreditado/a" when it is not stated."""
    return {"female": female, "male": male}.get(gender, neutral)


def delegation_name(delegation: Delegation, lang: str) -> str:
    if delegation.country:
        return country_name(delegation.country, lang)
    return delegation.name


def my_delegations(user) -> list[Delegation]:
    """The delegations this user is a focal point of, with their events."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(Delegation).join(FocalPoint).where(FocalPoint.user_id == user.id)
        .options(selectinload(Delegation.event)).order_by(Delegation.event_id, Delegation.id)))


# --- delegations and focal points -------------------------------------------------------------

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
    from ..auth import invite

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


def _external(path: str) -> str:
    return current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/") + path


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, also from the CLI or a job, where there is no request."""
    from flask import has_request_context
    if has_request_context():
        return _external(url_for(endpoint, **values))
    with current_app.test_request_context():
        return _external(url_for(endpoint, **values))


def _event_title(event: Event, lang: str) -> str:
    from ..i18n import pick
    return pick(event.title, lang, event.original_language).text


# --- validating a nomination ------------------------------------------------------------------

#: The fields of a nomination, in the order forms, files and the API use.
FIELDS = ("salutation", "given_name", "family_name", "function", "email", "gender", "role", "attendance", "sessions")
LIMITS = {"given_name": 120, "family_name": 120, "function": 300, "email": 254}


def clean_delegate(event: Event, data: dict) -> tuple[dict, dict[str, str]]:
    """Normalise a nomination's fields; returns (clean data, {field: message} of what is wrong).

    Names are kept as typed (only surrounding spaces go, and the text is put in Unicode NFC, so that
    "José" typed with a combining accent is the same "José"): accents, Ñ, ç, Arabic and Chinese are
    data, not noise.
    """
    errors: dict[str, str] = {}
    out: dict = {}
    for name in ("given_name", "family_name", "function", "email", "salutation", "gender", "role", "attendance"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            errors[name] = _("Give this as text.")
    for name in ("given_name", "family_name", "function"):
        value = data.get(name)
        value = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else ""
        out[name] = value
        if name not in errors and len(value) > LIMITS[name]:
            errors[name] = _("At most %(max)d characters.", max=LIMITS[name])
    if not out["given_name"]:
        errors.setdefault("given_name", _("Give the given name."))
    if not out["family_name"]:
        errors.setdefault("family_name", _("Give the family name."))
    email = data.get("email")
    email = email.strip() if isinstance(email, str) else ""
    if "email" in errors:
        pass
    elif not email:
        errors["email"] = _("Give the email address.")
    else:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = _("This email address is not valid.")
    out["email"] = email.lower()
    for name, allowed, default in (("salutation", SALUTATIONS, "none"), ("gender", GENDERS, "undisclosed"),
                                   ("role", DELEGATE_ROLES, "member"), ("attendance", ATTENDANCE, "in_person")):
        value = data.get(name)
        value = value.strip() if isinstance(value, str) and value.strip() else default
        if name not in errors and value not in allowed:
            errors[name] = _("Choose one of: %(choices)s.", choices=", ".join(allowed))
        out[name] = value
    codes = data.get("sessions") or []
    if isinstance(codes, str):
        codes = codes.replace(";", " ").replace(",", " ").split()
    if not isinstance(codes, (list, tuple)):
        errors["sessions"] = _("Give a list of session codes.")
        codes = []
    codes = [str(c).strip() for c in codes if str(c).strip()]
    known = {s.code: s for s in _sessions_by_code(event, codes)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["sessions"] = _("No session with the code %(codes)s in this event.", codes=", ".join(unknown))
    out["sessions"] = [known[c] for c in dict.fromkeys(codes) if c in known]
    return out, errors


def _sessions_by_code(event: Event, codes: list[str]) -> list[MeetingSession]:
    if not codes:
        return []
    return list(db.session.scalars(select(MeetingSession).where(
        MeetingSession.event_id == event.id, MeetingSession.code.in_(codes))))


def _first_error(errors: dict[str, str]) -> DelegationError:
    name = next(f for f in FIELDS if f in errors)
    return DelegationError(errors[name], name)


# --- nominating -------------------------------------------------------------------------------

def _lock(delegation: Delegation) -> None:
    """Serialise changes to one delegation's places: on PostgreSQL a row lock held until commit,
    so two nominations for the last place run one after the other and the second sees the first."""
    db.session.execute(select(Delegation.id).where(Delegation.id == delegation.id).with_for_update())


def _active_count(delegation: Delegation) -> int:
    return db.session.scalar(select(func.count(Delegate.id)).where(
        Delegate.delegation_id == delegation.id, Delegate.status.in_(ACTIVE_STATUSES))) or 0


def _check_rules(delegation: Delegation, data: dict, delegate: Delegate | None) -> None:
    """The rules that depend on other nominations: quota, one head, one email per event."""
    if delegate is None and _active_count(delegation) >= delegation.quota:
        raise QuotaReached(_("The delegation's quota of %(quota)d delegates is reached: withdraw a nomination "
                                "or ask the organisers for more places.", quota=delegation.quota), "")
    if data["role"] == "head":
        other_head = db.session.scalar(select(Delegate.id).where(
            Delegate.delegation_id == delegation.id, Delegate.role == "head",
            Delegate.status.in_(ACTIVE_STATUSES), Delegate.id != (delegate.id if delegate else -1)).limit(1))
        if other_head is not None:
            raise DelegationError(_("The delegation already has a head of delegation."), "role")
    taken = db.session.scalar(select(Delegate.id).where(
        Delegate.event_id == delegation.event_id, Delegate.email == data["email"],
        Delegate.status.in_(ACTIVE_STATUSES), Delegate.id != (delegate.id if delegate else -1)).limit(1))
    if taken is not None:
        raise DelegationError(_("This email address is already registered for this event."), "email") from None


def _set_sessions(delegate: Delegate, sessions: list[MeetingSession]) -> None:
    """Sign a delegate up for sessions; a full session refuses new sign-ups."""
    wanted = {s.id: s for s in sessions}
    current = {r.session_id: r for r in delegate.registrations}
    for sid, reg in current.items():
        if sid not in wanted:
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


def nominate(delegation: Delegation, data: dict, by) -> Delegate:
    """Nominate a delegate within the quota, with at most one head and one email per event."""
    ensure(can_edit_delegation, by, delegation)
    clean, errors = clean_delegate(delegation.event, data)
    if errors:
        raise _first_error(errors)
    _lock(delegation)
    _check_rules(delegation, clean, None)
    delegate = Delegate(delegation=delegation, event_id=delegation.event_id, status="nominated",
                        **{k: v for k, v in clean.items() if k != "sessions"})
    db.session.add(delegate)
    _set_sessions(delegate, clean["sessions"])
    _flush_or_clash()
    audit("delegate.nominate", user=by, event=delegation.event, target=f"delegate:{delegate.id}",
          delegation=delegation.id, role=delegate.role)
    return delegate


def update_delegate(delegate: Delegate, data: dict, by) -> Delegate:
    """Change a nomination; only until an organiser has decided on it."""
    delegation = delegate.delegation
    ensure(can_edit_delegation, by, delegation)
    if not delegate.editable:
        raise DelegationError(_("This nomination is already decided and can no longer be changed."), "")
    clean, errors = clean_delegate(delegation.event, data)
    if errors:
        raise _first_error(errors)
    _lock(delegation)
    _check_rules(delegation, clean, delegate)
    changed = [k for k, v in clean.items() if k != "sessions" and getattr(delegate, k) != v]
    for name, value in clean.items():
        if name != "sessions":
            setattr(delegate, name, value)
    _set_sessions(delegate, clean["sessions"])
    _flush_or_clash()
    audit("delegate.update", user=by, event=delegation.event, target=f"delegate:{delegate.id}", fields=changed)
    return delegate


def withdraw(delegate: Delegate, by) -> None:
    """Withdraw a nomination: its place and email are free again; the row stays for the record."""
    ensure(can_edit_delegation, by, delegate.delegation)
    if not delegate.editable:
        raise DelegationError(_("This nomination is already decided and can no longer be changed."), "")
    delegate.status = "withdrawn"
    delegate.registrations.clear()
    audit("delegate.withdraw", user=by, event=delegate.delegation.event, target=f"delegate:{delegate.id}")


# --- accreditation ----------------------------------------------------------------------------

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
    audit("delegate.reject", user=by, event=event, target=f"delegate:{delegate.id}", reason=delegate.reason)
    _tell_focal_points(delegate)


def _tell_focal_points(delegate: Delegate) -> None:
    delegation = delegate.delegation
    event = delegation.event
    points = db.session.scalars(select(FocalPoint).where(FocalPoint.delegation_id == delegation.id)
                                .options(selectinload(FocalPoint.user))).all()
    for point in points:
        lang = point.user.locale if point.user.locale in LANGUAGES else event.original_language
        with force_locale(lang):
            who = f"{delegate.given_name} {delegate.family_name}"
            title = _event_title(event, lang)
            url = external_url("delegates.delegation", lang=lang, slug=event.slug, delegation_id=delegation.id)
            if delegate.status == "accredited":
                g = delegate.gender
                subject = agree(g, _("%(name)s is accredited to %(event)s", name=who, event=title),
                                pgettext("female", "%(name)s is accredited to %(event)s", name=who, event=title),
                                pgettext("male", "%(name)s is accredited to %(event)s", name=who, event=title))
                values = {"name": who, "delegation": delegation_name(delegation, lang), "event": title, "url": url}
                body = agree(g, _("Hello,\n\n%(name)s (%(delegation)s) is accredited to %(event)s.\n\n"
                                  "Your delegation: %(url)s", **values),
                             pgettext("female", "Hello,\n\n%(name)s (%(delegation)s) is accredited to %(event)s.\n\n"
                                      "Your delegation: %(url)s", **values),
                             pgettext("male", "Hello,\n\n%(name)s (%(delegation)s) is accredited to %(event)s.\n\n"
                                      "Your delegation: %(url)s", **values))
            else:
                subject = about(who, _("The nomination of %(name)s to %(event)s is rejected", name=who, event=title),
                                pgettext("elided", "The nomination of %(name)s to %(event)s is rejected",
                                         name=who, event=title))
                values = {"name": who, "delegation": delegation_name(delegation, lang), "event": title,
                              "reason": delegate.reason, "url": url}
                body = about(who, _("Hello,\n\nThe organisers of %(event)s rejected the nomination of %(name)s "
                                    "(%(delegation)s).\n\nReason: %(reason)s\n\nYour delegation: %(url)s", **values),
                             pgettext("elided", "Hello,\n\nThe organisers of %(event)s rejected the nomination of "
                                      "%(name)s (%(delegation)s).\n\nReason: %(reason)s\n\nYour delegation: %(url)s",
                                      **values))
        send_mail(point.user.email, subject, body, event)


def _tell_focal_points_many(delegates: list[Delegate]) -> None:
    """One message to each focal point of a delegation for several accreditations at once."""
    delegation = delegates[0].delegation
    event = delegation.event
    points = db.session.scalars(select(FocalPoint).where(FocalPoint.delegation_id == delegation.id)
                                .options(selectinload(FocalPoint.user))).all()
    names = "\n".join(f"- {d.given_name} {d.family_name}" for d in delegates)
    for point in points:
        lang = point.user.locale if point.user.locale in LANGUAGES else event.original_language
        with force_locale(lang):
            title = _event_title(event, lang)
            dname = delegation_name(delegation, lang)
            url = external_url("delegates.delegation", lang=lang, slug=event.slug, delegation_id=delegation.id)
            subject = _("%(count)d delegates of %(delegation)s are accredited to %(event)s",
                        count=len(delegates), delegation=dname, event=title)
            body = _("Hello,\n\nThese delegates of %(delegation)s are accredited to %(event)s:\n\n%(names)s\n\n"
                     "Your delegation: %(url)s", delegation=dname, event=title, names=names, url=url)
        send_mail(point.user.email, subject, body, event)


# --- bulk import ------------------------------------------------------------------------------

@dataclass
class RowError:
    row: int
    field: str
    message: str


#: Email of the example row of the import template; a file that still has that row is refused.
EXAMPLE_EMAIL = "maria.nunez@example.org"


def _choice_message(name: str, value) -> str | None:
    """For a file: the values a choice column accepts, as labels in the user's language."""
    labels = {"salutation": SALUTATION_LABELS, "gender": GENDER_LABELS, "role": DELEGATE_ROLE_LABELS,
              "attendance": ATTENDANCE_LABELS}.get(name)
    if labels is None or not isinstance(value, str):
        return None
    choices = ", ".join(str(label) for code, label in labels.items() if code != "none")
    # No full stop after the list: labels such as "Prof." end with one.
    return _("\"%(value)s\" is not accepted here. Write one of: %(choices)s", value=value.strip(), choices=choices)


class ImportFailed(DelegationError):
    """A file with errors: nothing was imported; each error names its row and field."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("Nothing was imported: correct the rows below and upload the file again."), "file")
        self.errors = errors


def import_delegates(delegation: Delegation, rows: list[tuple[int, dict]], by) -> list[Delegate]:
    """Nominate every row or none: a single wrong row, or too many rows for the quota, imports nothing.

    `rows` are (row number in the file, {field: value}). The caller rolls back on ImportFailed.
    """
    ensure(can_edit_delegation, by, delegation)
    errors: list[RowError] = []
    cleaned: list[tuple[int, dict]] = []
    seen_emails: dict[str, int] = {}
    heads = []
    for number, data in rows:
        clean, row_errors = clean_delegate(delegation.event, data)
        for name in FIELDS:
            if name in row_errors:
                message = _choice_message(name, data.get(name)) if name in ("salutation", "gender", "role", "attendance") \
                    else None
                errors.append(RowError(number, name, message or row_errors[name]))
        if clean["email"] == EXAMPLE_EMAIL:
            errors.append(RowError(number, "email", _("This is the template's example row: delete it or write over it.")))
        if clean["email"] and "email" not in row_errors:
            if clean["email"] in seen_emails:
                errors.append(RowError(number, "email", _("The same email address is on row %(row)d.", row=seen_emails[clean["email"]])))
            seen_emails.setdefault(clean["email"], number)
        if clean["role"] == "head":
            heads.append(number)
        cleaned.append((number, clean))
    if len(heads) > 1:
        errors.append(RowError(heads[1], "role", _("Only one head of delegation: rows %(rows)s all say head.",
                                                  rows=", ".join(map(str, heads)))))
    if not rows:
        errors.append(RowError(0, "file", _("The file has no delegates.")))
    if errors:
        raise ImportFailed(errors)
    _lock(delegation)
    free = delegation.quota - _active_count(delegation)
    if len(cleaned) > free:
        raise ImportFailed([RowError(0, "file", _("The file has %(rows)d delegates but only %(free)d places are free in the quota.",
                                                  rows=len(cleaned), free=max(free, 0)))])
    made = []
    for number, clean in cleaned:
        try:
            made.append(nominate(delegation, clean | {"sessions": [s.code for s in clean["sessions"]]}, by))
        except DelegationError as error:
            errors.append(RowError(number, error.field or "file", error.message))
    if errors:
        raise ImportFailed(errors)
    audit("delegate.import", user=by, event=delegation.event, target=f"delegation:{delegation.id}", rows=len(made))
    return made


# --- what organisers and focal points see -------------------------------------------------------

def delegation_delegates(delegation: Delegation, lang: str = "en") -> list[Delegate]:
    """A delegation's delegates with their sessions: those who hold a place first (so that the
    rows can be counted against the quota), heads first, then by name in the alphabet of `lang`
    (Ávila under A), withdrawn and rejected ones last; two queries."""
    rows = db.session.scalars(select(Delegate).where(Delegate.delegation_id == delegation.id)
                              .options(selectinload(Delegate.registrations).selectinload(SessionRegistration.session))
                              .order_by(Delegate.id)).all()
    return sorted(rows, key=lambda d: (not d.is_active, DELEGATE_ROLES.index(d.role) if d.role in DELEGATE_ROLES else 9,
                                       name_key(d.family_name, lang), name_key(d.given_name, lang)))


def places(delegation: Delegation) -> int:
    """Places held (nominated or accredited)."""
    return _active_count(delegation)


def event_delegations(event: Event, lang: str) -> list[tuple[Delegation, str, Counter]]:
    """Delegations of an event sorted by kind and name, with counts of delegates per status."""
    delegations = db.session.scalars(select(Delegation).where(Delegation.event_id == event.id)
                                     .options(selectinload(Delegation.focal_points).selectinload(FocalPoint.user))).all()
    counts: dict[int, Counter] = defaultdict(Counter)
    for delegation_id, status, n in db.session.execute(
            select(Delegate.delegation_id, Delegate.status, func.count()).where(Delegate.event_id == event.id)
            .group_by(Delegate.delegation_id, Delegate.status)):
        counts[delegation_id][status] = n
    rows = [(d, delegation_name(d, lang), counts[d.id]) for d in delegations]
    rows.sort(key=lambda r: (DELEGATION_KINDS.index(r[0].kind), collation_key(r[1], lang)))
    return rows


@dataclass
class ParticipantGroup:
    kind: str
    delegations: list[tuple[Delegation, str, list[Delegate]]] = field(default_factory=list)


#: The columns the participants list, its exports and badges show: plain rows, not ORM objects,
#: so that 100,000 delegates load in a fraction of the time.
PARTICIPANT_COLUMNS = (Delegate.id, Delegate.delegation_id, Delegate.salutation, Delegate.given_name, Delegate.family_name,
                       Delegate.function, Delegate.email, Delegate.role, Delegate.attendance, Delegate.gender,
                       Delegate.badge_code)


def name_key(text: str, lang: str) -> str:
    """A fast sort key for people's names: accents and case count only to break ties (as in the
    alphabet of French, Spanish and English), with Spanish ñ as its own letter after n.

    Delegations are sorted with the full collation (`collation_key`); for tens of thousands of
    names that costs seconds, and this key orders Latin-script names the same way."""
    folded = text.casefold()
    if lang == "es":
        folded = folded.replace("ñ", "n\U0010fffd")
    base = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return base + "\x00" + folded


def participants(event: Event, lang: str) -> list[ParticipantGroup]:
    """The list of participants in the UN manner: accredited delegates grouped by kind and
    delegation, delegations in the alphabet of `lang`, heads of delegation first. Two queries."""
    delegations = {d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.event_id == event.id))}
    members: dict[int, list] = defaultdict(list)
    for row in db.session.execute(select(*PARTICIPANT_COLUMNS).where(Delegate.event_id == event.id,
                                                                     Delegate.status == "accredited")):
        members[row.delegation_id].append(row)
    role_rank = {role: i for i, role in enumerate(DELEGATE_ROLES)}
    groups: dict[str, ParticipantGroup] = {}
    for delegation_id, people in members.items():
        delegation = delegations[delegation_id]
        group = groups.setdefault(delegation.kind, ParticipantGroup(delegation.kind))
        people.sort(key=lambda p: (role_rank.get(p.role, 9), name_key(p.family_name, lang), name_key(p.given_name, lang)))
        group.delegations.append((delegation, delegation_name(delegation, lang), people))
    for group in groups.values():
        group.delegations.sort(key=lambda item: collation_key(item[1], lang))
    return [groups[k] for k in DELEGATION_KINDS if k in groups]


def statistics(event: Event, lang: str) -> dict:
    """Delegates (nominated or accredited) by kind, by delegation and by gender, and heads by gender."""
    rows = db.session.execute(
        select(Delegation.id, Delegation.kind, Delegate.gender, Delegate.role, func.count())
        .join(Delegate, Delegate.delegation_id == Delegation.id)
        .where(Delegation.event_id == event.id, Delegate.status.in_(ACTIVE_STATUSES))
        .group_by(Delegation.id, Delegation.kind, Delegate.gender, Delegate.role)).all()
    delegations = {d.id: d for d in db.session.scalars(select(Delegation).where(Delegation.event_id == event.id))}
    by_kind, by_delegation, gender, heads = Counter(), Counter(), Counter(), Counter()
    for delegation_id, kind, g, role, n in rows:
        by_kind[kind] += n
        by_delegation[delegation_id] += n
        gender[g] += n
        if role == "head":
            heads[g] += n
    per_delegation = sorted(((delegation_name(delegations[i], lang), n) for i, n in by_delegation.items()),
                            key=lambda item: collation_key(item[0], lang))
    return {"total": sum(by_kind.values()), "by_kind": [(k, by_kind[k]) for k in DELEGATION_KINDS if by_kind[k]],
            "by_delegation": per_delegation, "gender": [(g, gender[g]) for g in GENDERS],
            "heads": [(g, heads[g]) for g in GENDERS], "heads_total": sum(heads.values())}


def session_attendance(event: Event, lang: str = "en") -> list[tuple[MeetingSession, list[Delegate]]]:
    """Each session with the delegates (nominated or accredited) signed up for it; three queries."""
    sessions = db.session.scalars(select(MeetingSession).where(MeetingSession.event_id == event.id)
                                  .order_by(MeetingSession.starts_at, MeetingSession.code)).all()
    by_session: dict[int, list[Delegate]] = defaultdict(list)
    rows = db.session.execute(select(SessionRegistration.session_id, Delegate).join(Delegate)
                              .where(Delegate.event_id == event.id, Delegate.status.in_(ACTIVE_STATUSES))
                              .options(selectinload(Delegate.delegation))).all()
    for session_id, delegate in rows:
        by_session[session_id].append(delegate)
    return [(s, sorted(by_session[s.id], key=lambda d: (name_key(d.family_name, lang), name_key(d.given_name, lang))))
            for s in sessions]


def delegate_by_badge(event: Event, code: str) -> Delegate | None:
    return db.session.scalar(select(Delegate).where(Delegate.event_id == event.id, Delegate.badge_code == code)
                             .options(selectinload(Delegate.delegation)))
