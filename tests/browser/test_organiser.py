"""An organiser builds and edits the agenda in the browser and sees conflicts."""
import pytest

from .helpers import ORGANISER, SLUG, login, screenshot

pytestmark = pytest.mark.browser

MANAGE = f"/en/manage/events/{SLUG}/"


def fill_session(page, code, titles, start, end, room):
    page.fill("#code", code)
    page.select_option("#kind", "side_event")
    for lang, title in titles.items():
        page.fill(f"#title-{lang}", title)
    page.fill("#starts_at", start)
    page.fill("#ends_at", end)
    page.fill("#room", room)


def save(page):
    with page.expect_navigation():
        page.locator("#session-form [type=submit]").click()


def new_session(page):
    page.goto(MANAGE)
    page.get_by_role("link", name="New session").click()
    page.wait_for_url("**/sessions/new")


def test_organiser_creates_edits_and_sees_conflicts(page):
    login(page, ORGANISER)
    new_session(page)
    fill_session(page, "SE1", {"fr": "Atelier des jeunes", "es": "Taller de jóvenes", "en": "Youth workshop"},
                 "2022-12-13T13:00", "2022-12-13T14:00", "Room 4")
    screenshot(page, "manage-session-new-en")
    save(page)
    assert page.url.endswith(f"{MANAGE}#s-SE1")
    assert "Session SE1 is saved." in page.locator(".flash.success").inner_text()
    row = page.locator("#s-SE1")
    assert "Youth workshop" in row.inner_text()
    assert "13:00–14:00" in row.inner_text() and "Room 4" in row.inner_text()
    assert row.locator(".badge.conflict").count() == 0

    # Edit it.
    row.get_by_role("link", name="Edit SE1").click()
    page.wait_for_url("**/sessions/SE1/edit")
    assert page.input_value("#title-es") == "Taller de jóvenes"
    assert page.input_value("#starts_at") == "2022-12-13T13:00"
    page.fill("#title-en", "Youth and the partnership")
    save(page)
    assert "Youth and the partnership" in page.locator("#s-SE1").inner_text()

    # The public sees the change in each language.
    page.goto(f"/es/events/{SLUG}/sessions/SE1")
    assert "Taller de jóvenes" in page.locator("h1").inner_text()
    page.goto(f"/en/events/{SLUG}/sessions/SE1")
    assert "Youth and the partnership" in page.locator("h1").inner_text()

    # A second session in the same room at the same time is flagged at save, then on the agenda.
    new_session(page)
    fill_session(page, "SE2", {"fr": "Réunion parallèle", "es": "Reunión paralela", "en": "Parallel meeting"},
                 "2022-12-13T13:00", "2022-12-13T14:00", "Room 4")
    save(page)
    assert "Room 4 is also booked for SE1" in page.locator(".clash-warning").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Save anyway").click()
    conflicts = page.locator("section.conflicts")
    assert "Sessions SE1 and SE2 use the room Room 4 at the same time." in conflicts.inner_text()
    for code in ("SE1", "SE2"):
        assert page.locator(f"#s-{code}.flagged .badge.conflict").count() == 1
    screenshot(page, "manage-agenda-conflict-en")


def test_end_before_start_is_refused_and_input_kept(page):
    login(page, ORGANISER, lang="fr")
    page.goto(f"/fr/manage/events/{SLUG}/sessions/new")
    fill_session(page, "SE9", {"fr": "Séance à l'envers", "es": "Sesión al revés", "en": "Backwards session"},
                 "2022-12-14T15:00", "2022-12-14T14:00", "Salle 5")
    with page.expect_navigation() as nav:
        page.locator("#session-form [type=submit]").click()
    assert nav.value.status == 422
    assert page.url.endswith("/sessions/new")
    assert page.get_by_role("alert").first.is_visible()
    error = page.locator("#ends_at-err")
    assert error.is_visible()
    assert "fin" in error.inner_text().lower()
    assert page.get_attribute("#ends_at", "aria-invalid") == "true"
    assert page.get_attribute("#ends_at", "aria-describedby") == "ends_at-err"
    # The input is kept.
    assert page.input_value("#code") == "SE9"
    assert page.input_value("#title-es") == "Sesión al revés"
    assert page.input_value("#starts_at") == "2022-12-14T15:00"
    assert page.input_value("#ends_at") == "2022-12-14T14:00"
    assert page.input_value("#room") == "Salle 5"
    screenshot(page, "manage-session-error-fr")
    # Nothing was saved.
    page.goto(f"/fr/manage/events/{SLUG}/")
    assert page.locator("#s-SE9").count() == 0
