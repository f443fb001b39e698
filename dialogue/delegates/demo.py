"""Demo delegations of the summit: Peru (the demo focal point's), Colombia, Mexico, a UN entity and
a civil-society network, with delegates in every status. People are fictitious (example.org)."""
from __future__ import annotations

import secrets
import unicodedata

from sqlalchemy import select

from ..extensions import db
from ..models import User, audit, utcnow
from ..sessions.models import MeetingSession
from .models import Delegate, Delegation, FocalPoint, SessionRegistration
from .services.names import suggested_order

FOCAL_POINT = "focal.point@example.org"

# (kind, country, name, quota, [(salutation, given, family, function, gender, role, attendance, status, sessions)])
DELEGATIONS = [
    ("member_state", "PE", "", 8, [
        ("he_ms", "María José", "Núñez Ibáñez", "Ministra de Relaciones Exteriores", "female", "head", "in_person", "accredited", ["PL1", "RD-LAC"]),
        ("mr", "Joaquín", "Quispe Mamani", "Director, Agencia Peruana de Cooperación Internacional", "male", "alternate", "in_person", "accredited", ["WS02", "RD-LAC"]),
        ("ms", "Rosa", "Huamán Ccori", "Asesora", "female", "adviser", "online", "nominated", ["WS05"]),
        ("mr", "Íñigo", "Peña Saavedra", "Primer Secretario", "male", "member", "in_person", "rejected", []),
    ]),
    ("member_state", "CO", "", 6, [
        ("he_mr", "Andrés", "Gómez Restrepo", "Viceministro de Asuntos Multilaterales", "male", "head", "in_person", "accredited", ["PL1"]),
        ("ms", "Luz Ángela", "Zuluaga", "Asesora, APC-Colombia", "female", "adviser", "in_person", "nominated", ["WS02"]),
    ]),
    ("member_state", "MX", "", 6, [
        ("he_ms", "Ximena", "Sánchez Cordero", "Subsecretaria para América Latina y el Caribe", "female", "head", "in_person", "accredited", ["RD-LAC"]),
        ("mr", "Tomás", "Ibarra", "Consejero, AMEXCID", "male", "member", "online", "withdrawn", []),
    ]),
    ("un_entity", None, "UNDP", 4, [
        ("ms", "Amina", "El-Sayed", "Senior Adviser, Development Effectiveness", "female", "head", "in_person", "accredited", ["PL2"]),
        ("mr", "伟", "王", "Policy Specialist", "male", "member", "in_person", "nominated", []),
    ]),
    ("civil_society", None, "CSO Partnership for Development Effectiveness", 4, [
        ("ms", "Françoise", "Ngom", "Co-Chair", "female", "head", "in_person", "accredited", ["WS03"]),
        ("mx", "Alex", "Ferreira", "Policy Officer", "other", "member", "online", "nominated", ["WS03"]),
    ]),
]


def load_demo(event) -> None:
    """Add the demo delegations to the demo summit (called once, when the summit is created)."""
    sessions = {s.code: s for s in db.session.scalars(select(MeetingSession).where(MeetingSession.event_id == event.id))}
    focal_point = db.session.scalar(select(User).where(User.email == FOCAL_POINT))
    for kind, country, name, quota, people in DELEGATIONS:
        delegation = Delegation(event=event, kind=kind, country=country, name=name, quota=quota)
        db.session.add(delegation)
        if country == "PE" and focal_point is not None:
            db.session.add(FocalPoint(user=focal_point, delegation=delegation))
        for i, (salutation, given, family, function, gender, role, attendance, status, codes) in enumerate(people):
            def ascii_word(text: str) -> str:
                first = unicodedata.normalize("NFKD", text.lower()).split()[0] if text.strip() else ""
                return "".join(ch for ch in first if ch.isascii() and ch.isalpha())
            local = ".".join(w for w in (ascii_word(given), ascii_word(family)) if w) or f"delegate{i}"
            domain = (country or "org").lower()
            delegate = Delegate(delegation=delegation, event_id=event.id, salutation=salutation, given_name=given,
                                family_name=family, function=function, gender=gender, role=role, attendance=attendance,
                                status=status, email=f"{local}.{i}@{domain}.example.org",
                                name_order=suggested_order(given, family),
                                reason="Not on the official list of the Ministry." if status == "rejected" else "")
            if status in ("accredited", "rejected"):
                delegate.decided_at = utcnow()
            if status == "accredited":
                delegate.badge_code = secrets.token_urlsafe(16)
            if status in ("nominated", "accredited"):
                delegate.registrations = [SessionRegistration(session=sessions[c]) for c in codes if c in sessions]
            db.session.add(delegate)
    db.session.flush()
    audit("delegation.demo", user=None, event=event, target=f"event:{event.id}")
