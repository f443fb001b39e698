"""The organiser sets the nomination deadline; the focal point sees the time left in fr, es and en and
uploads the letter of credentials; the organiser marks it in order. Uses the shared live server."""
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from sqlalchemy import delete, select

from .helpers import ORGANISER, SLUG, login, screenshot

pytestmark = pytest.mark.browser

FOCAL_POINT = "focal.point@example.org"


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").click()


def test_deadline_and_credentials(page, browser, live_server, live_app):
    from dialogue.delegates.models import CredentialsLetter, Delegation, FocalPoint, NominationWindow
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event

    with live_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        delegation_id = db.session.scalar(select(FocalPoint.delegation_id).join(User).where(User.email == FOCAL_POINT)
                                          .join(Delegation).where(Delegation.event_id == event.id))
        event_id, zone = event.id, event.timezone
    closes = (datetime.now(UTC) + timedelta(days=3, hours=12)).astimezone(ZoneInfo(zone))
    organiser = browser.new_context(base_url=live_server).new_page()
    try:
        login(organiser, ORGANISER, lang="fr")
        organiser.goto(f"/fr/manage/events/{SLUG}/nomination-window")
        organiser.fill("#closes_at", closes.strftime("%Y-%m-%dT%H:%M"))
        screenshot(organiser, "delegates-window-fr")
        submit(organiser, "#window-form")
        assert "enregistrée" in organiser.inner_text(".flashes")

        login(page, FOCAL_POINT, lang="es")
        for lang, left in (("es", "Quedan 3 días"), ("fr", "3 jours restants"), ("en", "3 days left")):
            page.goto(f"/{lang}/events/{SLUG}/delegations/{delegation_id}/")
            assert left in page.inner_text("#deadline"), lang
            screenshot(page, f"delegates-deadline-{lang}")

        pdf = pikepdf.new()
        pdf.add_blank_page()
        body = io.BytesIO()
        pdf.save(body)
        page.goto(f"/es/events/{SLUG}/delegations/{delegation_id}/credentials")
        page.set_input_files("#file", files=[{"name": "nota.jpg", "mimeType": "image/jpeg", "buffer": body.getvalue()}])
        submit(page, "#credentials-form")
        assert "es un PDF" in page.inner_text("#credentials-form")  # a PDF renamed .jpg: a clear message
        page.set_input_files("#file", files=[{"name": "nota verbal.pdf", "mimeType": "application/pdf",
                                              "buffer": body.getvalue()}])
        submit(page, "#credentials-form")
        assert "Cargada, aún no verificada" in page.inner_text("#letter")
        screenshot(page, "delegates-credentials-es")

        organiser.goto(f"/en/events/{SLUG}/delegations/{delegation_id}/credentials")
        organiser.select_option("#check-status", "in_order")
        submit(organiser, "#credentials-decision")
        assert "In order" in organiser.inner_text("#letter")
        screenshot(organiser, "delegates-credentials-organiser-en")
        page.reload()
        assert "En regla" in page.inner_text("#letter")
    finally:
        organiser.context.close()
        with live_app.app_context():
            db.session.execute(delete(NominationWindow).where(NominationWindow.event_id == event_id))
            db.session.execute(delete(CredentialsLetter).where(CredentialsLetter.delegation_id == delegation_id))
            db.session.commit()
