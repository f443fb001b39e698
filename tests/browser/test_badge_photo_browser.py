"""A focal point nominates a delegate with their name order, own-script name and a photo (a PDF renamed
.jpg first, refused with the typed input kept), sees the cropped photo, and downloads the badge preview."""
import io

import pytest
from PIL import Image

from .helpers import login, screenshot

pytestmark = pytest.mark.browser

FOCAL_POINT = "focal.point@example.org"


def portrait() -> bytes:
    image = Image.new("RGB", (1200, 900), (200, 180, 150))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (46.0, 12.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").click()


@pytest.mark.parametrize("lang,delegation,refused,preview", [
    ("es", "Perú", "no es una foto JPEG o PNG", "Vista previa de las credenciales (PDF)"),
    ("fr", "Pérou", "n’est pas une photo JPEG ou PNG", "Aperçu des badges (PDF)"),
    ("en", "Peru", "not a JPEG or PNG photo", "Preview of the badges (PDF)"),
])
def test_focal_point_adds_a_photo_and_downloads_the_badge_preview(page, live_server, lang, delegation, refused,
                                                                  preview):
    login(page, FOCAL_POINT, lang=lang)
    page.goto(f"/{lang}/delegations/")
    page.get_by_role("link", name=delegation).first.click()
    page.locator("a[href$='/delegates/new']").first.click()
    page.fill("#given_name", "Ming")
    page.fill("#family_name", f"Li{lang}")
    page.select_option("#name_order", "family_given")
    page.fill("#native_name", "李明")
    page.fill("#email", f"li.ming.{lang}@example.org")
    page.set_input_files("#photo", files=[{"name": "photo.jpg", "mimeType": "image/jpeg",
                                           "buffer": b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"}])
    submit(page, "#delegate-form")
    assert refused in page.inner_text("#delegate-form")
    assert page.input_value("#native_name") == "李明" and page.input_value("#family_name") == f"Li{lang}"
    page.set_input_files("#photo", files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": portrait()}])
    submit(page, "#delegate-form")
    row = page.locator("tr", has_text=f"LI{lang.upper()} Ming")
    assert "李明" in row.inner_text()
    row.locator("a[href$='/edit']").click()
    preview_img = page.locator("#photo-preview img")
    preview_img.scroll_into_view_if_needed()
    # A function, not an expression: Playwright evals an expression in the page while it polls, which our
    # Content-Security-Policy (no 'unsafe-eval') refuses when the image is not there at the first look.
    page.wait_for_function("() => document.querySelector('#photo-preview img').naturalWidth > 0")
    assert preview_img.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [300, 400]
    screenshot(page, f"delegates-photo-{lang}")
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("button", name=preview).click()
    page.wait_for_selector("a[href$='/file']", timeout=60_000)
    response = page.request.get(page.locator("a[href$='/file']").first.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")
