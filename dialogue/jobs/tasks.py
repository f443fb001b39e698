"""The Celery tasks: run a job, make one chunk of it, put the chunks together.

Every task may run twice (late acknowledgement: a worker killed mid-task leaves the message to
another), so each one first looks at what is already done, and counts a chunk once with a
conditional update.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence

from celery import shared_task
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..actions import DomainError
from ..extensions import db
from ..models import utcnow
from . import storage
from .engine import publish_after_commit
from .kinds import Output, kind_of
from .models import Job, JobChunk

log = logging.getLogger(__name__)


def _progress(job_id: int):
    """A callback that records progress in its own short transaction."""
    def report(done: int, total: int) -> None:
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))
    return report


def _fail(job_id: int, exc: BaseException, what: str | None = None) -> None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    if job is None:
        return
    with force_locale(job.language):
        if what is None and isinstance(exc, DomainError):  # already translated, in the job's language
            what = exc.message
        if what is None and isinstance(exc, OSError):
            what = _("the file could not be written to the storage directory")
        job.error = (what or _("the file could not be made"))[:500]
    job.error_detail = "".join(traceback.format_exception(exc))[-4000:]
    job.status, job.finished_at = "failed", utcnow()
    db.session.commit()
    log.exception("job %s failed", job_id, exc_info=exc)


def _finish(job: Job, output: Output) -> None:
    if output.stream is not None:
        sha, size = storage.store_file(output.stream)
    else:
        sha, size = storage.store(output.body or b"")
    job.sha256, job.size, job.filename, job.mimetype = sha, size, output.filename[:200], output.mimetype
    job.status, job.finished_at = "done", utcnow()
    job.done = job.total = max(job.total, job.done)
    kind_of(job).finished(job)
    db.session.commit()


@shared_task(name="dialogue.run_job")
def run_job(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.status in ("done", "failed", "superseded"):
        return
    kind = kind_of(job)
    if kind.superseded(job):
        job.status, job.finished_at = "superseded", utcnow()
        db.session.commit()
        return
    job.status, job.attempts = "running", job.attempts + 1
    job.started_at = job.started_at or utcnow()
    db.session.commit()
    try:
        with force_locale(job.language):
            if not kind.chunked:
                output = kind.make(job, _progress(job.id))
                _finish(job, output)
                return
            if not job.chunks:
                planned = kind.plan(job)
                for position, (params, size) in enumerate(planned):
                    db.session.add(JobChunk(job=job, position=position, params=params, size=size))
                job.chunks_total, job.total = len(planned), sum(size for _p, size in planned)
                db.session.flush()
            # Largest first: the last chunks to start are small, so workers finish together.
            todo = [c.id for c in sorted(job.chunks, key=lambda c: -c.size) if c.status != "done"]
            if not todo:
                publish_after_commit(db.session, "dialogue.assemble_job", job.id)
            for chunk_id in todo:
                publish_after_commit(db.session, "dialogue.run_chunk", chunk_id)
            db.session.commit()
    except Exception as exc:
        _fail(job_id, exc)


@shared_task(name="dialogue.run_chunk")
def run_chunk(chunk_id: int) -> None:
    chunk = db.session.get(JobChunk, chunk_id)
    if chunk is None:
        return
    job = chunk.job
    if job.status != "running":
        return
    if chunk.status == "done":
        _settle(job.id)  # a repeat after a kill between counting and publishing
        return
    kind = kind_of(job)
    params, job_id, size = dict(chunk.params), job.id, chunk.size
    db.session.commit()
    try:
        with force_locale(job.language):
            body = kind.make_chunk(job, params)
        sha, _size = storage.store(body)
    except Exception as exc:
        # This part is marked failed; the others go on and are kept. The job fails once every part
        # has been tried, naming the parts that failed (`_settle`); "Try again" makes only those.
        db.session.rollback()
        db.session.execute(update(JobChunk).where(JobChunk.id == chunk_id, JobChunk.status != "done")
                           .values(status="failed"))
        db.session.execute(update(Job).where(Job.id == job_id).values(
            error_detail="".join(traceback.format_exception(exc))[-4000:]))
        db.session.commit()
        log.error("job %s: chunk %s failed", job_id, chunk_id, exc_info=exc)
        _settle(job_id)
        return
    counted = db.session.execute(update(JobChunk).where(JobChunk.id == chunk_id, JobChunk.status != "done")
                                 .values(status="done", sha256=sha)).rowcount
    if counted:
        db.session.execute(update(Job).where(Job.id == job_id).values(
            chunks_done=Job.chunks_done + 1, done=Job.done + size))
    db.session.commit()
    _settle(job_id)


def _settle(job_id: int) -> None:
    """After a part: put the file together when every part is made; fail the job, naming the parts
    that failed, when none is left to try. Checked after each part's own commit, so the last part
    to finish always sees all the others."""
    done, total, status = db.session.execute(
        select(Job.chunks_done, Job.chunks_total, Job.status).where(Job.id == job_id)).one()
    if status != "running":
        return
    if done >= total:
        publish_after_commit(db.session, "dialogue.assemble_job", job_id)
        db.session.commit()
        return
    states = db.session.execute(select(JobChunk.status, JobChunk.position, JobChunk.params)
                                .where(JobChunk.job_id == job_id).order_by(JobChunk.position)).all()
    failed = [(position, params) for state, position, params in states if state == "failed"]
    if not failed or any(state not in ("done", "failed") for state, _p, _params in states):
        return
    job = db.session.get(Job, job_id)
    kind = kind_of(job)
    with force_locale(job.language):
        named = []
        for position, params in failed:
            what = kind.describe_chunk(job, params)
            named.append(_("part %(number)d (%(what)s)", number=position + 1, what=what) if what
                         else _("part %(number)d", number=position + 1))
        error = ngettext("%(num)d part of %(count)d could not be made: %(parts)s. The other parts are kept.",
                         "%(num)d parts of %(count)d could not be made: %(parts)s. The other parts are kept.",
                         len(failed), count=total, parts="; ".join(named))
    # Once, whichever of two parts finishing together gets here second.
    failed_now = db.session.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(
        status="failed", error=error[:500], finished_at=utcnow())).rowcount
    db.session.commit()
    if failed_now:
        log.warning("job %s failed: %s", job_id, error)


class StoredParts(Sequence):
    """The chunks' (params, bytes), each read from storage when it is used: a set of 100,000 badges
    (some 300 MB of PDFs) is put together one chunk in memory at a time."""

    def __init__(self, parts: list[tuple[dict, str]]):
        self.parts = parts

    def __len__(self) -> int:
        return len(self.parts)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        params, sha = self.parts[index]
        return params, storage.read(sha)


@shared_task(name="dialogue.assemble_job")
def assemble_job(job_id: int) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.status != "running":
        return
    chunks = list(db.session.scalars(select(JobChunk).where(JobChunk.job_id == job_id)
                                     .order_by(JobChunk.position)))
    if any(c.status != "done" for c in chunks):
        return
    try:
        with force_locale(job.language):
            parts = StoredParts([(c.params, c.sha256) for c in chunks])
            output = kind_of(job).assemble(job, parts)
            _finish(job, output)
    except Exception as exc:
        _fail(job_id, exc)


@shared_task(name="dialogue.sweep")
def sweep() -> int:
    """Publish again what a lost message left queued (run on worker start)."""
    from .services import sweep as sweep_jobs
    count = sweep_jobs()
    db.session.commit()
    return count
