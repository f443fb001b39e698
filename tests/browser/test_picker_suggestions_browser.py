"""The session form's pickers in a real browser: typing "lopez" offers "María López" (the server
matches without accents, where the browser's <datalist> filter does not), picked with the keyboard;
axe finds nothing serious with the suggestions open; without script the <datalist> is still there."""
import pytest

from .. import factories as f
from .helpers import ORGANISER, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def picker_event(live_app):
    """An event of its own (the demo's directory stays as other tests expect it)."""
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions import directory
    from dialogue.sessions.models import Room
    with live_app.app_context():
        org = db.session.query(User).filter_by(email=ORGANISER).one()
        ev = f.event("picker-suggestions", organiser=org)
        for name, organisation in (("María López", "APCI"), ("Ana Pérez", "OECD"), ("Łukasz Nowak", "MSZ")):
            directory.person_or_new(ev, name, organisation)
        db.session.add(Room(event=ev, name={"en": "Plenary hall", "fr": "Salle plénière", "es": "Sala plenaria"},
                            capacity=200))
        db.session.commit()
        return ev.slug


def test_typing_lopez_offers_maria_lopez(page, picker_event):
    login(page)
    page.goto(f"/en/manage/events/{picker_event}/sessions/new")
    name = page.locator("#people-0-name")
    assert name.get_attribute("role") == "combobox" and name.get_attribute("list") is None
    name.press_sequentially("lopez")
    listbox = page.locator(f"#{name.get_attribute('aria-controls')}")
    listbox.get_by_role("option", name="María López").wait_for()
    assert name.get_attribute("aria-expanded") == "true"
    assert [o.inner_text() for o in listbox.get_by_role("option").all()] == ["María López · APCI"]
    screenshot(page, "picker-lopez-en")
    assert not axe_violations(page), describe(axe_violations(page))
    name.press("ArrowDown")
    assert name.get_attribute("aria-activedescendant") == listbox.get_by_role("option").first.get_attribute("id")
    name.press("Enter")  # picks, and does not send the form
    assert name.input_value() == "María López" and name.get_attribute("aria-expanded") == "false"
    assert "/sessions/new" in page.url
    # a room, typed in another language without accents, in a French page
    page.goto(f"/fr/manage/events/{picker_event}/sessions/new")
    room = page.locator("#room")
    room.press_sequentially("plenie")
    option = page.locator(f"#{room.get_attribute('aria-controls')}").get_by_role("option").first
    option.wait_for()
    assert option.inner_text() == "Salle plénière · 200 places"
    option.click()
    assert room.input_value() == "Salle plénière"
    page.fill("#code", "PK1")
    page.fill("#title-fr", "Séance choisie au clavier")
    page.fill("#starts_at", "2022-12-12T10:00")
    page.fill("#ends_at", "2022-12-12T11:00")
    page.locator("#people-0-name").press_sequentially("NOWAK")
    page.get_by_role("option", name="Łukasz Nowak").click()
    with page.expect_navigation():
        page.locator("#session-form [type=submit]").first.click()
    assert page.locator(".flash.success").count() == 1
    page.goto(f"/fr/manage/events/{picker_event}/sessions/PK1/edit")
    assert page.input_value("#room") == "Salle plénière" and page.input_value("#people-0-name") == "Łukasz Nowak"


def test_without_script_the_datalists_serve(browser, live_server, picker_event):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page)
        page.goto(f"/en/manage/events/{picker_event}/sessions/new")
        assert page.locator("#people-0-name").get_attribute("list") == "people-options"
        assert page.locator("#room").get_attribute("list") == "room-options"
        assert page.locator('#people-options option[value="María López"]').count() == 1
        assert page.locator(".suggestions").count() == 0
    finally:
        context.close()
