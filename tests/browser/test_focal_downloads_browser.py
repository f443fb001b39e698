"""The focal point's own downloads, as they click them in fr, es and en: the list of their delegation
(PDF, CSV, Excel) and the preview of its badges, each asked from the delegation page, followed on its
progress page, downloaded and read back (pdftotext, csv, openpyxl); the page passes axe and fits 375 px.
Personal details (a passport number) never leave in these files."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from .helpers import ARTIFACTS, LANGS, ORGANISER, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

FOCAL_POINT = "focal.point@example.org"
PASSPORT = "PE-PASSPORT-99117"
WORDS = {
    "fr": {"peru": "Pérou", "files": "Fichiers de la délégation", "pdf": "Liste (PDF)", "csv": "Liste (CSV)",
           "xlsx": "Liste (Excel)", "preview": "Aperçu des badges (PDF)", "not_valid": "Aperçu : ne donne pas accès",
           "given": "Prénom", "family": "Nom de famille", "download": "Télécharger"},
    "es": {"peru": "Perú", "files": "Archivos de la delegación", "pdf": "Lista (PDF)", "csv": "Lista (CSV)",
           "xlsx": "Lista (Excel)", "preview": "Vista previa de las credenciales (PDF)",
           "not_valid": "Vista previa: no válida para el acceso", "given": "Nombre", "family": "Apellidos",
           "download": "Descargar"},
    "en": {"peru": "Peru", "files": "Files of the delegation", "pdf": "List (PDF)", "csv": "List (CSV)",
           "xlsx": "List (Excel)", "preview": "Preview of the badges (PDF)", "not_valid": "Preview: not valid for entry",
           "given": "Given name", "family": "Family name", "download": "Download"},
}
#: (given, family, status): one accredited with a photo, one nominated; both hold a place.
PEOPLE = [("María José", "Pérez Núñez", "accredited"), ("Wayra", "Quispe Mamani", "nominated")]


def _jpeg() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (30, 90, 160)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def own_delegation(live_app):
    """An event of the demo organiser with a Peruvian delegation of the demo focal point: two delegates,
    one accredited with a photo and a passport number on file."""
    from dialogue.auth import grant_role
    from dialogue.delegates import photos
    from dialogue.delegates.models import Delegate, Delegation, FocalPoint
    from dialogue.delegates.personal_models import DelegateDetails
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event
    tag = uuid.uuid4().hex[:8]
    with live_app.app_context():
        soon = date.today() + timedelta(days=30)
        ev = Event(slug=f"downloads-{tag}", status="published", timezone="America/Lima", starts_on=soon,
                   ends_on=soon + timedelta(days=1), original_language="en",
                   title={"fr": f"Réunion {tag}", "es": f"Reunión {tag}", "en": f"Meeting {tag}"})
        db.session.add(ev)
        db.session.flush()
        grant_role(db.session.scalar(select(User).where(User.email == ORGANISER)), ev, "organiser")
        fp = db.session.scalar(select(User).where(User.email == FOCAL_POINT))
        grant_role(fp, ev, "focal_point")
        delegation = Delegation(event=ev, kind="member_state", country="PE", quota=5)
        db.session.add_all([delegation, FocalPoint(user=fp, delegation=delegation)])
        db.session.flush()
        for i, (given, family, status) in enumerate(PEOPLE):
            person = Delegate(delegation=delegation, event_id=ev.id, given_name=given, family_name=family,
                              status=status, role="head" if i == 0 else "member", gender="female",
                              email=f"p{i}.{tag}@example.org", badge_code=f"dl{tag}{i}" if status == "accredited" else None,
                              photo_sha256=photos.store(_jpeg()) if i == 0 else None)
            db.session.add(person)
            db.session.flush()
            db.session.add(DelegateDetails(delegate_id=person.id, event_id=ev.id, document_number=PASSPORT))
        db.session.commit()
        return ev.slug, delegation.id


def _pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDFs back")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return " ".join(out.split())  # in reading order, lines joined: a name wrapped in its cell reads whole


def _ask(page, kind: str, label: str, lang: str) -> Path:
    """Click the delegation page's button, wait on the progress page, download the file; its path."""
    button = page.locator(f"#download-{kind}")
    assert button.inner_text().strip() == label
    with page.expect_navigation():
        button.click()
    assert f"/{lang}/jobs/" in page.url
    page.wait_for_selector(".job-download:not([hidden])", timeout=120_000)
    link = page.locator(".job-download a")
    assert link.inner_text().startswith(WORDS[lang]["download"])
    with page.expect_download() as info:
        link.click(modifiers=["Alt"])  # Alt-click: save the file, whatever the browser would show inline
    download = info.value
    target = Path(download.path())
    assert download.failure() is None
    return target, download.suggested_filename


@pytest.mark.parametrize("lang", LANGS)
def test_focal_point_downloads_their_delegation_list_and_badge_preview(lang, page, live_app, own_delegation):
    from dialogue.delegates.spreadsheets import csv_delimiter
    slug, delegation_id = own_delegation
    w = WORDS[lang]
    login(page, FOCAL_POINT, lang=lang)
    home = f"/{lang}/events/{slug}/delegations/{delegation_id}/"
    page.goto(home)
    section = page.locator("#downloads")
    assert section.locator("h2").inner_text() == w["files"]
    violations = axe_violations(page)
    assert not violations, describe(violations)
    # On a phone: the buttons wrap, nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(home)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    section.scroll_into_view_if_needed()
    # the photo too; a function, not an expression (polled expressions are eval'd, which the CSP refuses)
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    screenshot(page, f"focal-downloads-375-{lang}", full_page=False)
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.set_viewport_size({"width": 1280, "height": 900})
    names = ("PÉREZ NÚÑEZ", "QUISPE MAMANI")

    # The list as a PDF.
    page.goto(home)
    path, filename = _ask(page, "delegation_list_pdf", w["pdf"], lang)
    assert filename.endswith(f"-{lang}.pdf") and path.read_bytes()[:4] == b"%PDF"
    text = _pdf_text(path)
    assert all(n in text for n in names) and w["peru"] in text and PASSPORT not in text, text
    screenshot(page, f"focal-downloads-job-{lang}")
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # The list as CSV, in the language's delimiter, headers translated.
    page.goto(home)
    path, filename = _ask(page, "delegation_list_csv", w["csv"], lang)
    assert filename.endswith(f"-{lang}.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=csv_delimiter(lang)))
    header = rows[0]
    assert w["given"] in header and w["family"] in header
    given, family = header.index(w["given"]), header.index(w["family"])
    assert sorted((r[given], r[family]) for r in rows[1:]) == sorted((g, f) for g, f, _s in PEOPLE)
    assert PASSPORT not in path.read_text(encoding="utf-8-sig")

    # The list as Excel.
    from openpyxl import load_workbook
    page.goto(home)
    path, filename = _ask(page, "delegation_list_xlsx", w["xlsx"], lang)
    assert filename.endswith(f"-{lang}.xlsx")
    sheet = load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][given] == w["given"] and cells[0][family] == w["family"]
    assert sorted((r[given], r[family]) for r in cells[1:]) == sorted((g, f) for g, f, _s in PEOPLE)
    assert PASSPORT not in repr(cells)

    # The preview of the badges: everyone holding a place, none of it a valid badge.
    page.goto(home)
    path, filename = _ask(page, "delegation_badges_preview", w["preview"], lang)
    assert filename.endswith(f"-{lang}.pdf") and path.read_bytes()[:4] == b"%PDF"
    text = _pdf_text(path)
    assert "PÉREZ NÚÑEZ" in text and "QUISPE MAMANI" in text and w["peru"] in text
    assert text.count(" ".join(w["not_valid"].split())) == len(PEOPLE) and PASSPORT not in text
    ARTIFACTS.mkdir(exist_ok=True)  # its first page as an image, beside the screenshots, to look at
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(path), str(ARTIFACTS / f"focal-preview-{lang}")],
                   check=False)


def test_a_visitor_cannot_fetch_the_files(page, browser, live_server, own_delegation):
    """The job pages and files of a delegation are for its focal points and the organisers only."""
    slug, delegation_id = own_delegation
    login(page, FOCAL_POINT)
    page.goto(f"/en/events/{slug}/delegations/{delegation_id}/")
    page.locator("#download-delegation_list_csv").click()
    page.wait_for_selector(".job-download:not([hidden])", timeout=120_000)
    job_url = page.url
    stranger = browser.new_context(base_url=live_server).new_page()
    try:
        response = stranger.goto(job_url + "/file")
        assert "/account/login" in stranger.url or response.status in (403, 404)
        assert "QUISPE" not in stranger.content() and "Quispe" not in stranger.content()
    finally:
        stranger.context.close()
