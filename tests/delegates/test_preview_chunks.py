"""A large delegation's badge preview is made in parts by parallel tasks: a ZIP of one PDF a part,
every delegate holding a place once, in the delegation page's order; a small one stays one PDF."""
from __future__ import annotations

import io
import subprocess
import zipfile

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.jobs.models import Job

from .. import factories as f
from ..workers import badge_pdfs
from . import factories as df
from .test_delegation_files import ask


@pytest.fixture
def parts_of_three(app):
    app.config.update(BADGES_PER_PART=3)
    yield
    app.config.update(BADGES_PER_PART=None)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_a_large_preview_is_a_zip_of_parts_made_by_several_tasks(jobs, client, auth, app, parts_of_three):
    ev = f.event()
    user, d = df.focal_point(ev, "AE", quota=20)
    families = ["Abbas", "Bakr", "Chen", "Dubois", "Eze", "Fadel", "Gómez"]
    for family in families:
        df.delegate(d, "Ana", family)
    df.delegate(d, "Gone", "Zed", status="withdrawn")
    db.session.commit()
    auth.login(user.email)
    response = ask(client, jobs, ev, d, "delegation_badges_preview", "es")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    job = db.session.scalar(select(Job).where(Job.kind == "delegation_badges_preview"))
    assert (job.status, job.chunks_total, job.chunks_done, job.done, job.total) == ("done", 3, 3, 7, 7)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = sorted(archive.namelist())
        modes = {oct(i.external_attr >> 16) for i in archive.infolist()}
    assert modes == {oct(0o100644)}  # regular files readable by all, not writestr's 0600
    assert len(names) == 3 and all(n.endswith(".pdf") and "badges-preview-es" in n for n in names)
    texts = [" ".join(pdf_text(pdf).split()) for pdf in badge_pdfs(response.data)]
    assert [sum(t.count(family.upper()) for family in families) for t in texts] == [3, 3, 1]
    together = " ".join(texts)
    positions = [together.index(family.upper()) for family in families]
    assert positions == sorted(positions)  # the page's order, across the parts
    assert "ZED" not in together
    assert together.count("Vista previa") >= 7 or together.count("Preview") >= 7


def test_a_small_preview_stays_one_pdf(jobs, client, auth, app):
    ev = f.event()
    user, d = df.focal_point(ev, "PE", quota=5)
    df.delegate(d, "Rosa", "Quispe")
    db.session.commit()
    auth.login(user.email)
    response = ask(client, jobs, ev, d, "delegation_badges_preview")
    assert response.mimetype == "application/pdf" and "QUISPE" in pdf_text(response.data)
    job = db.session.scalar(select(Job).where(Job.kind == "delegation_badges_preview"))
    assert (job.chunks_total, job.done, job.total) == (1, 1, 1)


def test_badge_fetcher_reads_stored_photos_by_file_url_and_nothing_else(app, tmp_path):
    from dialogue.delegates import photos
    from dialogue.delegates.badges import BadgeFetcher, photo_url
    from dialogue.jobs import storage

    from .test_delegation_files import jpeg
    sha = photos.store(jpeg())
    url = photo_url(sha)
    assert url.startswith("file://") and url.endswith(sha)
    fetcher = BadgeFetcher()
    assert fetcher.fetch(url).read() == storage.read(sha)
    other = tmp_path / "ab" / ("a" * 64)
    other.parent.mkdir()
    other.write_bytes(b"secret")
    stored_text, _size = storage.store(b"not a photo, another job's file")
    for refused in ("file:///etc/passwd", other.as_uri(), url.replace(sha, "x" * 64), photo_url(stored_text)):
        with pytest.raises(ValueError):
            fetcher.fetch(refused)
    assert photo_url(None) is None and photo_url("0" * 64) is None
