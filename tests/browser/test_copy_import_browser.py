"""An organiser copies last year's event, imports 40 sessions from an XLSX with Spanish headers (one bad
row named, nothing imported; fixed, all imported after a preview) and sees a room clash at save."""
import io

import pytest
from openpyxl import Workbook

from .helpers import SLUG, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

NEW = "effective-cooperation-summit-2023"
HEADERS = ["Código", "Día", "Inicio", "Fin", "Tipo", "Sala", "Título (español)", "Título (inglés)", "Oradores"]


def _xlsx(bad_row: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for i in range(40):
        day = f"2023-12-{11 + i // 20:02d}"
        hour = 8 + (i % 20) // 2
        room = "Plenary hall" if i % 2 == 0 else f"Sala {i % 4}"
        start = "8h61" if bad_row and i == 16 else f"{hour:02d}:{(i % 2) * 30:02d}"
        sheet.append([f"IM{i:02d}", day, start, f"{hour:02d}:{(i % 2) * 30 + 25:02d}", "Sesión de trabajo", room,
                      f"Sesión importada {i}", f"Imported session {i}", f"Oradora {i}; Ana Pérez"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(page, content: bytes):
    page.set_input_files("#file", files=[{"name": "sesiones.xlsx", "buffer": content,
                                          "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    with page.expect_navigation() as nav:
        page.locator("#import-form [type=submit]").click()
    return nav.value


def test_organiser_copies_last_years_event_imports_sessions_and_sees_a_clash(page):
    login(page, lang="es")
    page.goto(f"/es/manage/events/{SLUG}/")
    page.get_by_role("link", name="Nuevo evento a partir de este").click()
    page.fill("#slug", NEW)
    page.fill("#starts_on", "2023-12-11")
    with page.expect_navigation():
        page.locator("#copy-event-form [type=submit]").click()
    assert page.url.endswith(f"/es/manage/events/{NEW}/")
    assert "El nuevo evento se ha creado como borrador." in page.locator(".flash.success").inner_text()
    assert page.locator("tr#s-PL1").count() == 1  # last year's sessions, on the new dates

    page.get_by_role("link", name="Importar sesiones").click()
    response = _upload(page, _xlsx(bad_row=True))
    assert response.status == 422
    errors = page.locator("#import-errors").inner_text()
    assert "No se importó nada" in errors and "18\tInicio" in errors  # row 18 of the sheet, column "Inicio"
    screenshot(page, "copy-import-errors-es")
    assert not axe_violations(page), describe(axe_violations(page))

    response = _upload(page, _xlsx(bad_row=False))
    assert response.status == 200
    preview = page.locator("#import-preview").inner_text()
    assert "40 sesiones listas para importar" in preview and "Ana Pérez" in preview
    screenshot(page, "copy-import-preview-es")
    with page.expect_navigation():
        page.locator("#import-confirm [type=submit]").click()
    assert "Se han importado 40 sesiones." in page.locator(".flash.success").inner_text()
    assert page.locator("tr#s-IM39").count() == 1

    # A new session in the Plenary hall at the time of IM00: the clash shows at save.
    page.goto(f"/en/manage/events/{NEW}/sessions/new")
    page.fill("#code", "SE9")
    page.fill("#title-en", "Side meeting")
    page.fill("#starts_at", "2023-12-11T08:00")
    page.fill("#ends_at", "2023-12-11T08:20")
    page.fill("#room", "Plenary hall")
    with page.expect_navigation() as nav:
        page.locator("#session-form [type=submit]").first.click()
    assert nav.value.status == 409
    assert "Plenary hall is also booked for IM00" in page.locator(".clash-warning").inner_text()
    screenshot(page, "copy-import-clash-en")


PAGES = {"import": "import", "copy": "copy", "copy-day": "copy-day"}


@pytest.mark.parametrize("lang", ("fr", "es", "en"))
@pytest.mark.parametrize("name", PAGES)
def test_copy_and_import_pages_pass_axe_and_fit_a_phone(page, name, lang):
    login(page, lang=lang)
    page.set_viewport_size({"width": 375, "height": 800})
    response = page.goto(f"/{lang}/manage/events/{SLUG}/{PAGES[name]}")
    assert response.status == 200
    screenshot(page, f"copy-{name}-{lang}-375")
    assert not axe_violations(page), describe(axe_violations(page))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
