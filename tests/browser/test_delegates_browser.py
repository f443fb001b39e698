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
    assert "Ñusta ÇÁCERES HUAMÁN" in page.inner_text("table.delegates")  # family names in capitals, as UN lists

    page.get_by_role("link", name="Importar un archivo").click()
    content = (b"given_name,family_name,email,role\n"
               b"Ana,Quispe,ana.quispe@example.org,member\n"
               b"Luis,,not-an-email,member\n")
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
    (f"/es/manage/events/{SLUG}/accreditation?delegation_name=p", ORGANISER),  # Perú, CSO Partnership...
    (f"/en/manage/events/{SLUG}/participants", ORGANISER),
    (f"/es/manage/events/{SLUG}/statistics", ORGANISER),
    (f"/fr/manage/events/{SLUG}/attendance", ORGANISER),
])
def test_delegation_pages_have_no_serious_accessibility_violations(page, path, who):
    from .helpers import axe_violations, describe
    login(page, who)
    response = page.goto(path)
    assert response.status == 200
    if "delegation_name" in path:
        assert page.locator("#delegation-choices a").count() > 1
        screenshot(page, "queue-delegation-choices-es", full_page=False)
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


def test_nomination_form_fits_the_window_with_every_session(page):
    """The demo has some thirty sessions: their checkboxes wrap in columns instead of widening the page."""
    login(page, FOCAL_POINT, lang="es")
    page.goto("/es/delegations/")
    page.get_by_role("link", name="Perú").click()
    page.get_by_role("link", name="Designar un delegado").click()
    assert page.locator("input[name=sessions]").count() > 20
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")
    screenshot(page, "delegates-nominate-sessions-es")


def test_organiser_accredits_a_whole_delegation_at_once(page, live_app):
    from dialogue.delegates.models import Delegate, Delegation
    from dialogue.extensions import db
    from dialogue.sessions.models import Event

    with live_app.app_context():
        event = db.session.scalar(db.select(Event).where(Event.slug == SLUG))
        chile = Delegation(event=event, kind="member_state", country="CL", quota=10)
        db.session.add(chile)
        for i, (given, family) in enumerate([("Begoña", "Ávila"), ("Ramón", "Cañete"), ("Íñigo", "Núñez")]):
            db.session.add(Delegate(delegation=chile, event_id=event.id, given_name=given, family_name=family,
                                    email=f"bulk{i}@cl.example.org", status="nominated"))
        db.session.commit()
        chile_id = chile.id
    login(page, ORGANISER, lang="fr")
    page.goto(f"/fr/manage/events/{SLUG}/accreditation")
    # The delegation is typed (part of its name, no accent needed), not picked from a list of every one.
    page.fill("#filter-delegation", "chil")
    with page.expect_navigation():
        page.locator("#queue-filter [type=submit]").click()
    assert page.input_value("#filter-delegation") == "Chili" and "delegation_name=chil" in page.url
    assert page.locator("input[name=delegate]").count() == 3
    page.check("#select-all")
    assert page.locator("input[name=delegate]:checked").count() == 3
    screenshot(page, "delegates-bulk-accredit-fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Accréditer les désignations cochées").click()
    assert "3 délégués sont accrédités" in page.inner_text(".flashes")
    assert page.locator("input[name=delegate]").count() == 0
    with live_app.app_context():
        statuses = db.session.scalars(db.select(Delegate.status).where(Delegate.delegation_id == chile_id)).all()
    assert statuses == ["accredited"] * 3
