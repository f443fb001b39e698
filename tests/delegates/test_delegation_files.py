"""Focal points' own downloads: their delegation's list (PDF, CSV, XLSX) and a preview of its badges, made by
workers, for that delegation's focal points and the organisers only; badges with photos pass the PDF/UA check."""
import csv
import io
import re
import subprocess

import pytest
from openpyxl import load_workbook
from PIL import Image

from dialogue.auth import grant_role
from dialogue.delegates import photos
from dialogue.extensions import db

from .. import factories as f
from ..workers import badge_pdfs, fetch
from . import factories as df


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (40, 90, 160)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def delegation(app):
    ev = f.event()
    user, d = df.focal_point(ev, "JP", quota=10)
    other, other_d = df.focal_point(ev, "CL")
    org = f.user()
    grant_role(org, ev, "organiser")
    photo = photos.store(jpeg())
    df.delegate(d, "Haruki", "Sato", name_order="family_given", native_name="佐藤春樹", photo_sha256=photo,
                status="accredited", role="head", gender="male")
    df.delegate(d, "María", "López", function="Consejera")
    df.delegate(d, "Gone", "Away", status="withdrawn")
    df.delegate(other_d, "Secret", "Person")
    db.session.commit()
    return ev, d, user, other, org


def ask(client, jobs, ev, d, kind, lang="en"):
    """Press a download button on the delegation page; follow the job to its file."""
    response = client.post(f"/{lang}/events/{ev.slug}/delegations/{d.id}/files", data={"kind": kind})
    assert response.status_code == 303
    job_url = response.headers["Location"]
    jobs.wait()
    page = client.get(job_url)
    assert page.status_code == 200
    number = re.search(r"/jobs/(\d+)", job_url).group(1)
    return client.get(f"/{lang}/jobs/{number}/file")


def test_focal_point_downloads_the_delegation_list_in_three_formats(jobs, client, auth, delegation):
    ev, d, user, _other, _org = delegation
    auth.login(user.email)
    page = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    assert 'id="download-delegation_list_csv"' in page and 'id="download-delegation_badges_preview"' in page
    rows = list(csv.reader(io.StringIO(ask(client, jobs, ev, d, "delegation_list_csv").data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name as written", "Given name", "Family name", "Name in own script"]
    names = [r[0] for r in rows[1:]]
    assert names[:2] == ["SATO Haruki", "María LÓPEZ"] and "Secret PERSON" not in names
    assert rows[1][3] == "佐藤春樹"
    book = load_workbook(io.BytesIO(ask(client, jobs, ev, d, "delegation_list_xlsx", "es").data))
    assert [c.value for c in book.active[1]][0] == "Nombre tal como se escribe"
    pdf = ask(client, jobs, ev, d, "delegation_list_pdf", "fr").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Délégation du Japon" in text or "Japon" in text
    assert "SATO Haruki" in text and "María LÓPEZ" in text and "Secret" not in text


def test_badge_preview_has_everyone_holding_a_place_no_qr_code_and_the_photo(jobs, client, auth, delegation):
    ev, d, user, _other, _org = delegation
    auth.login(user.email)
    pdf = ask(client, jobs, ev, d, "delegation_badges_preview").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "SATO" in text and "LÓPEZ" in text and "AWAY" not in text
    assert " ".join(text.split()).count("Preview: not valid for entry") == 2
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True).stdout.decode()
    assert len([line for line in images.splitlines()[2:] if line.strip()]) == 1  # the photo; no QR code


def test_another_delegation_cannot_start_or_see_these_files(jobs, client, auth, delegation):
    ev, d, user, other, org = delegation
    auth.login(user.email)
    response = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/files", data={"kind": "delegation_list_csv"})
    job_url = response.headers["Location"]
    jobs.wait()
    auth.login(other.email)
    assert client.get(job_url).status_code == 404
    assert client.get(job_url + "/file").status_code == 404
    assert client.post(f"/en/events/{ev.slug}/delegations/{d.id}/files",
                       data={"kind": "delegation_list_csv"}).status_code == 404
    auth.login(org.email)
    assert client.get(job_url + "/file").status_code == 200
    assert client.post(f"/en/events/{ev.slug}/delegations/{d.id}/files", data={"kind": "badges"}).status_code == 400


def test_badges_with_photos_and_the_preview_pass_the_pdfua_checker(jobs, client, auth, delegation, pdfua):
    ev, d, user, _other, org = delegation
    auth.login(user.email)
    pdfs = {"preview": ask(client, jobs, ev, d, "delegation_badges_preview").data,
            "list": ask(client, jobs, ev, d, "delegation_list_pdf").data}
    auth.login(org.email)
    pdfs.update({f"badges{i}": pdf for i, pdf in enumerate(badge_pdfs(
        fetch(client, jobs, f"/en/manage/events/{ev.slug}/badges.pdf").data))})
    for name, pdf in pdfs.items():
        pdfua(name, pdf)
