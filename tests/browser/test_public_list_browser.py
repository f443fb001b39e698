"""The organiser publishes the provisional list of participants; the public reads it in three languages."""
import pytest

from .helpers import LANGS, SLUG, axe_violations, describe, login, screenshot

FOCAL_POINT = "focal.point@example.org"

pytestmark = pytest.mark.browser

HEADINGS = {"fr": "Liste provisoire des participants", "es": "Lista provisional de participantes",
            "en": "Provisional list of participants"}


def test_organiser_publishes_and_the_public_reads_the_list(page, browser, live_server):
    visitor = browser.new_page(base_url=live_server)
    assert visitor.goto(f"/en/events/{SLUG}/participants/").status == 404
    login(page)
    page.goto(f"/en/manage/events/{SLUG}/participants")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the list of participants").click()
    assert "The provisional list of participants is public." in page.content()
    try:
        for lang in LANGS:
            visitor.goto(f"/{lang}/events/{SLUG}/")
            with visitor.expect_navigation():
                visitor.get_by_role("link", name=HEADINGS[lang]).click()
            assert visitor.locator("h1").inner_text() == HEADINGS[lang]
            assert "NÚÑEZ IBÁÑEZ" in visitor.content() and "@example.org" not in visitor.content()
            screenshot(visitor, f"public-list-{lang}")
            violations = axe_violations(visitor)
            assert not violations, describe(violations)
    finally:
        with page.expect_navigation():
            page.get_by_role("button", name="Take the public list down").click()
        visitor.close()
    assert page.goto(f"/en/events/{SLUG}/participants/").status == 200  # organisers still preview it


def test_reuse_page_is_accessible(page):
    login(page, FOCAL_POINT)
    page.goto("/en/delegations/")
    page.get_by_role("link", name="Peru").first.click()  # other tests give the focal point more Peruvian delegations
    page.get_by_role("link", name="Copy from an earlier event").click()
    assert page.locator("h2").first.inner_text() == "Copy from an earlier event"
    violations = axe_violations(page)
    assert not violations, describe(violations)
