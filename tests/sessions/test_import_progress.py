"""A large session import moves its progress bar while its rows are written too, not only while they
are checked: "Importing sessions: 800 of 2,000" in fr, es and en; every kind's job waiting for a
worker says so in the same words (jobs.kinds.JobKind.text)."""
import re
import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import event as sa_event
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.jobs.kinds import kinds
from dialogue.jobs.models import Job
from dialogue.sessions import import_job
from dialogue.sessions.models import MeetingSession

from .. import factories as f
from .test_import_updates import HEADERS, _by_worker, _confirm, _token, _upload

ROWS = 2000


@pytest.mark.parametrize("lang,checking,importing,trying", [
    ("fr", "Vérification des lignes : 1 200 sur 2 000", "Importation des sessions : 800 sur 2 000",
     "Essai des sessions dans le programme : 800 sur 2 000"),
    ("es", "Comprobando las filas: 1.200 de 2.000", "Importando sesiones: 800 de 2.000",
     "Probando las sesiones en el programa: 800 de 2.000"),
    ("en", "Checking the rows: 1,200 of 2,000", "Importing sessions: 800 of 2,000",
     "Trying the sessions on the agenda: 800 of 2,000"),
])
def test_the_bar_says_which_half_of_the_work_it_is_in(app, lang, checking, importing, trying):
    def text(kind, done, status="running"):
        with force_locale(lang):
            said = kinds()[kind].text(Job(kind=kind, status=status, done=done, total=2 * ROWS))
        return said.replace("\u202f", " ").replace("\xa0", " ")
    with app.test_request_context():
        assert text(import_job.KIND, 1200) == checking and text(import_job.PREVIEW, 1200) == checking
        assert text(import_job.KIND, ROWS + 800) == importing
        assert text(import_job.PREVIEW, ROWS + 800) == trying
        waiting = {"fr": "En attente d’un processus de travail.", "es": None, "en": "Waiting for a worker."}[lang]
        for kind in kinds():  # every kind, from the base: its own words only while a worker makes it
            said = text(kind, 0, "queued")
            assert waiting is None or said == waiting, (kind, said)
            assert said == text(import_job.KIND, 0, "queued")


def test_a_2000_row_import_reports_progress_while_it_writes(app, client, auth, jobs):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    auth.login(org.email)
    rows = [(f"S{i:04d}", f"2022-12-{12 + i % 3}", f"{8 + (i // 3) % 10}:{(i * 7) % 60:02d}",
             f"{9 + (i // 3) % 10}:{(i * 7) % 60:02d}", f"Sesión {i}", f"Sala {i % 40}") for i in range(ROWS)]
    content = f.xlsx(HEADERS, *rows)

    # While the worker inserts the sessions, another connection reads how far the job says it is.
    seen: list[tuple[str, int, int]] = []
    main = threading.get_ident()

    def inserting(conn, _cursor, statement, *_args):
        if threading.get_ident() != main and re.match(r"\s*INSERT INTO meeting_session\b", statement):
            with db.engine.connect() as other:
                row = other.execute(select(Job.kind, Job.done, Job.total).where(Job.status == "running")).first()
            if row is not None:
                seen.append(tuple(row))

    sa_event.listen(db.engine, "after_cursor_execute", inserting)
    try:
        preview, _page = _by_worker(client, jobs, _upload(client, ev, content))
        assert preview.status == "done", preview.error_detail
        assert (preview.done, preview.total) == (2 * ROWS, 2 * ROWS)
        token = _token(client.get(f"/en/manage/events/{ev.slug}/import?preview={preview.id}"))
        job, page = _by_worker(client, jobs, _confirm(client, ev, token))
    finally:
        sa_event.remove(db.engine, "after_cursor_execute", inserting)
    assert job.status == "done", job.error_detail
    assert (job.done, job.total) == (2 * ROWS, 2 * ROWS)
    assert db.session.scalar(select(db.func.count()).select_from(MeetingSession)
                             .where(MeetingSession.event_id == ev.id)) == ROWS
    imported = [done for kind, done, total in seen if kind == import_job.KIND and total == 2 * ROWS]
    assert imported, seen
    # when the sessions are inserted, the bar is past the checking: into the writing of the rows
    assert max(imported) > ROWS, seen
    assert any(done > ROWS for kind, done, _t in seen if kind == import_job.PREVIEW), seen
