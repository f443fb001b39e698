"""The agenda PDF, made by a worker in each language and kept until the agenda changes again."""
from __future__ import annotations

from celery import shared_task
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..jobs.kinds import JobKind, Output
from ..jobs.models import Job
from ..pdf import render_pdf
from . import services
from .import_job import SessionImport, SessionImportPreview
from .models import Event

KIND = "agenda_pdf"


class AgendaPDF(JobKind):
    name = KIND
    public = True

    def label(self, job):
        return _("Agenda (PDF)")

    def progress_text(self, job):
        return _("Preparing the agenda PDF…")

    def fingerprint(self, event, params):
        return event.revision, str(event.revision)

    def may_start(self, user, event):
        from ..permissions import can_view_event
        return can_view_event(user, event)

    def may_see(self, user, job):
        return job.event is not None and self.may_start(user, job.event)

    def superseded(self, job):
        return job.event.revision > job.revision

    def make(self, job, progress):
        ev = job.event
        sessions = services.agenda(ev)
        progress(0, len(sessions))
        from .labels import KIND_LABELS
        pdf = render_pdf("pdf/agenda.html", job.language, event=ev, days=services.by_day(sessions, ev.timezone),
                         tz=ev.timezone, KIND_LABELS=KIND_LABELS, count=len(sessions))
        progress(len(sessions), len(sessions))
        return Output(f"{ev.slug}-agenda-{job.language}.pdf", "application/pdf", body=pdf)


KINDS = [AgendaPDF(), SessionImport(), SessionImportPreview()]


@shared_task(name="dialogue.refresh_agenda_pdfs")
def refresh_agenda_pdfs(event_id: int) -> None:
    """After a change: make again the agenda PDFs that someone asked for before."""
    from ..jobs import services as jobs
    event = db.session.get(Event, event_id)
    if event is None:
        return
    languages = set(db.session.scalars(select(Job.language).where(Job.event_id == event_id, Job.kind == KIND)))
    for lang in sorted(languages):
        jobs.start(KIND, event, lang, None, check=False)
    db.session.commit()
from . import notices  # noqa: E402,F401  (dialogue.send_change_notices, the pending_notice table)
