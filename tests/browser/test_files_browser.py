"""The organisers' file pages on a phone (375 px) and a desktop, in fr, es and en: the Files table's
Download fits the screen, the file buttons keep apart from the link after them, and no page asks for a
favicon that is not there."""
from __future__ import annotations

import pytest

from .helpers import LANGS, SLUG, login, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def _a_file_made(page, lang: str) -> None:
    """Press "List (CSV)" on the participants page and wait for the file."""
    page.goto(f"/{lang}/manage/events/{SLUG}/participants")
    with page.expect_navigation():
        page.locator("button[value=participants_csv]").click()
    if "/jobs/" in page.url and not page.url.endswith("/file"):
        page.wait_for_selector(".job-download:not([hidden])", timeout=60_000)


@pytest.mark.parametrize("lang", LANGS)
def test_the_files_table_shows_its_download_link_on_a_phone(page, lang):
    login(page, lang=lang)
    _a_file_made(page, lang)
    page.set_viewport_size(PHONE)
    page.goto(f"/{lang}/manage/events/{SLUG}/jobs/")
    link = page.locator("main table td a[href$='/file']").first
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"files-table-phone-{lang}")


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
@pytest.mark.parametrize("lang", LANGS)
def test_the_files_made_link_keeps_apart_from_the_badges_button(page, lang, width):
    login(page, lang=lang)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/{lang}/manage/events/{SLUG}/participants")
    button = page.locator("button[value=badges]").bounding_box()
    link = page.locator(f"form a[href$='/manage/events/{SLUG}/jobs/']").bounding_box()
    beside = link["y"] < button["y"] + button["height"] and link["y"] + link["height"] > button["y"]
    gap = link["x"] - (button["x"] + button["width"]) if beside else link["y"] - (button["y"] + button["height"])
    assert gap >= 8, (button, link)
    screenshot(page, f"participants-file-buttons-{lang}-{width}")


def test_no_page_logs_a_missing_favicon(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    login(page)
    page.goto(f"/en/manage/events/{SLUG}/participants")
    page.goto("/fr/", wait_until="networkidle")  # the icon asked for too
    assert errors == []
    icon = page.evaluate("fetch('/favicon.ico').then(r => [r.status, r.headers.get('Content-Type')])")
    assert icon == [200, "image/vnd.microsoft.icon"]
