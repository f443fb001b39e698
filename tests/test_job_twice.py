"""A job's first task run twice at once (Redis gave its message to a second worker once the visibility timeout
passed while the first, slowed down, was still planning): the second run takes the first one's plan, and the job
finishes once, instead of failing on the duplicate chunk rows."""
from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session as OrmSession

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.jobs import services, storage
from dialogue.jobs.models import Job, JobChunk

from . import factories as f
from .delegates import factories as df


def test_a_run_job_that_finds_the_chunks_planned_meanwhile_goes_on_with_them(app, jobs):
    app.config.update(BADGES_PER_PART=3, BADGES_PER_CHUNK=3)
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    df.many_delegates(df.delegation(ev, "PE", quota=20), 7)  # chunks of 3: 3, 3, 1
    other = SimpleNamespace(planned=0)

    def other_worker_plans_first(session, _context, _instances):
        """Just before this run writes its chunks, the other run commits the same plan (its own connection)."""
        chunks = [obj for obj in session.new if isinstance(obj, JobChunk)]
        if not chunks or other.planned:
            return
        job = chunks[0].job
        with db.engine.begin() as conn:
            conn.execute(insert(JobChunk), [{"job_id": job.id, "position": c.position, "params": c.params,
                                             "size": c.size, "status": "queued"} for c in chunks])
            conn.execute(update(Job).where(Job.id == job.id).values(chunks_total=len(chunks),
                                                                     total=sum(c.size for c in chunks)))
        other.planned = len(chunks)

    sa_event.listen(OrmSession, "before_flush", other_worker_plans_first)
    try:
        job = services.start("badges", ev, "en", org)
        db.session.commit()
        jobs.wait()
    finally:
        sa_event.remove(OrmSession, "before_flush", other_worker_plans_first)
        app.config.update(BADGES_PER_PART=None, BADGES_PER_CHUNK=None)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert other.planned == 3
    assert (job.status, job.error, job.chunks_done, job.chunks_total, job.done, job.total) == ("done", None, 3, 3, 7, 7)
    assert [c.status for c in db.session.scalars(select(JobChunk).where(JobChunk.job_id == job.id))] == ["done"] * 3
    with zipfile.ZipFile(io.BytesIO(storage.read(job.sha256))) as archive:
        assert len(archive.namelist()) == 3
