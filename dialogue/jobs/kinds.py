"""What each kind of job makes: its name, who may start and see it, and how its file is made.

A kind is code, like a Celery task: each domain declares its kinds in its `jobs` module
(`dialogue/sessions/jobs.py`: the agenda PDF; `dialogue/delegates/jobs.py`: participants lists
and badges; `dialogue/outcomes/jobs.py`: outcome previews), and `kinds()` collects them.
"""
from __future__ import annotations

import importlib
import stat
import time
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import IO

from flask_babel import gettext as _

#: Domain modules that declare job kinds in a KINDS list.
KIND_MODULES = ("dialogue.sessions.jobs", "dialogue.delegates.jobs", "dialogue.delegates.public_list",
                "dialogue.delegates.details_jobs", "dialogue.outcomes.jobs")


@dataclass
class Output:
    """A finished file: its bytes (or a file object for large ones), name and type."""

    filename: str
    mimetype: str
    body: bytes | None = None
    stream: IO[bytes] | None = None


def zip_entry(name: str, date_time: tuple | None = None) -> zipfile.ZipInfo:
    """An entry of a ZIP a job makes, unpacking as a regular file readable by all (0644): `writestr(name)` gives 0600."""
    entry = zipfile.ZipInfo(name, date_time or time.localtime()[:6])
    entry.external_attr = (stat.S_IFREG | 0o644) << 16
    return entry


#: progress(done, total): a task reports how far it is.
Progress = Callable[[int, int], None]


class JobKind(ABC):
    """Base of a kind; subclasses set `name`, implement label(), progress_text() and fingerprint(),
    and make() (one task) or, with `chunked`, plan()/make_chunk()/assemble() (tasks in parallel).
    The words of a job waiting for a worker, or finished, are the same for every kind: `text()`."""

    name: str = ""
    chunked: bool = False
    #: Whether anyone who may see the event may see the job and download its file.
    public: bool = False
    #: Whether the file holds personal data (passport numbers, dates of birth): never kept by a browser or
    #: a proxy (Cache-Control: no-store), where other files are revalidated (private, must-revalidate).
    personal: bool = False

    @abstractmethod
    def label(self, job) -> str:
        """What the job makes, translated ("Badges", "Agenda (PDF)")."""

    @abstractmethod
    def progress_text(self, job) -> str:
        """The bar's words while a worker makes the file, translated: "Rendering badges: 3,200 of 10,000"."""

    def text(self, job) -> str:
        """The bar's words in any state: the kind's progress_text() while a worker makes the file."""
        if job.status == "running":
            return self.progress_text(job)
        return status_text(job)

    @abstractmethod
    def fingerprint(self, event, params: dict) -> tuple[int, str]:
        """(revision, text) of the data the file is made from: a change makes a new job."""

    def may_start(self, user, event) -> bool:
        from ..permissions import can_organise
        return can_organise(user, event)

    def may_see(self, user, job) -> bool:
        return self.may_start(user, job.event)

    def link(self, job) -> tuple[str, str] | None:
        """Where a finished job leads instead of its file (URL, translated words): a published page."""
        return None

    def superseded(self, job) -> bool:
        """Whether newer data made this job useless before it started."""
        return False

    def make(self, job, progress: Progress) -> Output:
        """The file of a kind made in one task (not `chunked`)."""
        raise TypeError(f"{self.name} is chunked: its tasks call plan(), make_chunk() and assemble()")

    def plan(self, job) -> list[tuple[dict, int]]:
        """Chunks as (params, number of items), for a `chunked` kind."""
        raise TypeError(f"{self.name} is made in one task: make()")

    def make_chunk(self, job, params: dict) -> bytes:
        """One chunk's bytes, for a `chunked` kind."""
        raise TypeError(f"{self.name} is made in one task: make()")

    def describe_chunk(self, job, params: dict) -> str | None:
        """What a chunk holds, translated, for the message when it fails ("badges of Peru")."""
        return None

    def assemble(self, job, parts: Sequence[tuple[dict, bytes]]) -> Output:
        """The file from the chunks' (params, bytes), for a `chunked` kind; each chunk's bytes are read
        from storage when that item is taken: iterate, do not keep them all."""
        raise TypeError(f"{self.name} is made in one task: make()")

    def finished(self, job) -> None:
        """Called in the transaction that marks the job done (to record a publication, say)."""
        return None


def status_text(job) -> str:
    """The words of a job no worker is making, whatever its kind: waiting for one, or finished."""
    if job.status == "done":
        return _("Ready.")
    if job.status == "failed":
        return _("Failed: %(error)s", error=job.error or _("an unexpected error"))
    if job.status == "superseded":
        return _("Replaced by a newer file.")
    return _("Waiting for a worker.")


@cache
def kinds() -> dict[str, JobKind]:
    found: dict[str, JobKind] = {}
    for module_name in KIND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        for kind in module.KINDS:
            found[kind.name] = kind
    return found


def kind_of(job) -> JobKind:
    return kinds()[job.kind]
