"""The day grid with a session past midnight (marked continued on both days) and a room with fewer
seats than delegates registered: it passes axe and fits a 375 px phone in the three languages."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from .helpers import LANGS, ORGANISER, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

SLUG = "night-summit"


@pytest.fixture(scope="module")
def night_event(live_app):
    """An event of the demo organiser (apart from the demo's, which other tests count on)."""
    from dialogue.auth import grant_role
    from dialogue.delegates.models import Delegate, Delegation, SessionRegistration
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.localtime import to_utc
    from dialogue.sessions.models import Event, MeetingSession, Room

    with live_app.app_context():
        if db.session.scalar(select(Event).where(Event.slug == SLUG)) is None:
            org = db.session.scalar(select(User).where(User.email == ORGANISER))
            ev = Event(slug=SLUG, status="draft", timezone="Europe/Zurich", starts_on=date(2022, 12, 12),
                       ends_on=date(2022, 12, 13), original_language="en",
                       title={"en": "Night summit", "fr": "Sommet de nuit", "es": "Cumbre nocturna"})
            small = Room(event=ev, name={"en": "Small room", "fr": "Petite salle", "es": "Sala pequeña"}, capacity=1)
            hall = Room(event=ev, name={"en": "Hall"}, capacity=500)
            db.session.add_all([ev, small, hall])
            db.session.flush()
            grant_role(org, ev, "organiser")

            def session(code, start, minutes, room):
                starts = to_utc(datetime.fromisoformat(start), ev.timezone)
                return MeetingSession(event=ev, code=code, room=room, title={"en": f"Session {code}"},
                                      starts_at=starts, ends_at=starts + timedelta(minutes=minutes))
            night = session("NIGHT", "2022-12-12 23:00", 120, small)
            db.session.add_all([night, session("PL1", "2022-12-13 09:00", 60, hall)])
            d = Delegation(event=ev, kind="member_state", country="PE", quota=5)
            db.session.add(d)
            db.session.flush()
            for i in range(2):
                db.session.add(Delegate(delegation=d, event_id=ev.id, given_name=f"Ana{i}", family_name="Quispe",
                                        email=f"ana{i}@night.example.org", status="accredited",
                                        registrations=[SessionRegistration(session=night)]))
            db.session.commit()
    return SLUG


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("day", ["2022-12-12", "2022-12-13"])
def test_the_grid_marks_a_session_past_midnight_and_a_full_room_and_fits_a_phone(page, night_event, day, lang):
    login(page, lang=lang)
    page.set_viewport_size({"width": 375, "height": 800})
    response = page.goto(f"/{lang}/manage/events/{night_event}/grid?day={day}")
    assert response.status == 200
    cell = page.locator("td.booked", has_text="NIGHT")
    assert cell.locator(".badge.continued").count() == 1
    assert cell.locator(".badge.conflict").count() == 1  # two delegates, one seat
    screenshot(page, f"grid-night-{day}-{lang}-375")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the grid scrolls sideways by {overflow}px at 375px"
