"""The demo summit gets delegations with delegates in several statuses and a focal point for Peru."""
from collections import Counter

from sqlalchemy import select

from dialogue.delegates import services
from dialogue.delegates.models import Delegate, FocalPoint
from dialogue.demo import load_demo
from dialogue.extensions import db


def test_demo_has_delegations_statuses_and_the_peruvian_focal_point(app, client, auth):
    event, created = load_demo()
    db.session.commit()
    assert created
    names = [name for _d, name, _c in services.event_delegations(event, "es")]
    assert {"Perú", "Colombia", "México", "UNDP", "CSO Partnership for Development Effectiveness"} <= set(names)
    statuses = Counter(db.session.scalars(select(Delegate.status)))
    assert set(statuses) == {"nominated", "accredited", "rejected", "withdrawn"}
    link = db.session.scalar(select(FocalPoint))
    assert link.user.email == "focal.point@example.org" and link.delegation.country == "PE"
    auth.login("focal.point@example.org", password="demo-dialogue-2022")
    page = client.get(f"/es/events/{event.slug}/delegations/{link.delegation.id}/").get_data(as_text=True)
    assert "Núñez Ibáñez" in page and "Gómez" not in page


def test_demo_organisations_by_their_own_names_not_in_french_on_other_pages(app, client):
    """Person.organisation is one string: the demo writes each organisation in its own official name
    (APCI in Spanish, the Joint Support Team in English), not a French rendering shown on es and en pages."""
    event, _created = load_demo()
    db.session.commit()
    for lang in ("es", "en"):
        page = client.get(f"/{lang}/events/{event.slug}/sessions/RD-LAC").get_data(as_text=True)
        assert "Nadia Salazar</strong>, Agencia Peruana de Cooperación Internacional (APCI)" in page
        for french in ("Agence péruvienne", "Ministère des Affaires étrangères", "Équipe conjointe"):
            assert french not in page
