"""A focal point sends a delegate the details link; the delegate fills it in in Spanish (no account);
the focal point sees it complete; a substitution is asked in French, accepted by the organiser in
English, and the old badge no longer verifies. Uses the shared live server, on an event of its own."""
import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from .helpers import FOCAL_POINT, ORGANISER, axe_violations, describe, event_next_month, login, screenshot

pytestmark = pytest.mark.browser


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").click()


@pytest.fixture
def future_event(live_app):
    """An event in a month that asks for every detail, with a Peruvian delegation of the demo focal point."""
    from dialogue.delegates.models import Delegate
    from dialogue.extensions import db
    with live_app.app_context():
        title = {"fr": "Conférence future", "es": "Conferencia futura", "en": "Future conference"}
        ev, d = event_next_month(f"future-{uuid.uuid4().hex[:10]}", title, tz="UTC", quota=2)
        ana = Delegate(delegation=d, event_id=ev.id, given_name="Ana", family_name="Quispe", email="ana.q@example.org",
                       status="accredited", gender="female", badge_code=f"future-badge-{ev.id}")
        db.session.add(ana)
        db.session.commit()
        return ev.slug, d.id, ana.id, ana.badge_code


def test_details_link_then_substitution(page, browser, live_server, live_app, future_event):
    from dialogue.extensions import db
    from dialogue.models import OutboxMessage
    slug, delegation_id, ana_id, badge = future_event
    login(page, FOCAL_POINT, lang="fr")
    page.goto(f"/fr/events/{slug}/delegations/{delegation_id}/details")
    assert "Manque" in page.inner_text("#details")
    with page.expect_navigation():
        page.locator(f"#details-{ana_id}").get_by_role("button", name="Envoyer le lien").click()
    screenshot(page, "details-status-fr")
    assert not (found := axe_violations(page)), describe(found)
    with live_app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == "ana.q@example.org")
                                  .order_by(OutboxMessage.id.desc())).first()
    url = re.search(r"http://127\.0\.0\.1(/\S+/my-details/\S+)", body).group(1)

    delegate = browser.new_context(base_url=live_server, viewport={"width": 1000, "height": 900}).new_page()
    delegate.goto(re.sub(r"^/(fr|en|es)/", "/es/", url))
    assert "Sus datos" in delegate.inner_text("h1")
    delegate.fill("#document_number", "AB123456")
    delegate.select_option("#nationality", "PE")
    delegate.fill("#birth_date", "1980-05-17")
    soon = date.today() + timedelta(days=30)
    delegate.fill("#arrival_date", str(soon - timedelta(days=1)))
    delegate.fill("#departure_date", str(soon - timedelta(days=5)))
    submit(delegate, "#details-form")
    assert "La salida es anterior" in delegate.content()
    screenshot(delegate, "details-form-error-es")
    assert not (found := axe_violations(delegate)), describe(found)
    delegate.fill("#departure_date", str(soon + timedelta(days=2)))
    delegate.check("#visa_letter")
    submit(delegate, "#details-form")
    assert "completos" in delegate.inner_text("#details-complete")
    screenshot(delegate, "details-form-done-es")

    page.reload()
    assert "Complet" in page.inner_text(f"#details-{ana_id}")

    page.goto(f"/fr/events/{slug}/delegations/{delegation_id}/")
    page.get_by_role("link", name="Remplacer ou retirer").click()
    page.fill("#new-given_name", "Bruno")
    page.fill("#new-family_name", "Mamani")
    page.fill("#new-email", "bruno.m@example.org")
    page.fill("#new-reason", "Ana est malade")
    screenshot(page, "substitution-request-fr")
    assert not (found := axe_violations(page)), describe(found)
    submit(page, "#substitute-form")
    assert "Votre demande est envoyée" in page.content()

    organiser = browser.new_context(base_url=live_server).new_page()
    login(organiser, ORGANISER, lang="en")
    assert organiser.goto(f"/en/manage/events/{slug}/badges/{badge}").status == 200
    organiser.goto(f"/en/manage/events/{slug}/accreditation")
    assert "Replace by Bruno Mamani" in organiser.inner_text("#change-requests")
    screenshot(organiser, "substitution-queue-en")
    assert not (found := axe_violations(organiser)), describe(found)
    with organiser.expect_navigation():
        organiser.locator("#change-requests button.primary").first.click()
    assert "The request is accepted" in organiser.content()
    check = organiser.goto(f"/en/manage/events/{slug}/badges/{badge}")
    assert check.status == 404 and "no longer valid" in organiser.inner_text("#badge-withdrawn")
    screenshot(organiser, "badge-no-longer-valid-en")


@pytest.mark.parametrize("lang,title", [("fr", "Données personnelles"), ("es", "Datos personales"), ("en", "Personal details")])
def test_organisers_personal_details_settings_in_each_language(page, future_event, lang, title):
    slug = future_event[0]
    login(page, ORGANISER, lang=lang)
    page.goto(f"/{lang}/manage/events/{slug}/personal-data")
    assert title in page.inner_text("h2")
    assert page.locator("#details-policy input[type=checkbox]:checked").count() == 6
    screenshot(page, f"details-policy-{lang}")
    assert not (found := axe_violations(page)), describe(found)
