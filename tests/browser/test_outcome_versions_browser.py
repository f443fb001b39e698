"""A translator's XLIFF file through the organisers' pages, then a correction (Corr.) and what changed."""
import re

import pytest
from translate.storage.xliff2 import Xliff2File

from .helpers import ORGANISER, SLUG, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

NEW = "The countries will present these messages at the closing plenary, as agreed in Geneva."


def test_xliff_round_trip_then_a_correction_shows_what_changed(page, tmp_path):
    login(page, ORGANISER, lang="fr")
    page.goto(f"/fr/manage/events/{SLUG}/outcome/")
    page.get_by_role("link", name="Fichiers de traduction (XLIFF)").click()
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.select_option("#source", "es")
    page.select_option("#target", "en")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le fichier XLIFF").click()
    store = Xliff2File.parsestring(open(download.value.path(), "rb").read())
    # A part of the document itself (a key message whose translation changes goes back to review first).
    last = next(u for u in reversed(list(store.units)) if not u.getid().startswith("km-"))
    assert store.gettargetlanguage() == "en" and last.getid().startswith(("next_steps-", "recommendations-", "preamble"))
    last.target = NEW
    translated = tmp_path / "translated.xlf"
    translated.write_bytes(bytes(store))
    page.set_input_files("#file", str(translated))
    with page.expect_navigation():
        page.get_by_role("button", name="Importer les traductions").click()
    assert "1 traduction importée" in page.locator(".flash.success").inner_text()

    page.goto(f"/fr/manage/events/{SLUG}/outcome/translations")
    current = re.search(r"La version en vigueur est (\S+) \(version (\d+)\)", page.locator("body").inner_text())
    assert current, "a version is published in the demo"
    page.get_by_label(re.compile("Un rectificatif")).check()
    # Another browser test on the same demo server may have changed an original: publish those
    # translations as they are (the report's explicit choice).
    for box in page.locator("input[name=accept_outdated]").all():
        box.check()
    screenshot(page, "outcomes-publish-correction-fr")
    assert axe_violations(page) == [], describe(axe_violations(page))
    with page.expect_navigation():
        page.get_by_role("button", name="Publier une nouvelle version").click()
    published = page.get_by_role("link", name="Voir le document publié")
    published.wait_for(state="visible", timeout=60000)
    with page.expect_navigation():
        published.click()
    assert re.search(r"/Corr\.\d", page.locator(".un-symbol").inner_text())
    assert "Le présent document remplace le document " + current.group(1) in page.locator("body").inner_text()

    for lang, link in (("fr", "Modifications depuis la version"), ("es", "Cambios desde la versión"),
                       ("en", "What changed from version")):
        page.goto(f"/{lang}/events/{SLUG}/outcome/")
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile(link)).first.click()
        assert "/outcome/changes" in page.url
        screenshot(page, f"outcomes-changes-{lang}")
        assert axe_violations(page) == [], describe(axe_violations(page))
        if lang == "en":
            inserted = page.locator(".change ins").all_inner_texts()
            assert any("Geneva" in text and "[inserted:" in text for text in inserted), inserted
