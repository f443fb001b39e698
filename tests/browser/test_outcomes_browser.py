"""One key message from the rapporteur, to the organiser, to a participant's PDF download."""
import re
import shutil
import subprocess

import pytest

from .helpers import ORGANISER, SLUG, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

RAPPORTEUR = "rapporteur@example.org"
ES = "La juventud debe participar en el diseño de la cooperación."
FR = "Les jeunes doivent participer à la conception de la coopération."
EN = "Young people should take part in designing co-operation."


def test_key_message_from_rapporteur_to_organiser_to_download(page, browser, live_server):
    # The rapporteur drafts a message in Spanish with French and English versions and submits it.
    login(page, RAPPORTEUR, lang="es")
    page.goto(f"/es/manage/events/{SLUG}/key-messages/")
    page.get_by_role("link", name="Nuevo mensaje clave para RD-LAC").click()
    page.select_option("#original_language", "es")
    page.fill("#text-es", ES)
    page.fill("#text-fr", FR)
    page.fill("#text-en", EN)
    screenshot(page, "outcomes-message-form-es")
    assert axe_violations(page) == [], describe(axe_violations(page))
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar y enviar a revisión").click()
    assert "El mensaje clave se envió a revisión." in page.locator(".flash.success").inner_text()
    page.context.clear_cookies()

    # The organiser approves it and publishes a new version of the outcome document.
    login(page, ORGANISER)
    page.goto(f"/en/manage/events/{SLUG}/review")
    card = page.locator("article.km", has_text=EN)
    screenshot(page, "outcomes-review-en")
    assert axe_violations(page) == [], describe(axe_violations(page))
    with page.expect_navigation():
        card.get_by_role("button", name="Approve").click()
    assert "approved" in page.locator(".flash.success").inner_text()
    page.goto(f"/en/manage/events/{SLUG}/outcome/")
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.goto(f"/en/manage/events/{SLUG}/outcome/translations")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish a new version").click()
    # A worker renders the three languages; the progress page follows it and then links to the result.
    assert "being published in French, Spanish and English" in page.locator(".flash.success").inner_text()
    assert axe_violations(page) == [], describe(axe_violations(page))
    published = page.get_by_role("link", name="See the published document")
    published.wait_for(state="visible", timeout=60000)
    with page.expect_navigation():
        published.click()
    assert "version 2" in page.locator("body").inner_text()
    page.context.clear_cookies()

    # A participant finds the message on the public page and in the PDF, in French.
    page.goto(f"/fr/events/{SLUG}/outcome/")
    assert FR in page.locator("article.outcome-doc").inner_text()
    screenshot(page, "outcomes-public-fr")
    assert axe_violations(page) == [], describe(axe_violations(page))
    link = page.get_by_role("link", name=re.compile("PDF en français"))
    response = page.request.get(live_server + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.body(), capture_output=True).stdout.decode()
        assert FR in " ".join(text.split())
    again = page.request.get(live_server + link.get_attribute("href"),
                             headers={"If-None-Match": response.headers["etag"]})
    assert again.status == 304
    # The first version stays available.
    assert page.request.get(f"{live_server}/fr/events/{SLUG}/outcome/v1.pdf").status == 200


def test_organiser_translates_a_message_in_house_then_approves_it_and_a_conflict_keeps_both_texts(
        page, browser, live_server):
    """In French: the organiser adds the missing versions and may still approve; two editors at once lose nothing."""
    login(page, RAPPORTEUR, lang="es")
    page.goto(f"/es/manage/events/{SLUG}/key-messages/")
    page.get_by_role("link", name="Nuevo mensaje clave para RD-LAC").click()
    assert page.input_value("#original_language") == "es"  # the language of the session's messages
    page.fill("#text-es", "La cooperación *descentralizada* necesita recursos propios.")
    page.fill("#position", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar y enviar a revisión").click()
    first = page.locator("li.km").first
    assert "descentralizada" in first.inner_text() and "Falta: francés, inglés" in first.inner_text()
    edit_url = first.get_by_role("link", name="Editar").get_attribute("href")

    organiser = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    org = organiser.new_page()
    try:
        login(org, ORGANISER, lang="fr")
        org.goto(f"/fr/manage/events/{SLUG}/review")
        card = org.locator("article.km", has_text="descentralizada necesita")
        card.get_by_role("link", name="Modifier ou ajouter des traductions").click()
        # Meanwhile the rapporteur opens the same message.
        page.goto(edit_url)
        org.fill("#text-fr", "La coopération *décentralisée* a besoin de ressources propres.")
        org.fill("#text-en", "*Decentralised* co-operation needs its own resources.")
        with org.expect_navigation():
            org.get_by_role("button", name="Enregistrer le brouillon").click()
        org.goto(f"/fr/manage/events/{SLUG}/review")
        card = org.locator("article.km", has_text="descentralizada necesita")
        assert "un autre organisateur doit l'examiner" not in card.inner_text()
        screenshot(org, "outcomes-review-after-translation-fr")
        with org.expect_navigation():
            card.get_by_role("button", name="Approuver").click()
        assert "approuvé" in org.locator(".flash.success").inner_text()

        # The rapporteur saves the version opened before the organiser's: the two edits are merged, but the
        # approval given meanwhile is said before the edit withdraws it.
        mine = "La cooperación descentralizada necesita recursos propios y estables."
        page.fill("#text-es", mine)
        with page.expect_navigation():
            page.get_by_role("button", name="Guardar el borrador").click()
        conflict = page.locator("section.conflict")
        assert "Guardada por Olivia Marchetti" in conflict.inner_text()
        assert "examinó este mensaje" in page.locator(".flash.error").inner_text()
        assert page.input_value("#text-es") == mine
        assert "décentralisée" in page.input_value("#text-fr")  # the organiser's French, kept in the form
        screenshot(page, "outcomes-conflict-es")
        assert axe_violations(page) == [], describe(axe_violations(page))
        with page.expect_navigation():
            page.get_by_role("button", name="Guardar el borrador").click()
        assert "/edit" not in page.url
    finally:
        organiser.close()


def test_history_and_translation_report_fit_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, ORGANISER, lang="es")
    page.goto(f"/es/manage/events/{SLUG}/key-messages/")
    page.locator("li.km").first.get_by_role("link", name="Historial").click()
    page.wait_for_url("**/history**")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"/es/manage/events/{SLUG}/outcome/translations")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
