"""Session import: rows that update sessions by code, the file kept on the server between preview and
confirmation (a token bound to the user and the event, expiring, deleted once used), large files imported
by a worker behind a progress page."""
import io
import re
import time
from datetime import datetime
from html import unescape

from sqlalchemy import select

from dialogue import uploads
from dialogue.auth.roles import grant_role
from dialogue.delegates.models import SessionRegistration
from dialogue.extensions import db
from dialogue.jobs.models import Job
from dialogue.models import AuditEntry, OutboxMessage, utcnow
from dialogue.sessions import localtime
from dialogue.sessions.models import MeetingSession

from .. import factories as f
from ..delegates import factories as df

HEADERS = ("Código", "Día", "Inicio", "Fin", "Título (español)", "Sala")


def _upload(client, ev, content, lang="en"):
    return client.post(f"/{lang}/manage/events/{ev.slug}/import", data={"file": (io.BytesIO(content), "s.xlsx")},
                       content_type="multipart/form-data")


def _token(page) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))[1]


def _confirm(client, ev, token, lang="en"):
    return client.post(f"/{lang}/manage/events/{ev.slug}/import", data={"token": token})


def _sessions(ev):
    db.session.expire_all()
    return {s.code: s for s in db.session.scalars(select(MeetingSession).where(MeetingSession.event_id == ev.id))}


def test_a_row_with_an_existing_code_updates_that_session_and_keeps_what_the_file_lacks(client, auth, jobs):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)  # published: its delegates are told of changes
    auth.login(org.email)
    pl1 = f.session(ev, "PL1", start="2022-12-12 09:00", room="Sala A", capacity=80,
                    people=[("chair", "Chair Person", ""), ("moderator", "Mod Person", "")])
    jeanne = df.delegate(df.delegation(ev, "FR"), "Jeanne", "Martin", email="jeanne@example.fr", status="accredited")
    db.session.add(SessionRegistration(delegate=jeanne, session=pl1))
    db.session.commit()
    content = f.xlsx(HEADERS, ("PL1", "2022-12-13", "14:00", "15:00", "Plenaria movida", "Sala B"),
                     ("WS1", "2022-12-13", "09:00", "10:00", "Taller", "Sala B"))
    preview = _upload(client, ev, content)
    html = unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200, html[-3000:]
    assert "1 session is ready to import" in html and "1 existing session will be updated (same code)." in html
    assert re.search(r'<tr class="will-update"><td>PL1</td><td>2022-12-13</td><td>14:00–15:00</td><td>Sala B</td>', html)
    assert set(_sessions(ev)) == {"PL1"} and _sessions(ev)["PL1"].room.name == {"en": "Sala A"}  # nothing kept yet

    done = _confirm(client, ev, _token(preview))
    assert done.status_code == 302
    page = unescape(client.get(done.location).get_data(as_text=True))
    assert "1 session is imported." in page and "1 session is updated." in page
    s = _sessions(ev)["PL1"]
    assert localtime.to_local(s.starts_at, ev.timezone) == datetime(2022, 12, 13, 14, 0)
    assert s.title == {"fr": "Séance PL1", "es": "Plenaria movida", "en": "Session PL1"}  # only the file's column
    assert s.room.name == {"en": "Sala B"} and s.capacity == 80 and s.kind == "plenary" and s.sequence == 1
    assert [(p.role, p.name) for p in s.people] == [("chair", "Chair Person"), ("moderator", "Mod Person")]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.update")).data["changes"]
    # Moved by the import as by the form: the registered delegate is told, in French.
    jobs.wait()
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "jeanne@example.fr"))
    assert mail is not None and "Salle : Sala A → Sala B" in mail.body and "14:00–15:00" in mail.body


def test_a_session_in_the_bin_is_not_updated_by_its_code(client, auth):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    auth.login(org.email)
    f.session(ev, "PL1", deleted_at=utcnow())
    page = _upload(client, ev, f.xlsx(HEADERS, ("PL1", "2022-12-13", "14:00", "15:00", "Plenaria", "Sala B")))
    assert page.status_code == 422
    assert "<td>2</td><td>Code</td><td>A session in the bin has the code PL1" in unescape(page.get_data(as_text=True))


def test_the_kept_file_is_the_uploaders_for_that_event_expires_and_goes_once_used(client, auth):
    org, other = f.user("org@example.org"), f.user("other@example.org")
    ev, second = f.event(organiser=org), f.event(organiser=org)
    grant_role(other, ev, "organiser")
    db.session.commit()
    auth.login(org.email)
    content = f.xlsx(HEADERS, ("WS1", "2022-12-13", "09:00", "10:00", "Taller", "Sala B"))
    token = _token(_upload(client, ev, content))
    assert (uploads._folder() / f"{token}.bin").read_bytes() == content
    refused = _confirm(client, second, token)  # the same organiser, another event
    assert refused.status_code == 422 and "upload the file again" in unescape(refused.get_data(as_text=True))
    auth.login(other.email)  # another organiser of the event
    assert _confirm(client, ev, token).status_code == 422 and not _sessions(ev)
    auth.login(org.email)
    assert _confirm(client, ev, token).status_code == 302 and set(_sessions(ev)) == {"WS1"}
    assert not (uploads._folder() / f"{token}.bin").exists()
    assert _confirm(client, ev, token).status_code == 422  # used: gone

    late = _token(_upload(client, ev, f.xlsx(HEADERS, ("WS2", "2022-12-13", "11:00", "12:00", "Taller", "Sala B"))))
    assert uploads.sweep(now=time.time() + uploads.KEEP_SECONDS + 5) >= 1
    assert _confirm(client, ev, late).status_code == 422 and "WS2" not in _sessions(ev)


def _by_worker(client, jobs, response):
    """Follow a large file's job: its progress page, then (preview) the page its link leads to."""
    assert response.status_code == 302 and "/en/jobs/" in response.location, response.get_data(as_text=True)[-2000:]
    jobs.wait()
    job = db.session.get(Job, int(response.location.rsplit("/", 1)[1]))
    db.session.refresh(job)
    return job, unescape(client.get(response.location).get_data(as_text=True))


def test_a_large_file_is_checked_and_imported_by_a_worker_behind_a_progress_page(app, client, auth, jobs):
    org, other = f.user("org@example.org"), f.user("other@example.org")
    ev = f.event(organiser=org)
    grant_role(other, ev, "organiser")
    db.session.commit()
    auth.login(org.email)
    app.config["SESSION_IMPORT_JOB_ROWS"] = 3
    try:
        rows = [(f"WS{i}", "2022-12-13", f"{9 + i}:00", f"{9 + i}:45", f"Taller {i}", "Sala B") for i in range(6)]
        rows[4] = ("WS4", "2022-12-13", "8h61", "13:45", "Taller 4", "Sala B")
        job, page = _by_worker(client, jobs, _upload(client, ev, f.xlsx(HEADERS, *rows)))
        assert job.kind == "session_import_preview" and job.status == "done", job.error_detail
        assert "See the preview" in page
        errors = client.get(f"/en/manage/events/{ev.slug}/import?preview={job.id}")
        assert errors.status_code == 200 and "<td>6</td><td>Start</td>" in unescape(errors.get_data(as_text=True))

        rows[4] = ("WS4", "2022-12-13", "13:00", "13:45", "Taller 4", "Sala B")
        job, page = _by_worker(client, jobs, _upload(client, ev, f.xlsx(HEADERS, *rows)))
        preview = client.get(f"/en/manage/events/{ev.slug}/import?preview={job.id}")
        assert "6 sessions are ready to import" in unescape(preview.get_data(as_text=True)) and not _sessions(ev)
        auth.login(other.email)  # another organiser: not their file
        assert client.get(f"/en/manage/events/{ev.slug}/import?preview={job.id}").status_code == 404
        auth.login(org.email)
        token = _token(preview)
        job, page = _by_worker(client, jobs, _confirm(client, ev, token))
        assert job.kind == "session_import" and job.status == "done" and job.created_by_id == org.id, job.error_detail
        assert len(_sessions(ev)) == 6
        assert "See the agenda" in page and f"/en/manage/events/{ev.slug}/" in page
        assert "6 sessions are imported." in client.get(f"/en/jobs/{job.id}/file").get_data(as_text=True)
        assert not (uploads._folder() / f"{token}.bin").exists()

        # Checked at its preview, a file may still fail in the worker: it says which row, and imports nothing.
        job, _page = _by_worker(client, jobs, _upload(client, ev, f.xlsx(
            HEADERS, *[(f"NEW{i}", "2022-12-14", "09:00", "09:30", "T", "Sala C") for i in range(4)])))
        token = _token(client.get(f"/en/manage/events/{ev.slug}/import?preview={job.id}"))
        f.session(ev, "NEW2", start="2022-12-14 12:00", deleted_at=utcnow())
        job, page = _by_worker(client, jobs, _confirm(client, ev, token))
        assert job.status == "failed" and "row 4, Code: A session in the bin has the code NEW2" in job.error
        assert not [c for c in _sessions(ev) if c.startswith("NEW") and c != "NEW2"]
    finally:
        app.config.pop("SESSION_IMPORT_JOB_ROWS")
