"""The public outcome page on a phone (375 px), in fr, es and en: the downloads box and the document's
masthead do not overlap, and the publication time names its zone."""
from __future__ import annotations

import pytest

from .helpers import LANGS, SLUG, screenshot

pytestmark = pytest.mark.browser


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_downloads_box_leaves_the_masthead_alone_on_a_phone(page, lang):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/{lang}/events/{SLUG}/outcome/")
    downloads = page.locator("aside.downloads").bounding_box()
    top = page.locator(".un-top > *")  # the event's name and the symbol, above the document
    for i in range(top.count()):
        masthead = top.nth(i).bounding_box()
        assert not _overlap(downloads, masthead), (downloads, masthead)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "(Europe/Zurich, UTC" in page.inner_text("aside.downloads")
    screenshot(page, f"outcome-public-phone-{lang}")
