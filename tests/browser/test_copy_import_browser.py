"""An organiser copies last year's event, imports 40 sessions from an XLSX with Spanish headers (one bad
row named, nothing imported; fixed, all imported after a preview), sees a room clash at save and saves
anyway, registers a French delegate for a session, publishes the event, moves the session, and the
delegate's mail in the outbox says, in French, what changed, on the wall clock of the event's zone."""
import io
import time

import pytest
from openpyxl import Workbook

from .helpers import ORGANISER, SLUG, axe_violations, describe, login, screenshot

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


def _outbox_mail(page, worker, recipient: str, text: str, timeout: float = 30):
    """The outbox page's message to `recipient` with `text`, once the task on the embedded worker wrote it."""
    deadline = time.monotonic() + timeout
    while True:
        worker.wait()
        page.goto(f"/es/manage/events/{NEW}/outbox")
        mail = page.locator("article.mail", has_text=recipient).filter(has_text=text)
        if mail.count() or time.monotonic() > deadline:
            return mail
        time.sleep(0.2)


def test_organiser_copies_imports_sees_a_clash_moves_a_session_and_the_delegate_is_told_in_french(page, live_worker):
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
    with page.expect_navigation():
        page.get_by_role("button", name="Save anyway").click()
    assert page.url.endswith(f"/en/manage/events/{NEW}/#s-SE9")
    assert "Session SE9 is saved." in page.locator(".flash.success").inner_text()

    # The organiser registers a delegate of France for IM00 (through the delegation's nomination form,
    # which organisers may use too, as focal points do) and accredits her, then publishes the event:
    # changes of its sessions are now told.
    page.goto(f"/es/manage/events/{NEW}/delegations/")
    page.select_option("#kind", "member_state")
    page.select_option("#country", "FR")
    with page.expect_navigation():
        page.locator("#delegation-form [type=submit]").click()
    assert "Francia" in page.locator(".flash.success").inner_text()
    page.get_by_role("link", name="Ver sus delegados").click()
    page.get_by_role("link", name="Designar un delegado").click()
    page.fill("#given_name", "Jeanne")
    page.fill("#family_name", "Martin")
    page.fill("#email", "jeanne.martin@example.fr")
    page.select_option("#role", "member")
    page.check("input[name=sessions][value=IM00]")
    with page.expect_navigation():
        page.locator("#delegate-form [type=submit]").click()
    assert "Jeanne MARTIN" in page.inner_text("table.delegates")
    page.goto(f"/es/manage/events/{NEW}/accreditation")
    with page.expect_navigation():
        page.locator("tr", has_text="MARTIN").get_by_role("button", name="Acreditar", exact=True).click()
    assert page.locator(".flash.success").count() == 1
    page.goto(f"/es/manage/events/{NEW}/edit")
    page.select_option("#status", "published")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    assert page.locator(".flash.success").count() == 1

    # IM00 moves from 08:00 in the Plenary hall to 18:00 in Sala 1 (no clash there).
    page.goto(f"/es/manage/events/{NEW}/sessions/IM00/edit")
    page.fill("#starts_at", "2023-12-11T18:00")
    page.fill("#ends_at", "2023-12-11T18:45")
    page.fill("#room", "Sala 1")
    with page.expect_navigation() as nav:
        page.locator("#session-form [type=submit]").first.click()
    assert nav.value.status == 200 and page.url.endswith("#s-IM00")

    mail = _outbox_mail(page, live_worker, "jeanne.martin@example.fr", "IM00")
    assert mail.count() == 1, page.locator("main").inner_text()
    mail.scroll_into_view_if_needed()
    screenshot(page, "copy-import-notice-outbox-fr")
    subject, body = mail.locator("h3").inner_text(), mail.locator("pre").inner_text()
    assert subject.endswith(" : modification de 1 session"), subject
    assert "IM00 · Sesión importada 0" in body
    assert "Salle : Salle plénière → Sala 1" in body, body  # the hall's French name, from last year's rooms
    # Times on the wall clock of the event's zone (Zurich; 07:00 and 17:00 UTC), dates in French.
    assert "Horaire : lundi 11 décembre 2023, 08:00–08:25 → lundi 11 décembre 2023, 18:00–18:45" in body, body
    assert "Europe/Zurich" in body and "Bonjour" in body


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


def test_import_errors_and_preview_fit_a_phone_and_pass_axe(page):
    """The shared list of row errors and the preview (new and updated sessions) at 375 px, in Spanish."""
    login(page, lang="es")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/es/manage/events/{SLUG}/import")
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(["RD-LAC", "2022-12-13", "16:00", "17:30", "Sesión de trabajo", "Sala 9",
                        "Diálogo regional (actualizado)", "Regional dialogue (updated)", "Ana Pérez"])
    book.active.append(["PH1", "2022-12-14", "8h61", "09:30", "Sesión de trabajo", "Sala 9", "Nueva", "New", ""])
    files = {}
    for name in ("errors", "preview"):
        out = io.BytesIO()
        book.save(out)
        files[name] = out.getvalue()
        book.active["C3"] = "08:30"
    for name, content in files.items():
        _upload(page, content)
        assert page.locator("#import-errors" if name == "errors" else "#import-preview").count() == 1
        if name == "preview":
            assert "1 sesión existente se actualizará" in page.inner_text("#import-updates")
            assert "se actualizará" in page.locator("tr.will-update", has_text="RD-LAC").inner_text()
        screenshot(page, f"copy-import-{name}-es-375")
        assert not axe_violations(page), describe(axe_violations(page))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_large_file_is_checked_and_imported_behind_progress_pages(page, live_app):
    """Above SESSION_IMPORT_JOB_ROWS the preview and the import are jobs: the progress page (moved by its
    script) leads to the preview, and the import's to the agenda."""
    from datetime import date

    from dialogue.auth.roles import grant_role
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event

    with live_app.app_context():
        ev = Event(slug="large-import-2023", status="draft", timezone="Europe/Zurich", starts_on=date(2023, 12, 11),
                   ends_on=date(2023, 12, 12), original_language="es", title={"es": "Importación grande"})
        db.session.add(ev)
        db.session.flush()
        grant_role(db.session.scalar(db.select(User).where(User.email == ORGANISER)), ev, "organiser")
        db.session.commit()
    live_app.config["SESSION_IMPORT_JOB_ROWS"] = 10
    try:
        login(page, lang="es")
        page.goto("/es/manage/events/large-import-2023/import")
        _upload(page, _xlsx(bad_row=False))
        assert "/es/jobs/" in page.url
        page.get_by_role("link", name="Ver la vista previa").click()  # shown by the page's script when done
        assert "40 sesiones listas para importar" in page.locator("#import-preview").inner_text()
        with page.expect_navigation():
            page.locator("#import-confirm [type=submit]").click()
        assert "/es/jobs/" in page.url
        screenshot(page, "copy-import-job-es")
        page.get_by_role("link", name="Ver el programa").click()
        assert page.url.endswith("/es/manage/events/large-import-2023/")
        assert page.locator("tr#s-IM39").count() == 1
    finally:
        live_app.config.pop("SESSION_IMPORT_JOB_ROWS")
