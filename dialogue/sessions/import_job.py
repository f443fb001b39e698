"""A large session import, run by a worker: the requests that preview and confirm it answer at once with
a progress page; the preview's job leaves its report (or the rows' errors) as JSON for the import page."""
from __future__ import annotations

import json
from dataclasses import asdict

from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from .. import uploads
from ..jobs.kinds import JobKind, Output
from . import importing, spreadsheets

KIND = "session_import"
PREVIEW = "session_import_preview"
#: Errors named in the message of a failed job (the file was checked at its preview: rare).
NAMED_ERRORS = 3


def _halves(job) -> tuple[int, int, int]:
    """(rows checked, rows written, rows) of an import job: importing.import_sessions counts the rows
    twice, checked then written, so its total is twice the number of rows."""
    rows = (job.total or 0) // 2
    done = min(job.done or 0, 2 * rows)
    return min(done, rows), max(done - rows, 0), rows


def _progress_text(job, waiting: str, second: str) -> str:
    """The bar's words of an import job: `waiting` until its rows are counted, the rows checked, then
    `second` (translated, with %(done)s and %(total)s) for the second pass over the rows."""
    checked, written, rows = _halves(job)
    if not rows:
        return waiting
    if checked < rows:
        return _("Checking the rows: %(done)s of %(total)s", done=format_decimal(checked),
                 total=format_decimal(rows))
    return second % {"done": format_decimal(written), "total": format_decimal(rows)}


def _kept_rows(job) -> list[tuple[int, dict]]:
    """The rows of the file its preview kept (uploads.py), read again for the job."""
    kept = uploads.take(job.params.get("token", ""), job.created_by_id, job.event_id)
    if kept is None:
        raise spreadsheets.SessionImportError(_("The file could not be read again: upload it once more."), "file")
    return spreadsheets.read_rows(kept["filename"], kept["content"])


class SessionImport(JobKind):
    """Import a previewed file kept by uploads.py, in one transaction with the job's state."""

    name = KIND

    def label(self, job):
        return _("Import of sessions")

    def progress_text(self, job):
        return _progress_text(job, _("Importing the sessions…"), _("Importing sessions: %(done)s of %(total)s"))

    def fingerprint(self, event, params):
        """One job per previewed file: pressing Import twice finds the same job."""
        return event.revision, f"upload:{params.get('token', '')}"

    def link(self, job):
        if job.event is None:
            return None
        return url_for("manage.agenda", slug=job.event.slug), _("See the agenda")

    def make(self, job, progress):
        rows = _kept_rows(job)
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


class SessionImportPreview(SessionImport):
    """What importing a kept file would do (a dry run, rolled back), as JSON: {"report"} or {"errors"}."""

    name = PREVIEW

    def label(self, job):
        return _("Checking the sessions to import")

    def progress_text(self, job):
        return _progress_text(job, _("Checking the rows of the file…"),
                              _("Trying the sessions on the agenda: %(done)s of %(total)s"))

    def link(self, job):
        if job.event is None:
            return None
        return url_for("copying.import_sessions", slug=job.event.slug, preview=job.id), _("See the preview")

    def make(self, job, progress):
        rows = _kept_rows(job)
        try:
            found = {"report": asdict(importing.preview_import(job.event, rows, job.created_by, progress))}
        except importing.ImportFailed as failed:
            found = {"errors": [asdict(e) for e in failed.errors]}
        return Output(f"{job.event.slug}-import-preview.json", "application/json", body=json.dumps(found).encode())

    def finished(self, job):
        return None  # the file waits for its confirmation


def preview_of(job) -> tuple[importing.ImportReport | None, list[importing.RowError]]:
    """The report, or the errors, a finished preview job left."""
    from ..jobs import storage
    found = json.loads(storage.read(job.sha256))
    if "errors" in found:
        return None, [importing.RowError(**e) for e in found["errors"]]
    return importing.ImportReport(**found["report"]), []
