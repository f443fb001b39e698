"""Starting, finding, retrying and reporting jobs; the workers' side is in tasks.py."""
from __future__ import annotations

import hashlib
import json

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..actions import DomainError
from ..auth import PermissionDenied
from ..extensions import db
from ..models import utcnow
from .engine import publish_after_commit
from .kinds import JobKind, kinds
from .models import ACTIVE, Job, JobChunk


class JobError(DomainError):
    """A job that cannot be started or retried."""


def job_key(kind: JobKind, event, language: str, params: dict, fingerprint: str) -> str:
    blob = json.dumps(params, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"{fingerprint}|{blob}".encode()).hexdigest()[:40]
    return f"{kind.name}:{event.id if event is not None else 0}:{language}:{digest}"


def start(kind_name: str, event, language: str, by, params: dict | None = None, *, check: bool = True) -> Job:
    """The job that makes this file from the current data: an existing one, or a new queued one.

    Two people asking at once get the same job: the key is unique, and the loser of the race
    reads the winner's row.
    """
    kind = kinds()[kind_name]
    if check and not kind.may_start(by, event):
        raise PermissionDenied(_("Only the organisers of this event may do this."))
    params = params or {}
    revision, fingerprint = kind.fingerprint(event, params)
    key = job_key(kind, event, language, params, fingerprint)
    existing = db.session.scalar(select(Job).where(Job.key == key))
    if existing is not None:
        return existing
    job = Job(key=key, event_id=event.id if event is not None else None, kind=kind.name, language=language,
              params=params, revision=revision,
              created_by_id=by.id if getattr(by, "is_authenticated", False) else None)
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        return db.session.scalar(select(Job).where(Job.key == key))
    publish_after_commit(db.session, "dialogue.run_job", job.id)
    return job


def retry(job: Job, by) -> Job:
    """Run a failed job again; the chunks already made are kept."""
    kind = kinds()[job.kind]
    if not kind.may_see(by, job):
        raise PermissionDenied(_("Only the organisers of this event may do this."))
    if job.status != "failed":
        raise JobError(_("Only a failed job can be started again."))
    job.status, job.error, job.error_detail, job.finished_at = "queued", None, None, None
    db.session.execute(update(JobChunk).where(JobChunk.job_id == job.id, JobChunk.status == "failed")
                       .values(status="queued"))
    publish_after_commit(db.session, "dialogue.run_job", job.id)
    return job


def get_visible(job_id: int, by) -> Job | None:
    """The job if `by` may see it (else None, as if it did not exist)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind not in kinds() or not kinds()[job.kind].may_see(by, job):
        return None
    return job


def latest_done(event_id: int, kind_name: str, language: str) -> Job | None:
    """The newest finished file of this kind, whatever data it was made from."""
    return db.session.scalar(
        select(Job).where(Job.event_id == event_id, Job.kind == kind_name, Job.language == language,
                          Job.status == "done").order_by(Job.revision.desc(), Job.id.desc()).limit(1))


def outdated(event, kind_name: str, language: str) -> bool:
    """Whether the newest finished file of this kind shows older data than the event has now, so
    that a newer one is being prepared (after a change, workers make again the files asked for
    before). One query on the job index."""
    revision = db.session.scalar(select(func.max(Job.revision)).where(
        Job.event_id == event.id, Job.kind == kind_name, Job.language == language, Job.status == "done"))
    return revision is not None and revision < event.revision


def newer_coming(jobs: list[Job]) -> set[int]:
    """Of a list of jobs (newest first), the finished ones for which a newer file of the same kind,
    language and parameters is being made: the file people get now is about to be replaced."""
    coming, marked, seen = {(j.kind, j.language, repr(j.params)) for j in jobs if j.active}, set(), set()
    for job in jobs:
        key = (job.kind, job.language, repr(job.params))
        if job.status == "done" and key in coming and key not in seen:
            marked.add(job.id)
        if job.status == "done":
            seen.add(key)
    return marked


def pending(event_id: int, kind_name: str, language: str) -> Job | None:
    return db.session.scalar(
        select(Job).where(Job.event_id == event_id, Job.kind == kind_name, Job.language == language,
                          Job.status.in_(ACTIVE)).order_by(Job.id.desc()).limit(1))


def event_jobs(event, limit: int = 50) -> list[Job]:
    """The event's recent jobs, newest first, whoever started them."""
    return list(db.session.scalars(select(Job).where(Job.event_id == event.id)
                                   .order_by(Job.id.desc()).limit(limit)))


def status(job: Job) -> dict:
    """What a progress bar needs, in the request's language."""
    kind = kinds()[job.kind]
    link_url, link_text = kind.link(job) or (None, None)
    return {"id": job.id, "status": job.status, "done": job.done, "total": job.total,
            "label": kind.label(job), "text": kind.text(job),
            "error": job.error, "link_url": link_url, "link_text": link_text}


def sweep(older_than_seconds: int = 60) -> int:
    """Publish again the jobs still queued (a lost message, a broker that was down at commit)."""
    from datetime import timedelta
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = list(db.session.scalars(select(Job.id).where(Job.status == "queued", Job.created_at < cutoff)))
    for job_id in ids:
        publish_after_commit(db.session, "dialogue.run_job", job_id)
    return len(ids)
