"""The outcome document's draft PDFs and its publication, made by workers, and the services that ask for them.

A request never renders a PDF: the preview is a job per language, and pressing Publish checks
the document, then starts one job that renders the three languages and stores the version. Both
jobs are keyed by a hash of what the PDFs show, so two organisers asking at once share one job.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..i18n import LANGUAGES
from ..jobs import services as jobs
from ..jobs.kinds import JobKind, Output
from ..permissions import can_organise, ensure
from . import document as outcome
from . import publications, rendering, versions
from .models import OutcomeDocument
from .services import OutcomeError

PREVIEW = "outcome_preview"
PUBLICATION = "outcome_publication"


class OutcomePreview(JobKind):
    """The draft PDF in one language, with its watermark; for the organisers."""

    name = PREVIEW

    def label(self, job):
        return _("Outcome document, draft (PDF)")

    def progress_text(self, job):
        return _("Preparing the draft PDF…")

    def fingerprint(self, event, params):
        document = outcome.get_or_create_document(event)
        return document.version, rendering.fingerprint(outcome.compose(document), draft=True)

    def make(self, job, progress):
        ev = job.event
        document = outcome.get_or_create_document(ev)
        pdf = rendering.render_pdf(outcome.compose(document), job.language, draft=True)
        progress(1, 1)
        return Output(f"{ev.slug}-outcome-draft-{job.language}.pdf", "application/pdf", body=pdf)


class OutcomePublication(JobKind):
    """A new version of the outcome document in every language, stored as immutable publications."""

    name = PUBLICATION

    def label(self, job):
        return _("Publication of the outcome document")

    def progress_text(self, job):
        return _("Rendering the outcome document: %(done)d of %(total)d languages", done=job.done,
                 total=job.total or len(LANGUAGES))

    def fingerprint(self, event, params):
        """What the PDFs show and the version they follow: pressing Publish twice at once gives one job."""
        document = outcome.get_document(event)
        latest = publications.latest_version(document) or 0
        return latest, f"after:{latest}:{rendering.fingerprint(outcome.compose(document), draft=False)}"

    def link(self, job):
        if job.event is None:
            return None
        return url_for("outcomes.page", slug=job.event.slug), _("See the published document")

    def make(self, job, progress):
        """Render the three languages and insert the version; the engine commits it with the job's state."""
        ev = job.event
        progress(0, len(LANGUAGES))
        document = outcome.get_document(ev)
        _revision, now = self.fingerprint(ev, job.params)
        if document is None or jobs.job_key(self, ev, job.language, job.params, now) != job.key:
            raise OutcomeError(_("The document changed, or another version was published, after the button "
                                 "was pressed. Check the document and publish again."))
        try:
            published = publications.publish(document, job.created_by, progress, check=False,
                                             mark=job.params.get("mark", "rev"))
        except IntegrityError as exc:  # another worker stored this version number first
            raise OutcomeError(_("Another version was published at the same moment. Check the document "
                                 "and publish again.")) from exc
        mine = next(p for p in published if p.language == job.language)
        return Output(f"{ev.slug}-outcome-v{mine.version}-{job.language}.pdf", "application/pdf", body=mine.pdf)


KINDS = [OutcomePreview(), OutcomePublication()]


def request_publication(document: OutcomeDocument, by, mark: str = "rev"):
    """Pressing Publish: check the document now (clear errors), then start the job that publishes it.

    `mark` chooses what a later version is: "rev" (Rev.n) or "corr" (Corr.n).

    The job is in the document's original language, whatever the interface language of the
    organisers who press the button: two of them pressing at once find the same job.
    """
    ensure(can_organise, by, document.event)
    comp = outcome.compose(document)
    outcome.ensure_publishable(comp)
    publications.ensure_new_content(document, comp)
    return jobs.start(PUBLICATION, document.event, document.original_language, by,
                      {"mark": mark if mark in versions.MARK_KINDS else "rev"})
