"""Issue 10's story in one run, as its users click it, with the focal point's and organiser's interface in
fr, es or en (the delegate reads Spanish in every run): the organiser sets the nomination deadline; the focal
point sees the time left, uploads the letter of credentials, nominates a delegate with a 120-character family
name and a photo, and sends them the details link; the delegate opens the mailed link and completes their
details; the organiser marks the credentials in order and accredits; the badge (the worker's PDF, read back)
prints the photo and the whole name box inside its badge and clear of the QR code; the focal point asks for a
substitution, the organiser accepts it, and the old badge's QR code no longer verifies while the new one does.
"""
from __future__ import annotations

import io
import re
import subprocess
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pdfplumber
import pytest
from PIL import Image, ImageOps
from sqlalchemy import select

from dialogue.delegates.badges import BADGE, MARGIN, NAME_HEIGHT, NAME_TOP, PHOTO, QR, TEXT_LEFT_PHOTO

from .. import factories as f
from .helpers import ARTIFACTS, FOCAL_POINT, ORGANISER, axe_violations, describe, event_next_month, login, screenshot

pytestmark = pytest.mark.browser

MM = 72 / 25.4
ZONE = "America/Lima"
#: 120 characters, the form's limit: a Spanish compound family name, printed in capitals on the badge.
FAMILY = ("Fernández de Córdoba y Figueroa de la Cerda Montoya Villavicencio Ponce de León "
          "Álvarez de Toledo y Portocarrero Mendoza Sotomayor")[:120]
assert len(FAMILY) == 120

#: What each interface says, by language (the delegate's page is always Spanish).
WORDS = {
    "fr": {"peru": "Pérou", "left": "3 jours restants", "uploaded": "Déposée, pas encore vérifiée",
           "in_order": "En règle", "complete": "Complet", "sent": "lien", "replace": "Remplacer ou retirer",
           "asked": "Votre demande est envoyée", "accepted": "La demande est acceptée : Rosa Quispe Mamani est accrédité·e à la place de María José",
           "withdrawn": "plus valable", "valid": "Badge valide"},
    "es": {"peru": "Perú", "left": "Quedan 3 días", "uploaded": "Cargada, aún no verificada",
           "in_order": "En regla", "complete": "Completo", "sent": "enlace", "replace": "Sustituir o retirar",
           "asked": "Su solicitud se envió", "accepted": "La solicitud está aceptada: Rosa Quispe Mamani queda acreditado/a en lugar de María José",
           "withdrawn": "ya no es válida", "valid": "Credencial válida"},
    "en": {"peru": "Peru", "left": "3 days left", "uploaded": "Uploaded, not checked yet",
           "in_order": "In order", "complete": "Complete", "sent": "link", "replace": "Replace or withdraw",
           "asked": "Your request is sent", "accepted": "The request is accepted: Rosa Quispe Mamani is accredited in place of María José",
           "withdrawn": "no longer valid", "valid": "Valid badge"},
}


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").first.click()


def click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def accessible(page, name: str) -> None:
    """A screenshot to look at, and no serious or critical axe-core violation."""
    screenshot(page, name)
    found = axe_violations(page)
    assert not found, f"{name}:\n{describe(found)}"


def portrait() -> bytes:
    """A 3:4 photo, red above and blue below, with GPS in its EXIF (which must not reach the badge)."""
    image = Image.new("RGB", (900, 1200), (200, 30, 30))
    image.paste((30, 30, 200), (0, 600, 900, 1200))
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (12.0, 3.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


@pytest.fixture
def story_event(live_app):
    """A published event in a month, in Lima's zone, asking for every personal detail, with a Peruvian
    delegation of the demo focal point: what an organiser has set up before the story begins."""
    tag = uuid.uuid4().hex[:8]
    with live_app.app_context():
        title = {"fr": f"Conférence récit {tag}", "es": f"Conferencia relato {tag}", "en": f"Story conference {tag}"}
        ev, delegation = event_next_month(f"story-{tag}", title, tz=ZONE, quota=3)
        return ev.slug, tag, delegation.id


def last_mail(live_app, recipient: str):
    from dialogue.extensions import db
    from dialogue.models import OutboxMessage
    with live_app.app_context():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                                  .order_by(OutboxMessage.id.desc())).first()


def badges_zip(page, live_worker) -> bytes:
    """Ask for the badges on the participants page and download the ZIP once the worker has made it."""
    click(page, page.locator("button[name=kind][value=badges]"))
    live_worker.wait()
    page.wait_for_selector("a[href$='/file']", timeout=60_000)
    response = page.request.get(page.locator("a[href$='/file']").first.get_attribute("href"))
    assert response.status == 200
    return response.body()


def images_of(pdf: bytes, folder: Path) -> list[Image.Image]:
    """The images the PDF draws (pdfimages), as Pillow images."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    (folder / "badges.pdf").write_bytes(pdf)
    subprocess.run(["pdfimages", "-png", str(folder / "badges.pdf"), str(folder / "img")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(folder.glob("img-*.png"))]


def qr_urls(images: list[Image.Image], folder: Path) -> list[str]:
    """The URLs of the QR codes among these images (zbarimg, given a quiet zone)."""
    urls = []
    for number, image in enumerate(images):
        if image.width != image.height:
            continue
        path = folder / f"qr-{number}.png"
        ImageOps.expand(image.resize((image.width * 2, image.height * 2), Image.NEAREST), 40, "white").save(path)
        found = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
        urls += found.stdout.split()
    return urls


def read_badge(pdf: bytes, family_upper: str, folder: Path):
    """Check the one badge of `pdf`: the photo drawn; every word of the name inside the name box, clear of
    the QR code; the name printed whole or cut with an ellipsis. Returns (name printed, QR URLs)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        outlines = {(round(r["x0"] / 5), round(r["top"] / 5)): r for r in page.rects  # a border is several rects
                    if abs(r["width"] - BADGE[0] * MM) < 2 and abs(r["height"] - BADGE[1] * MM) < 2}
        assert len(outlines) == 1, "one badge on the page"
        box = next(iter(outlines.values()))
        x0, top = box["x0"], box["top"]
        name_box = (x0 + TEXT_LEFT_PHOTO * MM, top + NAME_TOP * MM, x0 + (BADGE[0] - MARGIN) * MM,
                    top + (NAME_TOP + NAME_HEIGHT) * MM)
        qr = [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images
              if abs(i["width"] - QR * MM) < 1 and abs(i["height"] - QR * MM) < 1]
        photos = [i for i in page.images if abs(i["width"] - PHOTO[0] * MM) < 1 and abs(i["height"] - PHOTO[1] * MM) < 1]
        assert len(qr) == 1 and len(photos) == 1, (len(qr), len(photos))
        words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
        name_words = [w for w in words if w["text"].rstrip("…") and w["text"].rstrip("…") in family_upper]
        assert name_words, "the family name is printed"
        slack = 0.5
        for w in name_words:
            assert (w["x0"] >= name_box[0] - slack and w["x1"] <= name_box[2] + slack and w["top"] >= name_box[1] - slack
                    and w["bottom"] <= name_box[3] + slack), f"{w['text']!r} is outside the name box"
            assert not (w["x0"] < qr[0][2] and w["x1"] > qr[0][0] and w["top"] < qr[0][3] and w["bottom"] > qr[0][1]), \
                f"{w['text']!r} runs under the QR code"
        printed = " ".join(w["text"] for w in name_words)
    images = images_of(pdf, folder)
    photo = [i for i in images if i.height > i.width]
    assert photo, "the photo is among the PDF's images"
    upper, lower = photo[0].getpixel((photo[0].width // 2, photo[0].height // 4)), \
        photo[0].getpixel((photo[0].width // 2, 3 * photo[0].height // 4))
    assert upper[0] > 150 > upper[2] and lower[2] > 150 > lower[0], (upper, lower)  # red above, blue below
    return printed, qr_urls(images, folder)


def verify(page, url: str):
    """Open a badge's QR URL as the organiser's phone would (its path, on the live server)."""
    return page.goto(urlsplit(url).path)


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_delegation_story(lang, page, browser, live_server, live_app, live_worker, story_event):
    started = time.monotonic()
    slug, tag, delegation_id = story_event
    w = WORDS[lang]
    shots = f"story-{lang}"
    folder = ARTIFACTS / shots
    organiser = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                    locale="en-GB", timezone_id="Europe/Zurich").new_page()
    organiser.context.set_default_timeout(15_000)
    delegate = browser.new_context(base_url=live_server, viewport={"width": 420, "height": 900},
                                   locale="es-PE").new_page()
    try:
        # The organiser sets the deadline, from the event's administration menu.
        login(organiser, ORGANISER, lang=lang)
        organiser.goto(f"/{lang}/manage/events/{slug}/delegations/")
        click(organiser, organiser.locator("nav.subnav a[href$='/nomination-window']"))
        closes = (datetime.now(UTC) + timedelta(days=3, hours=12)).astimezone(ZoneInfo(ZONE))
        organiser.fill("#closes_at", closes.strftime("%Y-%m-%dT%H:%M"))
        submit(organiser, "#window-form")
        assert organiser.locator(".flashes").count(), "the deadline is saved with a message"

        # The focal point finds the delegation from "My delegations" and sees the time left.
        login(page, FOCAL_POINT, lang=lang)
        page.goto(f"/{lang}/delegations/")
        click(page, page.locator("li", has_text=tag).get_by_role("link", name=w["peru"]))
        assert w["left"] in page.inner_text("#deadline")
        accessible(page, f"{shots}-1-deadline")

        # ... uploads the letter of credentials,
        click(page, page.locator("nav.subnav a[href$='/credentials']"))
        page.set_input_files("#file", files=[{"name": "nota verbal.pdf", "mimeType": "application/pdf",
                                              "buffer": f.blank_pdf()}])
        submit(page, "#credentials-form")
        assert w["uploaded"] in page.inner_text("#letter")
        accessible(page, f"{shots}-2-credentials")

        # ... nominates a delegate with the longest family name and a photo,
        click(page, page.locator("nav.subnav a[href$='/delegates/new']"))
        page.fill("#given_name", "María José")
        page.fill("#family_name", FAMILY)
        page.fill("#email", f"maria.{tag}@example.org")
        assert page.input_value("#language") == lang  # mails to the delegate: the interface's language, unless chosen
        page.select_option("#language", "es")
        accessible(page, f"{shots}-3a-nomination-form")
        page.set_input_files("#photo", files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": portrait()}])
        submit(page, "#delegate-form")
        row = page.locator("table.delegates tbody tr", has_text=f"maria.{tag}@example.org")
        assert row.locator("img.thumb").count() == 1
        accessible(page, f"{shots}-3-nominated")

        nominated = last_mail(live_app, f"maria.{tag}@example.org")  # at once, in the delegate's language
        assert nominated.subject.startswith("Su nombre fue propuesto"), nominated.subject
        assert "/es/my-details/" in nominated.body

        # ... and, as the delegate lost that mail, sends the details link again from the personal details page.
        click(page, page.locator("nav.subnav a[href$='/details']"))
        details_row = page.locator("#details tbody tr", has_text=f"maria.{tag}@example.org")
        assert details_row.locator("select[name=language]").input_value() == "es"
        click(page, details_row.locator("form[action$='/details-link'] button"))
        accessible(page, f"{shots}-4-link-sent")

        # The delegate opens the link from the mail (in Spanish) and completes the details.
        mail = last_mail(live_app, f"maria.{tag}@example.org")
        assert mail.subject.startswith("Sus datos"), mail.subject
        link = re.search(r"https?://\S+/my-details/\S+", mail.body).group(0)
        assert "/es/my-details/" in link
        delegate.goto(urlsplit(link).path)
        assert "Sus datos" in delegate.inner_text("h1")
        delegate.fill("#document_number", "PE1234567")
        delegate.select_option("#nationality", "PE")
        delegate.fill("#birth_date", "1979-11-02")
        arrival = date.today() + timedelta(days=29)
        delegate.fill("#arrival_date", str(arrival))
        delegate.fill("#departure_date", str(arrival + timedelta(days=4)))
        delegate.check("#visa_letter")
        submit(delegate, "#details-form")
        assert "completos" in delegate.inner_text("#details-complete")
        accessible(delegate, f"{shots}-5-delegate-es")

        page.reload()
        assert w["complete"] in page.locator("#details tbody tr", has_text=f"maria.{tag}@example.org").inner_text()

        # The organiser marks the credentials in order, from the list of delegations, then accredits.
        organiser.goto(f"/{lang}/manage/events/{slug}/delegations/")
        click(organiser, organiser.locator("a.badge[href$='/credentials']"))
        organiser.select_option("#check-status", "in_order")
        submit(organiser, "#credentials-decision")
        assert w["in_order"] in organiser.inner_text("#letter")
        accessible(organiser, f"{shots}-6-credentials-in-order")
        click(organiser, organiser.locator("#accredit-this"))  # the queue of this delegation
        queue_row = organiser.locator("#queue tbody tr", has_text=f"maria.{tag}@example.org")
        click(organiser, queue_row.locator("button.primary"))
        assert organiser.locator("#queue tbody tr", has_text=f"maria.{tag}@example.org").count() == 0
        accessible(organiser, f"{shots}-7-accredited")
        accredited = last_mail(live_app, f"maria.{tag}@example.org")
        assert "acredit" in accredited.subject.lower(), accredited.subject  # in Spanish, the delegate's language

        # The badges: the worker's PDF shows the photo and the name inside its box.
        click(organiser, organiser.locator("nav.subnav a[href$='/participants']"))
        first = badges_zip(organiser, live_worker)
        with zipfile.ZipFile(io.BytesIO(first)) as archive:
            (old_pdf,) = [archive.read(n) for n in archive.namelist()]
        family_upper = FAMILY.upper()
        printed, old_urls = read_badge(old_pdf, family_upper, folder / "old")
        # In capitals, from its beginning, whole or cut with an ellipsis at the smallest size.
        assert family_upper.startswith(printed.rstrip("…")) and (printed == family_upper or printed.endswith("…")), printed
        assert len(printed) > 60, printed
        assert len(old_urls) == 1, old_urls
        text = subprocess.run(["pdftotext", "-", "-"], input=old_pdf, capture_output=True, check=True).stdout.decode()
        assert "María José" in text and "FERNÁNDEZ" in text
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(folder / "old" / "badges.pdf"),
                        str(ARTIFACTS / f"{shots}-8-badge")], check=True)
        assert verify(organiser, old_urls[0]).status == 200
        assert w["valid"] in organiser.inner_text("main")

        # The focal point asks for a substitution; the organiser accepts it.
        page.goto(f"/{lang}/events/{slug}/delegations/{delegation_id}/")
        click(page, page.locator("table.delegates tbody tr", has_text=f"maria.{tag}@example.org")
              .get_by_role("link", name=w["replace"]))
        page.fill("#new-given_name", "Rosa")
        page.fill("#new-family_name", "Quispe Mamani")
        page.fill("#new-email", f"rosa.{tag}@example.org")
        page.fill("#new-reason", "Enfermedad")
        submit(page, "#substitute-form")
        assert w["asked"] in page.inner_text("main")
        accessible(page, f"{shots}-9-substitution-asked")
        organiser.goto(f"/{lang}/manage/events/{slug}/accreditation")
        click(organiser, organiser.locator("#change-requests button.primary").first)
        assert w["accepted"] in organiser.inner_text("main")
        accessible(organiser, f"{shots}-10-substitution-accepted")

        # The old badge no longer verifies; the new one does.
        assert verify(organiser, old_urls[0]).status == 404
        assert w["withdrawn"] in organiser.inner_text("#badge-withdrawn")
        accessible(organiser, f"{shots}-11-old-badge")
        organiser.goto(f"/{lang}/manage/events/{slug}/participants")
        second = badges_zip(organiser, live_worker)
        with zipfile.ZipFile(io.BytesIO(second)) as archive:
            (new_pdf,) = [archive.read(n) for n in archive.namelist()]
        new_text = subprocess.run(["pdftotext", "-", "-"], input=new_pdf, capture_output=True, check=True).stdout.decode()
        assert "QUISPE MAMANI" in new_text and "FERNÁNDEZ" not in new_text
        new_folder = folder / "new"
        new_urls = qr_urls(images_of(new_pdf, new_folder), new_folder)
        assert len(new_urls) == 1 and new_urls != old_urls
        assert verify(organiser, new_urls[0]).status == 200
        assert w["valid"] in organiser.inner_text("main") and "QUISPE" in organiser.inner_text("main")
        accessible(organiser, f"{shots}-12-new-badge")
    finally:
        organiser.context.close()
        delegate.context.close()
        print(f"\nstory in {lang}: {time.monotonic() - started:.1f} s")
