"""axe-core on the public pages in the three languages: no serious or critical violation."""
import pytest

from .helpers import LANGS, SLUG, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

PUBLIC_PAGES = {
    "events": "/{lang}/",
    "agenda": f"/{{lang}}/events/{SLUG}/",
    "agenda-lima": f"/{{lang}}/events/{SLUG}/?tz=America/Lima",
    "session": f"/{{lang}}/events/{SLUG}/sessions/RD-LAC",
    "session-fallback": f"/{{lang}}/events/{SLUG}/sessions/WS02",
    "login": "/{lang}/account/login",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_serious_violation(page, name, lang):
    response = page.goto(PUBLIC_PAGES[name].format(lang=lang))
    assert response.status == 200
    screenshot(page, f"a11y-{name}-{lang}")
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("lang", LANGS)
def test_login_error_has_no_serious_violation(page, lang):
    page.goto(f"/{lang}/account/login")
    page.fill("input[name=email]", "nobody@example.org")
    page.fill("input[name=password]", "wrong password")
    with page.expect_navigation():
        page.locator("form.stacked [type=submit]").click()
    assert page.locator("p.error").count() >= 1
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", ["", "sessions/new", "sessions/RD-LAC/edit"])
def test_organiser_pages_have_no_serious_violation(page, path):
    login(page)
    page.goto(f"/en/manage/events/{SLUG}/{path}")
    screenshot(page, f"a11y-manage-{path.replace('/', '-') or 'agenda'}-en")
    violations = axe_violations(page)
    assert not violations, describe(violations)
