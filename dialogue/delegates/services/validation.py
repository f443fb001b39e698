"""Validating a nomination's fields: normalised names, emails, choices and session codes."""
from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...sessions.models import GENDERS, Event, MeetingSession
from ..models import ATTENDANCE, DELEGATE_ROLES, NAME_ORDERS, SALUTATIONS
from .errors import DelegationError
from .names import suggested_order

#: The fields of a nomination, in the order forms, files and the API use.
FIELDS = ("salutation", "given_name", "family_name", "name_order", "native_name", "function",
          "email", "gender", "role", "attendance", "sessions")
LIMITS = {"given_name": 120, "family_name": 120, "native_name": 240, "function": 300, "email": 254}


def clean_delegate(event: Event, data: dict) -> tuple[dict, dict[str, str]]:
    """Normalise a nomination's fields; returns (clean data, {field: message} of what is wrong).

    Names are kept as typed (only surrounding spaces go, and the text is put in Unicode NFC, so that
    "José" typed with a combining accent is the same "José"): accents, Ñ, ç, Arabic and Chinese are
    data, not noise.
    """
    errors: dict[str, str] = {}
    out: dict = {}
    for name in ("given_name", "family_name", "native_name", "name_order", "function", "email", "salutation", "gender",
                 "role", "attendance"):
        if data.get(name) is not None and not isinstance(data.get(name), str):
            errors[name] = _("Give this as text.")
    for name in ("given_name", "family_name", "native_name", "function"):
        value = data.get(name)
        value = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else ""
        out[name] = value
        if name not in errors and len(value) > LIMITS[name]:
            errors[name] = _("At most %(max)d characters.", max=LIMITS[name])
    if not out["given_name"]:
        errors.setdefault("given_name", _("Give the given name."))
    if not out["family_name"]:
        errors.setdefault("family_name", _("Give the family name."))
    # No order chosen (an older file, the API, "suggest" on the form): family name first for CJK names.
    order = data.get("name_order")
    order = order.strip() if isinstance(order, str) else ""
    if "name_order" not in errors and order and order not in NAME_ORDERS:
        errors["name_order"] = _("Choose one of: %(choices)s.", choices=", ".join(NAME_ORDERS))
    out["name_order"] = order if order in NAME_ORDERS else suggested_order(
        out["given_name"], out["family_name"], out["native_name"])
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
        MeetingSession.event_id == event.id, MeetingSession.code.in_(codes), MeetingSession.deleted_at.is_(None))))


def _first_error(errors: dict[str, str]) -> DelegationError:
    name = next(f for f in FIELDS if f in errors)
    return DelegationError(errors[name], name)
