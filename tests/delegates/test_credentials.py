"""Letters of credentials: uploaded by the focal point, checked by content, read only by the delegation's
focal points and the organisers, marked by organisers; lists and statistics filter on them."""
import io

import pytest
from PIL import Image
from sqlalchemy import select

from dialogue.delegates import services
from dialogue.delegates.models import CredentialsLetter
from dialogue.extensions import db
from dialogue.jobs import storage
from dialogue.models import AuditEntry

from .. import factories as f
from . import factories as df


def image_bytes(fmt="PNG", size=(60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, fmt)
    return out.getvalue()


@pytest.fixture
def world(app):
    org = f.user()
    ev = f.event(organiser=org)
    peru_fp, peru = df.focal_point(ev, "PE")
    colombia_fp, colombia = df.focal_point(ev, "CO")
    return {"event": ev, "org": org, "peru_fp": peru_fp, "peru": peru, "colombia_fp": colombia_fp, "colombia": colombia}


def upload(client, world, body: bytes, name: str, lang="en"):
    ev, peru = world["event"], world["peru"]
    return client.post(f"/{lang}/events/{ev.slug}/delegations/{peru.id}/credentials",
                       data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize(("body", "name", "kind"), [(f.blank_pdf(), "note verbale.pdf", "application/pdf"),
                                                    (image_bytes("PNG"), "scan.png", "image/png"),
                                                    (image_bytes("JPEG"), "scan.JPG", "image/jpeg")])
def test_focal_point_uploads_a_letter_that_only_they_and_organisers_read(app, client, auth, world, body, name, kind):
    ev, peru = world["event"], world["peru"]
    auth.login(world["peru_fp"].email)
    assert upload(client, world, body, name).status_code == 302
    row = db.session.scalar(select(CredentialsLetter))
    assert (row.content_type, row.filename, row.status, row.size) == (kind, name, "submitted", len(body))
    assert storage.read(row.sha256) == body
    url = f"/en/events/{ev.slug}/delegations/{peru.id}/credentials/file"
    mine = client.get(url)
    assert mine.status_code == 200 and mine.data == body and mine.mimetype == kind
    assert mine.headers["Cache-Control"] == "no-store" and mine.headers["X-Content-Type-Options"] == "nosniff"
    auth.logout()
    auth.login(world["colombia_fp"].email)
    assert client.get(url).status_code == 404  # another delegation's focal point learns nothing
    auth.logout()
    assert client.get(url).status_code in (302, 401)  # a visitor is sent to sign in
    auth.login(world["org"].email)
    assert client.get(url).data == body


@pytest.mark.parametrize(("body", "name", "message"), [
    (f.blank_pdf(), "letter.jpg", "This file is a PDF but its name ends in .jpg"),
    (b"MZ\x90\x00 not a letter", "letter.pdf", "PDF, PNG or JPEG"),
    (b"%PDF-1.7\n1 0 obj garbage", "broken.pdf", "damaged"),
    (image_bytes("JPEG")[:200], "cut.jpg", "damaged"),
    (image_bytes("PNG")[:40], "cut.png", "damaged"),
    (b"", "empty.pdf", "empty"),
])
def test_wrong_broken_and_empty_files_are_refused_with_a_clear_message(app, client, auth, world, body, name, message):
    auth.login(world["peru_fp"].email)
    response = upload(client, world, body, name)
    assert response.status_code == 422 and message in response.get_data(as_text=True), response.get_data(as_text=True)
    assert db.session.scalar(select(CredentialsLetter)) is None


def test_an_oversized_file_and_a_huge_image_are_refused(app, client, auth, world):
    auth.login(world["peru_fp"].email)
    app.config["CREDENTIALS_MAX_BYTES"] = 200_000
    try:
        big = upload(client, world, b"%PDF-1.7\n" + b"0" * 300_000, "big.pdf", lang="es")
    finally:
        app.config["CREDENTIALS_MAX_BYTES"] = None
    assert big.status_code == 422 and "más de" in big.get_data(as_text=True)
    huge = io.BytesIO()
    Image.new("1", (20000, 20000)).save(huge, "PNG")  # 400 million pixels in a few kB
    response = upload(client, world, huge.getvalue(), "huge.png", lang="fr")
    assert response.status_code == 422 and "trop grande (plus de 40 millions de pixels)" in response.get_data(as_text=True)
    wide = io.BytesIO()
    Image.new("1", (9000, 5000)).save(wide, "PNG")  # under Pillow's own limit, over ours
    assert "too large" in upload(client, world, wide.getvalue(), "wide.png").get_data(as_text=True)
    assert db.session.scalar(select(CredentialsLetter)) is None


def test_organiser_marks_the_letter_with_a_reason_and_lists_filter_on_it(app, client, auth, world):
    ev, peru, colombia = world["event"], world["peru"], world["colombia"]
    df.delegate(peru, "Rosa", "Quispe", status="accredited")
    df.delegate(colombia, "Juan", "Valdés", status="accredited")
    services.upload_credentials(peru, "letter.pdf", f.blank_pdf(), world["peru_fp"])
    services.upload_credentials(colombia, "letter.pdf", f.blank_pdf(), world["colombia_fp"])
    db.session.commit()
    auth.login(world["org"].email)
    url = f"/en/manage/events/{ev.slug}/delegations/{peru.id}/credentials"
    client.post(url, data={"check-status": "incomplete", "check-reason": ""})
    assert db.session.scalar(select(CredentialsLetter).where(CredentialsLetter.delegation_id == peru.id)).status == "submitted"
    client.post(f"/en/manage/events/{ev.slug}/delegations/{colombia.id}/credentials",
                data={"check-status": "incomplete", "check-reason": "Signature of the minister missing"})
    assert client.post(url, data={"check-status": "in_order", "check-reason": ""}).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "credentials.decide",
                                                       AuditEntry.target == f"delegation:{colombia.id}"))
    assert entry.data == {"status": "incomplete", "reason": "Signature of the minister missing"}
    desk = client.get(f"/en/manage/events/{ev.slug}/delegations/").get_data(as_text=True)
    assert "credentials-in_order" in desk and ">Incomplete<" in desk
    all_people = client.get(f"/en/manage/events/{ev.slug}/participants").get_data(as_text=True).upper()
    assert "QUISPE" in all_people and "VALDÉS" in all_people
    only = client.get(f"/en/manage/events/{ev.slug}/participants?credentials=in_order").get_data(as_text=True).upper()
    assert "QUISPE" in only and "VALDÉS" not in only
    stats = services.statistics(ev, "en", only_credentials_in_order=True)
    assert stats["total"] == 1 and services.statistics(ev, "en")["total"] == 2
    page = client.get(f"/es/manage/events/{ev.slug}/statistics?credentials=in_order").get_data(as_text=True)
    assert "Credenciales en regla" in page
    auth.logout()
    auth.login(world["colombia_fp"].email)
    mine = client.get(f"/fr/events/{ev.slug}/delegations/{colombia.id}/credentials").get_data(as_text=True)
    assert "Incomplète" in mine and "Signature of the minister missing" in mine
    assert 'id="credentials-decision"' not in mine  # the focal point does not decide


def test_a_focal_point_cannot_mark_their_own_letter(app, client, auth, world):
    services.upload_credentials(world["peru"], "letter.pdf", f.blank_pdf(), world["peru_fp"])
    db.session.commit()
    auth.login(world["peru_fp"].email)
    response = client.post(f"/en/manage/events/{world['event'].slug}/delegations/{world['peru'].id}/credentials",
                           data={"check-status": "in_order"})
    assert response.status_code == 403
    assert db.session.scalar(select(CredentialsLetter)).status == "submitted"


def test_participants_file_of_delegations_with_credentials_in_order(jobs, app, client, auth, world):
    from ..workers import fetch
    ev, peru, colombia = world["event"], world["peru"], world["colombia"]
    df.delegate(peru, "Rosa", "Quispe", status="accredited")
    df.delegate(colombia, "Juan", "Valdés", status="accredited")
    services.upload_credentials(peru, "letter.pdf", f.blank_pdf(), world["peru_fp"])
    db.session.commit()
    auth.login(world["org"].email)
    base = f"/en/manage/events/{ev.slug}/participants.csv"
    everyone = fetch(client, jobs, base).data.decode("utf-8-sig")
    assert "Quispe" in everyone and "Valdés" in everyone
    assert "Quispe" not in fetch(client, jobs, base + "?credentials=in_order").data.decode("utf-8-sig")
    services.decide_credentials(peru, "in_order", "", world["org"])
    db.session.commit()
    only = fetch(client, jobs, base + "?credentials=in_order").data.decode("utf-8-sig")  # a new file: the check changed
    assert "Quispe" in only and "Valdés" not in only


def test_badges_of_delegations_with_credentials_in_order(jobs, app, client, auth, world):
    """The badges file takes the participants list's filter: the page's button and the old address."""
    import zipfile

    from ..workers import badge_pdfs, fetch
    ev, peru, colombia = world["event"], world["peru"], world["colombia"]
    df.delegate(peru, "Rosa", "Quispe", status="accredited")
    df.delegate(colombia, "Juan", "Valdés", status="accredited")
    services.upload_credentials(peru, "letter.pdf", f.blank_pdf(), world["peru_fp"])
    services.decide_credentials(peru, "in_order", "", world["org"])
    db.session.commit()
    auth.login(world["org"].email)

    def names(body: bytes) -> list[str]:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return sorted(archive.namelist())
    everyone = fetch(client, jobs, f"/en/manage/events/{ev.slug}/badges.pdf")
    assert names(everyone.data) == ["0001-Colombia.pdf", "0002-Peru.pdf"]
    only = fetch(client, jobs, f"/en/manage/events/{ev.slug}/badges.pdf?credentials=in_order")
    assert names(only.data) == ["0001-Peru.pdf"]
    assert b"%PDF" == badge_pdfs(only.data)[0][:4]
    page = client.get(f"/en/manage/events/{ev.slug}/participants?credentials=in_order").get_data(as_text=True)
    assert 'name="credentials" value="in_order"' in page and 'value="badges"' in page  # the button sends the filter
    started = client.post(f"/en/manage/events/{ev.slug}/files", data={"kind": "badges", "credentials": "in_order"})
    assert started.status_code == 303 and "/en/jobs/" in started.headers["Location"]  # POST, then GET the file
    assert names(client.get(started.headers["Location"]).data) == ["0001-Peru.pdf"]  # the same file, already made
