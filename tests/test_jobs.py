"""Background jobs as organisers and visitors meet them: a bar that moves, one job for two people,
a failure that says what failed and a retry, private files, and no PDF made inside a request."""
from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from sqlalchemy import func, select

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.jobs.models import Job, JobChunk

from . import factories as f
from .delegates import factories as df
from .workers import badge_pdfs, fetch


@pytest.fixture
def roster(organiser_event):
    """An event with an organiser and three delegations: 7, 2 and 1 accredited delegates."""
    org, ev = organiser_event
    peru, chile, undp = df.delegation(ev, "PE", quota=20), df.delegation(ev, "CL"), df.delegation(ev, kind="un_entity", name="UNDP")
    df.many_delegates(peru, 7)
    df.many_delegates(chile, 2)
    df.many_delegates(undp, 1)
    df.delegate(chile, "Not", "Accredited", status="nominated")
    return org, ev


@pytest.fixture
def small_chunks(app):
    app.config.update(BADGES_PER_PART=3, BADGES_PER_CHUNK=4)
    yield
    app.config.update(BADGES_PER_PART=None, BADGES_PER_CHUNK=None)


def test_badges_in_chunks_with_a_bar_then_one_zip(app, client, auth, jobs, roster, small_chunks):
    org, ev = roster
    auth.login(org.email)
    started = client.post(f"/fr/manage/events/{ev.slug}/files", data={"kind": "badges"})
    assert started.status_code == 303 and "/fr/jobs/" in started.headers["Location"]
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page and "Badges" in page
    jobs.wait()
    job = db.session.scalar(select(Job))
    state = client.get(f"/fr/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["done"] == state["total"] == 10
    assert state["download"].endswith(f"/fr/jobs/{job.id}/file")
    # Peru's 7 badges in parts of 3 (3+3+1), Chile's 2, UNDP's 1: packed into chunks of at most 4.
    assert db.session.scalar(select(func.count(JobChunk.id))) == 4
    zipped = client.get(state["download"])
    assert zipped.mimetype == "application/zip" and zipped.headers["Content-Length"] == str(len(zipped.data))
    names = zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()
    assert [n.split("-", 1)[1] for n in names] == ["Chili.pdf", "Perou-1.pdf", "Perou-2.pdf", "Perou-3.pdf", "UNDP.pdf"]
    assert all(pdf.startswith(b"%PDF") for pdf in badge_pdfs(zipped.data))
    # Conditional and partial requests come from Werkzeug.
    again = client.get(state["download"], headers={"If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    part = client.get(state["download"], headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == zipped.data[:10]
    assert client.get(f"/fr/jobs/{job.id}").get_data(as_text=True).count("Télécharger") >= 1


def test_two_organisers_asking_at_once_start_one_job(app, client, auth, jobs, roster):
    org, ev = roster
    other = f.user()
    grant_role(other, ev, "organiser")
    db.session.commit()
    auth.login(org.email)
    first = client.get(f"/en/manage/events/{ev.slug}/badges.pdf")
    auth.logout()
    auth.login(other.email)
    second = client.get(f"/en/manage/events/{ev.slug}/badges.pdf")
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count(Job.id))) == 1
    jobs.wait()
    listing = client.get(f"/en/manage/events/{ev.slug}/jobs/").get_data(as_text=True)
    assert "Badges" in listing and org.name in listing


def test_a_change_makes_a_new_file(app, client, auth, jobs, roster):
    org, ev = roster
    auth.login(org.email)
    client.get(f"/en/manage/events/{ev.slug}/participants.csv")
    jobs.wait()
    before = client.get(f"/en/manage/events/{ev.slug}/participants.csv").data.decode("utf-8-sig")
    df.delegate(df.delegation(ev, "MX"), "Nueva", "Persona", status="accredited")
    client.get(f"/en/manage/events/{ev.slug}/participants.csv")
    jobs.wait()
    after = client.get(f"/en/manage/events/{ev.slug}/participants.csv").data.decode("utf-8-sig")
    assert "Persona" in after and "Persona" not in before


def test_a_failed_job_says_what_failed_and_can_be_retried(app, client, auth, jobs, roster, tmp_path):
    org, ev = roster
    storage = tmp_path / "files"
    storage.write_text("a file where the storage directory should be")
    previous = app.config["STORAGE_DIR"]
    app.config["STORAGE_DIR"] = str(storage)
    try:
        auth.login(org.email)
        location = client.get(f"/es/manage/events/{ev.slug}/participants.pdf").headers["Location"]
        jobs.wait()
        state = client.get(location + ".json").get_json()
        assert state["status"] == "failed" and state["text"].startswith("Error:") is False
        assert "Falló" in state["text"] or "falló" in state["text"]
        page = client.get(location).get_data(as_text=True)
        assert "Volver a intentar" in page
        storage.unlink()
        retried = client.post(location + "/retry")
        assert retried.status_code == 302
        jobs.wait()
        assert client.get(location + ".json").get_json()["status"] == "done"
    finally:
        app.config["STORAGE_DIR"] = previous
        shutil.rmtree(storage, ignore_errors=True)


def test_job_pages_are_private_to_the_event_organisers(app, client, auth, jobs, roster):
    org, ev = roster
    outsider, _d = df.focal_point(ev, "AR")
    auth.login(org.email)
    location = client.get(f"/en/manage/events/{ev.slug}/badges.pdf").headers["Location"]
    jobs.wait()
    auth.logout()
    for url in (location, location + ".json", location + "/file"):
        assert client.get(url).status_code == 404
    auth.login(outsider.email)
    for url in (location, location + ".json", location + "/file"):
        assert client.get(url).status_code == 404
    assert client.post(location + "/retry").status_code == 404
    assert client.get(f"/en/manage/events/{ev.slug}/jobs/").status_code == 403


def test_agenda_pdf_made_by_a_worker_and_kept_until_the_next_change(app, client, jobs):
    ev = f.event()
    s = f.session(ev, "PL1")
    first = client.get(f"/en/events/{ev.slug}/agenda.pdf")
    assert first.status_code == 202 and "<progress" in first.get_data(as_text=True)
    jobs.wait()
    pdf = client.get(f"/en/events/{ev.slug}/agenda.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and "Warning" not in pdf.headers
    assert client.get(f"/en/events/{ev.slug}/agenda.pdf",
                      headers={"If-None-Match": pdf.headers["ETag"]}).status_code == 304
    s.title = {"en": "A new title"}
    db.session.commit()  # the worker starts again the PDFs someone asked for
    jobs.wait()
    fresh = client.get(f"/en/events/{ev.slug}/agenda.pdf")
    assert fresh.data != pdf.data and "Warning" not in fresh.headers


def test_the_tripwire_catches_a_pdf_made_inside_a_request(app):
    from dialogue.pdf import html_to_pdf
    with app.test_request_context("/en/"), pytest.raises(AssertionError, match="inside the request"):
        html_to_pdf("<html><body>x</body></html>")


def test_badge_qr_codes_scan_to_the_check_page(app, client, auth, jobs, tmp_path):
    import subprocess
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    delegate = df.delegate(df.delegation(ev, "PE"), "Rosa", "Huamán", status="accredited")
    auth.login(org.email)
    pdf, = badge_pdfs(fetch(client, jobs, f"/en/manage/events/{ev.slug}/badges.pdf").data)
    (tmp_path / "badge.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "badge.pdf"), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")],
                             capture_output=True, text=True, check=True).stdout.split()
    assert scanned == [f"http://localhost/en/manage/events/{ev.slug}/badges/{delegate.badge_code}"]


def test_every_pdf_the_workers_make_passes_the_pdfua_checker(app, client, auth, jobs, roster, pdfua):
    """Agenda (with its tables), participants list and badges: no finding from `pdfua check`."""
    org, ev = roster
    f.session(ev, "PL1")
    auth.login(org.email)
    pdfs = {"agenda": fetch(client, jobs, f"/fr/events/{ev.slug}/agenda.pdf").data,
            "participants": fetch(client, jobs, f"/es/manage/events/{ev.slug}/participants.pdf").data}
    pdfs.update({f"badges{i}": pdf for i, pdf in enumerate(badge_pdfs(
        fetch(client, jobs, f"/en/manage/events/{ev.slug}/badges.pdf").data))})
    for name, pdf in pdfs.items():
        pdfua(name, pdf)
