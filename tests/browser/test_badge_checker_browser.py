"""At the door, on a phone (375 px), in fr, es and en: a badge checker scans a badge's QR code, signs in,
lands on the check page (photo, name as printed, delegation, valid), sees a replaced badge refused, and
opens nothing else of the event. axe finds no serious or critical violation."""
from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest

from .helpers import DEMO_PASSWORD, LANGS, axe_violations, describe, screenshot

pytestmark = pytest.mark.browser

WORDS = {"fr": ("Badge valide", "n’est plus valable", "Pérou"),
         "es": ("Credencial válida", "ya no es válida", "Perú"),
         "en": ("Valid badge", "no longer valid", "Peru")}


@pytest.fixture(scope="module")
def door(live_app):
    """An event with an accredited delegate (with a photo), a withdrawn one, and a badge checker."""
    from PIL import Image

    from dialogue.auth import grant_role
    from dialogue.delegates import photos
    from dialogue.delegates.models import Delegate, Delegation
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event
    tag = uuid.uuid4().hex[:8]
    with live_app.app_context():
        soon = date.today() + timedelta(days=10)
        ev = Event(slug=f"door-{tag}", status="published", timezone="Europe/Zurich", starts_on=soon, ends_on=soon,
                   original_language="en", title={"fr": f"Porte {tag}", "es": f"Puerta {tag}", "en": f"Door {tag}"})
        db.session.add(ev)
        checker = User(email=f"door.{tag}@example.org", name="Door staff")
        checker.set_password(DEMO_PASSWORD)
        db.session.add(checker)
        db.session.flush()
        grant_role(checker, ev, "badge_checker")
        peru = Delegation(event=ev, kind="member_state", country="PE", quota=5)
        db.session.add(peru)
        jpeg = io.BytesIO()
        Image.new("RGB", (300, 400), (40, 120, 60)).save(jpeg, "JPEG")
        valid = Delegate(delegation=peru, event_id=ev.id, given_name="María José", family_name="Pérez Núñez",
                         status="accredited", role="head", gender="female", email=f"mj.{tag}@example.org",
                         badge_code=f"ok{tag}", photo_sha256=photos.store(jpeg.getvalue()))
        gone = Delegate(delegation=peru, event_id=ev.id, given_name="Luis", family_name="Quispe", status="withdrawn",
                        role="member", gender="male", email=f"lq.{tag}@example.org", badge_code=f"gone{tag}")
        db.session.add_all([valid, gone])
        db.session.commit()
        return ev.slug, checker.email, valid.badge_code, gone.badge_code


@pytest.mark.parametrize("lang", LANGS)
def test_a_badge_checker_checks_badges_on_a_phone(lang, browser, live_server, door):
    slug, email, valid_code, gone_code = door
    ok_words, gone_words, peru = WORDS[lang]
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True,
                                  locale={"fr": "fr-FR", "es": "es-ES", "en": "en-GB"}[lang])
    page = context.new_page()
    try:
        # The phone's camera opens the QR code's address: the sign-in page first, then the check.
        page.goto(f"/{lang}/manage/events/{slug}/badges/{valid_code}")
        assert "/account/login" in page.url
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("form.stacked [type=submit]").click()
        assert page.url.endswith(f"/{lang}/manage/events/{slug}/badges/{valid_code}")
        assert ok_words in page.locator("#badge-valid").inner_text()
        body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
        assert "María José PÉREZ NÚÑEZ" in body and peru in body and "@example.org" not in page.content()
        photo = page.locator("img.badge-check-photo")
        page.wait_for_function("img => img.complete && img.naturalWidth === 300", arg=photo.element_handle())
        box = photo.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(page, f"badge-checker-valid-{lang}")
        violations = axe_violations(page)
        assert not violations, describe(violations)
        # A replaced delegate's badge: refused, nothing of its holder shown.
        response = page.goto(f"/{lang}/manage/events/{slug}/badges/{gone_code}")
        assert response.status == 404 and gone_words in page.locator("#badge-withdrawn").inner_text()
        assert "QUISPE" not in page.content() and page.locator("img.badge-check-photo").count() == 0
        screenshot(page, f"badge-checker-withdrawn-{lang}")
        violations = axe_violations(page)
        assert not violations, describe(violations)
        # Nothing else of the event.
        for path in ("participants", "delegations/", "team", "statistics"):
            assert page.goto(f"/{lang}/manage/events/{slug}/{path}").status == 403, path
    finally:
        context.close()
