"""Background jobs as rows: what to make, how far it is, what failed, and the file it made."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed", "superseded")
#: A job in these states will still produce its file.
ACTIVE = ("queued", "running")


class Job(db.Model):
    """One file to make (a badge set, a participants list, an agenda PDF), shared by everyone who asks.

    `key` names the file and the data it is made from (kind, event, language, parameters and a
    fingerprint of the data): two organisers asking at once find the same row, and a request after a
    change makes a new one.
    """

    __table_args__ = (Index("ix_job_event_kind_lang", "event_id", "kind", "language"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The data revision the file shows (the event's revision for an agenda).
    revision: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    #: Progress: items made (badges, pages, rows) out of total; total 0 while unknown.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    chunks_total: Mapped[int] = mapped_column(default=0)
    chunks_done: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    #: What failed, for people (already translated in the language of the job) and for us.
    error: Mapped[str | None] = mapped_column(String(500))
    error_detail: Mapped[str | None] = mapped_column(Text)
    #: The file: SHA-256 of its bytes in the storage directory, size, name and type.
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    filename: Mapped[str | None] = mapped_column(String(200))
    mimetype: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = relationship()
    event: Mapped[Event | None] = relationship()  # noqa: F821
    chunks: Mapped[list[JobChunk]] = relationship(back_populates="job", cascade="all, delete-orphan",
                                                  order_by="JobChunk.position")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.key} {self.status}>"


class JobChunk(db.Model):
    """A part of a job that one task makes (badges of some delegations); counted once when done."""

    __table_args__ = (UniqueConstraint("job_id", "position", name="uq_job_chunk_job_position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Items in this chunk, added to the job's progress when it is done.
    size: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    #: The chunk's output in the storage directory.
    sha256: Mapped[str | None] = mapped_column(String(64))

    job: Mapped[Job] = relationship(back_populates="chunks")
