"""An organiser picks a room and people from the event's records, sees a clash on save and the day grid;
the rooms, people and grid pages pass axe and fit a 375 px phone in the three languages."""
import pytest

from .helpers import LANGS, SLUG, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "rooms": f"/{{lang}}/manage/events/{SLUG}/rooms",
    "people": f"/{{lang}}/manage/events/{SLUG}/people",
    "grid": f"/{{lang}}/manage/events/{SLUG}/grid?day=2022-12-12",
    "room-new": f"/{{lang}}/manage/events/{SLUG}/rooms/new",
    "person-new": f"/{{lang}}/manage/events/{SLUG}/people/new",
}


def test_organiser_picks_a_room_sees_the_clash_on_save_and_goes_back(page):
    login(page)
    page.goto(f"/en/manage/events/{SLUG}/sessions/new")
    # the pickers are inputs with a datalist of the records: typing offers them, no script needed
    options = page.locator("#room-options option")
    assert "Plenary hall" in [options.nth(i).get_attribute("value") for i in range(options.count())]
    page.fill("#code", "SE5")
    page.select_option("#kind", "side_event")  # the live server is shared: other tests count plenaries
    page.fill("#title-en", "Side meeting")
    page.fill("#starts_at", "2022-12-12T10:00")
    page.fill("#ends_at", "2022-12-12T11:00")
    page.locator("#room").press_sequentially("Plen")
    page.fill("#room", "Plenary hall")
    page.select_option("#people-0-role", "chair")
    page.fill("#people-0-name", "Amina Diallo")
    with page.expect_navigation() as nav:
        page.locator("#session-form [type=submit]").first.click()
    assert nav.value.status == 409
    warning = page.locator(".clash-warning")
    text = warning.inner_text()
    assert "Plenary hall is also booked for PL1" in text and "Amina Diallo is also on PL1" in text
    screenshot(page, "rooms-clash-on-save-en")
    assert not axe_violations(page), describe(axe_violations(page))
    # go back and change it: the form kept what was typed; a free time saves without a warning
    page.get_by_role("link", name="Go back and change it").click()
    assert page.input_value("#room") == "Plenary hall" and page.input_value("#people-0-name") == "Amina Diallo"
    page.fill("#starts_at", "2022-12-12T12:30")
    page.fill("#ends_at", "2022-12-12T13:30")
    with page.expect_navigation():
        page.locator("#session-form [type=submit]").first.click()
    assert "Session SE5 is saved." in page.locator(".flash.success").inner_text()
    page.get_by_role("link", name="Day by room").click()
    grid = page.locator("table.room-grid")
    assert "Plenary hall" in grid.locator("thead").inner_text() and "SE5" in grid.inner_text()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGES)
def test_rooms_people_and_grid_pages_pass_axe_and_fit_a_phone(page, name, lang):
    login(page, lang=lang)
    page.set_viewport_size({"width": 375, "height": 800})
    response = page.goto(PAGES[name].format(lang=lang))
    assert response.status == 200
    screenshot(page, f"rooms-{name}-{lang}-375")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px"
