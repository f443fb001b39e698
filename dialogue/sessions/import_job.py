"""A large session import, run by a worker: the request that confirms it answers at once with a progress page."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from .. import uploads
from ..jobs.kinds import JobKind, Output
from . import importing, spreadsheets

KIND = "session_import"
#: Errors named in the message of a failed job (the file was checked at its preview: rare).
NAMED_ERRORS = 3


class SessionImport(JobKind):
    """Import a previewed file kept by uploads.py, in one transaction with the job's state."""

    name = KIND

    def label(self, job):
        return _("Import of sessions")

    def progress_text(self, job):
        if job.status == "queued":
            return _("Waiting for a worker.")
        return _("Importing the sessions…")

    def fingerprint(self, event, params):
        """One job per previewed file: pressing Import twice finds the same job."""
        return event.revision, f"upload:{params.get('token', '')}"

    def link(self, job):
        if job.event is None:
            return None
        return url_for("manage.agenda", slug=job.event.slug), _("See the agenda")

    def make(self, job, progress):
        kept = uploads.take(job.params.get("token", ""), job.created_by_id, job.event_id)
        if kept is None:
            raise spreadsheets.SessionImportError(_("The file could not be read again: upload it once more."), "file")
        rows = spreadsheets.read_rows(kept["filename"], kept["content"])
        try:
            report = importing.import_sessions(job.event, rows, job.created_by, progress)
        except importing.ImportFailed as failed:
            named = "; ".join(_("row %(row)s, %(column)s: %(problem)s", row=e.row or "—",
                                column=spreadsheets.FIELD_LABELS.get(e.field, e.field), problem=e.message)
                              for e in failed.errors[:NAMED_ERRORS])
            raise spreadsheets.SessionImportError(_("Nothing was imported: %(errors)s", errors=named), "file") from None
        return Output(f"{job.event.slug}-import.txt", "text/plain; charset=utf-8", body=importing.summary(report).encode())

    def finished(self, job):
        uploads.discard(job.params.get("token", ""))
