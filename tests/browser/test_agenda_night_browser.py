"""A session past midnight in a real browser: listed under both days of the public agenda and of the
organisers' agenda (also as cards at phone width), marked as continued; axe finds nothing serious."""
import pytest

from .. import factories as f
from .helpers import axe_violations, login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def night_event(live_app):
    """An event of its own (the demo's agenda stays as other tests expect it), organised by the demo's
    organiser, with a reception from 22:30 to 01:30."""
    from dialogue.extensions import db
    from dialogue.models import User

    from .helpers import ORGANISER
    with live_app.app_context():
        org = db.session.query(User).filter_by(email=ORGANISER).one()
        ev = f.event("night-reception", organiser=org)
        f.session(ev, "DIN", start="2022-12-12 20:00", minutes=120, room="Hall")
        f.session(ev, "RECEP", start="2022-12-12 22:30", minutes=180, room="Terrace")
        f.session(ev, "PL1", start="2022-12-13 09:00", minutes=60, room="Hall")
        return ev.slug


@pytest.mark.parametrize("lang,since", [("fr", "Suite du lundi 12 décembre 2022"),
                                        ("es", "Continúa desde el lunes, 12 de diciembre de 2022"),
                                        ("en", "Continued from Monday, 12 December 2022")])
def test_the_public_agenda_shows_it_on_both_days(page, night_event, lang, since):
    page.goto(f"/{lang}/events/{night_event}/")
    days = page.locator("section.day")
    assert days.count() == 2
    assert days.nth(0).locator("#s-RECEP").count() == 1 and days.nth(1).locator("#s-RECEP").count() == 1
    assert days.nth(1).locator("#s-RECEP .continued").inner_text() == since
    assert days.nth(0).locator("#s-RECEP .continued").is_visible()
    screenshot(page, f"agenda-night-{lang}")
    assert axe_violations(page) == []


def test_the_organisers_agenda_shows_it_on_both_days_at_phone_width(page, night_event):
    login(page)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/en/manage/events/{night_event}/")
    rows = page.locator("section.day tr#s-RECEP")
    assert rows.count() == 2
    assert rows.nth(0).locator(".continued").inner_text() == "Until 01:30 the next day"
    assert rows.nth(1).locator(".continued").inner_text() == "Continued from Monday, 12 December 2022"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "manage-agenda-night-375")
    assert axe_violations(page) == []
