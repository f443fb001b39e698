"""A focal point nominates a delegate, imports a file with one bad row and sees the error, then the
organiser accredits the delegate and the focal point sees it. Uses the shared live server."""
import pytest

from .helpers import ORGANISER, SLUG, login, screenshot

pytestmark = pytest.mark.browser

FOCAL_POINT = "focal.point@example.org"


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").click()


def test_focal_point_nominates_imports_and_organiser_accredits(page, browser, live_server):
    login(page, FOCAL_POINT, lang="es")
    page.goto("/es/delegations/")
    page.get_by_role("link", name="Perú").click()
    assert "Delegación: Perú" in page.inner_text("h1")

    page.get_by_role("link", name="Designar un delegado").click()
    page.fill("#given_name", "Ñusta")
    page.fill("#family_name", "Çáceres Huamán")
    page.fill("#email", "nusta.caceres@example.org")
    page.select_option("#role", "member")
    page.check("input[name=sessions][value=WS01]")
    screenshot(page, "delegates-nominate-es")
    submit(page, "#delegate-form")
    assert "Çáceres Huamán" in page.inner_text("table.delegates")

    page.get_by_role("link", name="Importar un archivo").click()
    content = ("given_name,family_name,email,role\n"
               "Ana,Quispe,ana.quispe@example.org,member\n"
               "Luis,,not-an-email,member\n").encode()
    page.set_input_files("#file", files=[{"name": "delegacion.csv", "mimeType": "text/csv", "buffer": content}])
    submit(page, "#import-form")
    errors = page.inner_text("#import-errors")
    screenshot(page, "delegates-import-error-es")
    assert "No se importó nada" in errors
    assert "Apellidos" in errors and "Correo electrónico" in errors and "3" in errors
    page.goto("/es/delegations/")
    page.get_by_role("link", name="Perú").click()
    assert "ana.quispe" not in page.content()

    organiser = browser.new_context(base_url=live_server).new_page()
    login(organiser, ORGANISER, lang="fr")
    organiser.goto(f"/fr/manage/events/{SLUG}/accreditation")
    row = organiser.locator("tr", has_text="Çáceres Huamán")
    with organiser.expect_navigation():
        row.get_by_role("button", name="Accréditer").click()
    assert "accrédité" in organiser.inner_text(".flashes")
    organiser.context.close()

    page.reload()
    assert "Acreditado" in page.locator("tr", has_text="Çáceres Huamán").inner_text()


@pytest.mark.parametrize("path,who", [
    ("/fr/delegations/", FOCAL_POINT),
    (f"/es/manage/events/{SLUG}/delegations/", ORGANISER),
    (f"/fr/manage/events/{SLUG}/accreditation", ORGANISER),
    (f"/en/manage/events/{SLUG}/participants", ORGANISER),
    (f"/es/manage/events/{SLUG}/statistics", ORGANISER),
    (f"/fr/manage/events/{SLUG}/attendance", ORGANISER),
])
def test_delegation_pages_have_no_serious_accessibility_violations(page, path, who):
    from .helpers import axe_violations, describe
    login(page, who)
    response = page.goto(path)
    assert response.status == 200
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_focal_points_delegation_page_and_forms_are_accessible(page):
    from .helpers import axe_violations, describe
    login(page, FOCAL_POINT)
    page.goto("/en/delegations/")
    page.get_by_role("link", name="Peru").click()
    base = page.url
    for sub in ("", "delegates/new", "import", "tokens"):
        page.goto(base + sub)
        violations = axe_violations(page)
        assert not violations, (sub, describe(violations))
