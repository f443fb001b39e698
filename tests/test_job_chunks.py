"""A badge job with one bad part among good ones: the others are made and kept, the job fails once
every part is tried with a translated message naming the part, "Try again" makes only that part,
and the final ZIP holds every badge, read back from its PDFs. Nothing half-written in storage."""
from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from celery.signals import task_prerun
from sqlalchemy import select, update

from dialogue.auth import grant_role
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.jobs.models import Job, JobChunk

from . import factories as f
from .delegates import factories as df


@pytest.fixture
def small_chunks(app):
    app.config.update(BADGES_PER_PART=3, BADGES_PER_CHUNK=4)
    yield
    app.config.update(BADGES_PER_PART=None, BADGES_PER_CHUNK=None)


@pytest.fixture
def chunks_run():
    """The ids of the chunks workers start, as Celery reports them."""
    seen: list[int] = []

    def record(sender=None, args=None, **_kw):
        if sender is not None and sender.name == "dialogue.run_chunk":
            seen.append(args[0])
    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


def storage_is_whole(root: Path) -> None:
    """Every stored file is complete (named by the SHA-256 of its bytes); no temporary file is left. Uploads
    waiting for their confirmation (`uploads/`, named by a random token, swept after an hour) are not generated
    files: an import test run before this one on the same worker may have left one."""
    files = [p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "uploads"]
    assert files
    for path in files:
        assert path.parent.name != "tmp" and not path.name.startswith(".tmp-"), path
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "badge.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_one_failed_part_leaves_the_others_whole_and_a_retry_makes_only_it(
        app, client, auth, jobs, small_chunks, chunks_run, tmp_path):
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    peru, chile = df.delegation(ev, "PE", quota=20), df.delegation(ev, "CL")
    undp = df.delegation(ev, kind="un_entity", name="UNDP")
    df.many_delegates(peru, 7)  # parts of 3: 3, 3, 1
    df.many_delegates(chile, 2)
    df.many_delegates(undp, 1)
    # Chile's second delegate lost its badge code (a broken row): its part cannot be made.
    broken = db.session.scalar(select(Delegate).where(Delegate.delegation_id == chile.id, Delegate.role == "member"))
    code = broken.badge_code
    db.session.execute(update(Delegate).where(Delegate.id == broken.id).values(badge_code=None))
    db.session.commit()

    auth.login(org.email)
    location = client.post(f"/es/manage/events/{ev.slug}/files", data={"kind": "badges"}).headers["Location"]
    jobs.wait()
    job = db.session.scalar(select(Job))
    chunks = list(db.session.scalars(select(JobChunk).order_by(JobChunk.position)))
    assert [c.status for c in chunks] == ["failed", "done", "done", "done"]  # Chile comes first in Spanish
    assert sorted(chunks_run) == sorted(c.id for c in chunks)
    good = {c.id: c.sha256 for c in chunks if c.status == "done"}

    state = client.get(location + ".json").get_json()
    assert state["status"] == "failed" and "retry" in state and "download" not in state
    assert state["text"] == ("Falló: 1 parte de 4 no se pudo generar: parte 1 (credenciales de Chile). "
                             "Las demás partes se conservan.")
    page = client.get(location).get_data(as_text=True)
    assert "parte 1 (credenciales de Chile)" in page and "Volver a intentar" in page
    assert job.error_detail and "TypeError" in job.error_detail
    storage_is_whole(Path(app.config["STORAGE_DIR"]))

    # The row is mended; "Try again" makes the failed part only, and keeps the others as they were.
    db.session.execute(update(Delegate).where(Delegate.id == broken.id).values(badge_code=code))
    db.session.commit()
    chunks_run.clear()
    assert client.post(location + "/retry").status_code == 302
    jobs.wait()
    assert chunks_run == [chunks[0].id]
    db.session.expire_all()
    again = {c.id: c.sha256 for c in db.session.scalars(select(JobChunk)) if c.id in good}
    assert again == good
    state = client.get(location + ".json").get_json()
    assert state["status"] == "done" and state["done"] == state["total"] == 10 and state["error"] is None

    zipped = client.get(state["download"])
    archive = zipfile.ZipFile(io.BytesIO(zipped.data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert [n.split("-", 1)[1] for n in names] == ["Chile.pdf", "Peru-1.pdf", "Peru-2.pdf", "Peru-3.pdf", "UNDP.pdf"]
    by_file = {}
    for name in names:
        text = pdf_text(archive.read(name), tmp_path)
        by_file[name.split("-", 1)[1]] = sorted({w for w in text.split() if w.startswith("FAMILY")})
    assert by_file["Chile.pdf"] == ["FAMILY0", "FAMILY1"]
    assert sum(len(v) for k, v in by_file.items() if k.startswith("Peru")) == 7
    assert sorted(w for k, v in by_file.items() if k.startswith("Peru") for w in v) == [f"FAMILY{i}" for i in range(7)]
    assert by_file["UNDP.pdf"] == ["FAMILY0"]
    storage_is_whole(Path(app.config["STORAGE_DIR"]))


def test_a_part_that_fails_again_keeps_the_job_failed_and_the_good_parts(app, client, auth, jobs, small_chunks):
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    for code in ("PE", "CL"):
        d = df.delegation(ev, code, quota=20)
        df.many_delegates(d, 4)
    db.session.execute(update(Delegate).values(badge_code=None))  # every part is broken
    db.session.commit()
    auth.login(org.email)
    location = client.get(f"/en/manage/events/{ev.slug}/badges.pdf").headers["Location"]
    jobs.wait()
    state = client.get(location + ".json").get_json()
    assert state["status"] == "failed"
    assert "2 parts of 2 could not be made: part 1 (badges of Chile); part 2 (badges of Peru)." in state["text"]
    client.post(location + "/retry")
    jobs.wait()
    assert client.get(location + ".json").get_json()["status"] == "failed"
    assert client.get(location + "/file").status_code == 302  # no file: back to the progress page


def test_a_second_delivery_planning_the_job_at_the_same_moment_leaves_it_to_the_first(
        app, client, auth, jobs, small_chunks):
    """A starting worker's sweep may publish a queued job again while another worker plans it: the later
    planner meets the first one's chunks at its insert and leaves the job to it. It failed the job before."""
    from sqlalchemy import delete, event, insert
    from sqlalchemy.orm import Session

    # The task of this app's Celery app: a shared task imported as such runs under the app made last (after a
    # browser test on this worker, the live server's, on another database).
    run_job = app.extensions["celery"].tasks["dialogue.run_job"]
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    df.many_delegates(df.delegation(ev, "PE", quota=20), 7)
    auth.login(org.email)
    client.post(f"/en/manage/events/{ev.slug}/files", data={"kind": "badges"})
    jobs.wait()
    job = db.session.scalar(select(Job))
    assert job.status == "done"
    job_id = job.id
    # Back to the moment its message is taken: queued, nothing planned.
    db.session.execute(delete(JobChunk).where(JobChunk.job_id == job_id))
    job.status, job.chunks_total, job.chunks_done = "queued", 0, 0
    db.session.commit()

    planned_elsewhere = []

    def other_planner(session, _context, _instances):
        """The other delivery's chunks, there by the time this one inserts its own."""
        if not planned_elsewhere and any(isinstance(o, JobChunk) and o.job.id == job_id for o in session.new):
            planned_elsewhere.append(True)
            session.connection().execute(insert(JobChunk).values(
                job_id=job_id, position=0, params={}, size=3, status="queued"))
    # On every session: the task runs in an application context, and a session, of its own.
    event.listen(Session, "before_flush", other_planner)
    try:
        run_job(job_id)
    finally:
        event.remove(Session, "before_flush", other_planner)
    db.session.expire_all()
    assert planned_elsewhere, ("the task never planned", db.session.get(Job, job_id).status,
                               db.session.scalars(select(JobChunk.position).where(JobChunk.job_id == job_id)).all())
    job = db.session.get(Job, job_id)
    assert (job.status, job.error, job.error_detail) == ("running", None, None)
