"""An export read a batch at a time reads one state of the database (issue 7, 100,000 delegates).

The registration desk goes on accrediting and correcting names while a worker writes the list of
participants: a delegate accredited or renamed after the first batch was read is not in this file
(whose rows match the total it announced), and the file is then stale, so the next request makes
a new one that has them.
"""
import csv
import io

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select, update

from dialogue.delegates import details, details_jobs, services
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.jobs import services as job_services
from dialogue.jobs import storage
from dialogue.jobs.kinds import kind_of, kinds
from dialogue.jobs.models import Job
from dialogue.jobs.tasks import _progress
from dialogue.models import utcnow

from .test_details import asking
from .test_export_stream import world  # noqa: F401  (the fixture: seven delegations of several kinds)


@pytest.fixture(autouse=True)
def _small_batches(app):
    app.config["EXPORT_BATCH"] = 3
    yield
    app.config.pop("EXPORT_BATCH", None)


def _meddling(job_id: int, change, at: int):
    """The job's real progress (written on a connection of its own), and `change()` committed on
    another connection right after the `at`-th report."""
    report, calls = _progress(job_id), []

    def progress(done, total):
        report(done, total)
        calls.append((done, total))
        if len(calls) == at:
            with db.engine.begin() as conn:
                for statement in change:
                    conn.execute(statement)
    return progress, calls


def _running(kind_name: str, ev, by, params: dict) -> Job:
    """The job `job_services.start` would record, taken by a worker: this test makes its file itself, with a
    hand in the middle (no worker is told of it)."""
    kind = kinds()[kind_name]
    revision, fingerprint = kind.fingerprint(ev, params)
    job = Job(key=job_services.job_key(kind, ev, "en", params, fingerprint), event_id=ev.id, kind=kind_name, language="en",
              params=params, revision=revision, created_by_id=by.id, status="running")
    db.session.add(job)
    db.session.commit()
    return job


def _stored(job: Job, worker) -> bytes:
    """The file a worker made for `job`."""
    worker.wait()
    db.session.expire_all()
    done = db.session.get(Job, job.id)
    assert done.status == "done", done.error_detail
    return storage.read(done.sha256)


def _lines(job: Job, body: bytes) -> list[list[str]]:
    if job.kind.endswith("_csv"):
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)][1:]


def _make(job: Job, progress) -> bytes:
    with force_locale("en"):
        output = kind_of(job).make(job, progress)
    output.stream.seek(0)
    return output.stream.read()


@pytest.mark.parametrize("kind", ["participants_csv", "participants_xlsx", "public_participants_xlsx"])
def test_a_delegate_accredited_or_renamed_after_the_first_batch_is_in_the_next_file(jobs, app, world, kind):  # noqa: F811
    org, ev, delegations = world
    peru, last = delegations[0], delegations[-1]  # Peru comes after the first batch (Chile, Egypt); UNDP last
    total = sum(len(people) for g in services.participants(ev, "en") for _d, _n, people in g.delegations)
    hidden = db.session.scalar(select(Delegate.id).where(Delegate.delegation_id == peru.id,
                                                         Delegate.status == "nominated"))
    renamed = db.session.scalar(select(Delegate.id).where(Delegate.delegation_id == last.id,
                                                          Delegate.status == "accredited").limit(1))
    job = _running(kind, ev, org, {})
    assert job_services.start(kind, ev, "en", org, {}, check=False).id == job.id  # what a request gets now
    change = [update(Delegate).where(Delegate.id == hidden).values(status="accredited", updated_at=utcnow()),
              update(Delegate).where(Delegate.id == renamed).values(family_name="Renamed", updated_at=utcnow())]
    progress, calls = _meddling(job.id, change, at=2)  # after (0, total) and the first batch
    lines = _lines(job, _make(job, progress))
    assert calls[0] == (0, total) and calls[1][0] > 0 and len(calls) > 3
    assert len(lines) == total == calls[-1][0] == calls[-1][1]  # the rows the file announced
    assert not any("Hidden" in cell or "RENAMED" in cell.upper() for line in lines for cell in line)
    # Its progress was written meanwhile, on a connection of its own, without ending the snapshot.
    db.session.expire_all()
    assert (db.session.get(Job, job.id).done, db.session.get(Job, job.id).total) == (total, total)
    # The change was committed, and makes this file stale: the next request starts a new one that has it.
    again = job_services.start(kind, ev, "en", org, {}, check=False)
    db.session.commit()
    assert again.id != job.id
    lines = _lines(again, _stored(again, jobs))
    assert len(lines) == total + 1
    assert any("Hidden" in cell for line in lines for cell in line)
    assert any("RENAMED" in cell.upper() for line in lines for cell in line)


def test_personal_details_count_and_rows_read_one_state(jobs, app, world):  # noqa: F811
    org, ev, _delegations = world
    asking(ev)
    people = db.session.scalars(select(Delegate).where(Delegate.event_id == ev.id, Delegate.status == "accredited")
                                .order_by(Delegate.sort_name, Delegate.id)).all()
    for i, person in enumerate(people):
        details.save_details(person, {"document_number": f"X{i:04d}"}, "en")
    db.session.commit()
    first, renamed, names = people[0].id, people[-1].id, [p.given_name for p in people]
    job = _running("personal_details_csv", ev, org, {"fields": ["document_number"]})
    # Right after the count was read, before the rows: one withdrawn, one renamed.
    change = [update(Delegate).where(Delegate.id == first).values(status="withdrawn", updated_at=utcnow()),
              update(Delegate).where(Delegate.id == renamed).values(given_name="Renamed", updated_at=utcnow())]
    progress, calls = _meddling(job.id, change, at=1)
    lines = _lines(job, _make(job, progress))
    assert len(lines) == len(people) == calls[0][1] == calls[-1][0]
    assert [line[0] for line in lines] == names
    again = details_jobs.start_export(ev, ["document_number"], "en", org)
    db.session.commit()
    assert again.id != job.id
    lines = _lines(again, _stored(again, jobs))
    assert len(lines) == len(people) - 1 and lines[-1][0] == "Renamed"
