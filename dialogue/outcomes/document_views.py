"""Pages of the outcome document: composing, previewing, translations and publishing; the public page and downloads.

The routes are on the blueprints of views.py; a PDF is never made here: previews and publications
are jobs (jobs.py), and downloads send the stored bytes.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.http import is_resource_modified

from ..actions import perform
from ..cache import bytes_response
from ..i18n import language_name, pick
from ..jobs.views import start_and_redirect
from ..permissions import can_view_event, ensure
from ..sessions import services as agenda
from ..sessions.models import Event
from . import document as outcome
from . import (
    exchange_views,  # noqa: F401  (its routes, on the same blueprints)
    freshness,
    publications,
    rendering,
    versions,
)
from . import jobs as outcome_jobs
from .document_forms import VersionedPublishForm
from .forms import OutcomeDocumentForm
from .views import _event, _is_organiser, _organised, manage_bp, public_bp

# --- the outcome document ---------------------------------------------------------------------

@manage_bp.route("/outcome/", methods=["GET", "POST"])
def document(slug: str):
    """The document's form (symbol, title, grouping, recommendations) and its translation report."""
    ev = _organised(slug)
    _ok, doc = perform(lambda: outcome.get_or_create_document(ev))  # the row is made on the first visit
    if request.method == "POST":
        form = OutcomeDocumentForm()
    else:
        form = OutcomeDocumentForm(symbol=doc.symbol, title=doc.title, place=doc.place, issued_on=doc.issued_on,
                                   original_language=doc.original_language, preamble=doc.preamble,
                                   grouping=doc.grouping, session_ids=doc.session_ids,
                                   recommendations=outcome.joined(doc.recommendations),
                                   next_steps=outcome.joined(doc.next_steps), version=doc.version)
    form.session_ids.choices = [(s.id, f"{s.code} · {pick(s.title, g.lang, s.original_language).text}")
                                for s in agenda.agenda(ev)]
    if form.validate_on_submit():
        ok, _done = perform(lambda: outcome.save_document(doc, form.data, current_user, form.version.data or None),
                            form=form, conflict=_("Someone else saved the document while you were editing it. Your "
                                                  "input is kept below; reload the page to see their version."))
        if ok:
            flash(_("The outcome document is saved."), "success")
            return redirect(url_for(".document", slug=ev.slug))
    status = 422 if request.method == "POST" else 200
    comp = outcome.compose(doc)
    gaps = outcome.translation_report(comp)
    return render_template("outcomes/document_form.html", event=ev, doc=doc, form=form, comp=comp, gaps=gaps,
                           outdated=freshness.in_document(comp), versions=publications.all_versions(ev)), status


@manage_bp.get("/outcome/preview")
def preview(slug: str):
    """The document in the page's language as it would be published, marked as a draft."""
    ev = _organised(slug)
    _ok, doc = perform(lambda: outcome.get_or_create_document(ev))
    comp = outcome.compose(doc)
    body = Markup(rendering.render_html(comp, g.lang, draft=True))  # noqa: S704  (rendered by Jinja with autoescape)
    return render_template("outcomes/preview.html", event=ev, doc=doc, body=body)


@manage_bp.get("/outcome/preview.pdf")
def preview_pdf(slug: str):
    """The draft PDF in the page's language, made by a worker: the file when ready, else its progress page."""
    ev = _organised(slug)
    perform(lambda: outcome.get_or_create_document(ev))
    return start_and_redirect(outcome_jobs.PREVIEW, ev)


@manage_bp.route("/outcome/translations", methods=["GET", "POST"])
def translations(slug: str):
    """What is missing in which language; choosing original-language paragraphs; publishing."""
    ev = _organised(slug)
    doc = outcome.get_or_create_document(ev)
    comp = outcome.compose(doc)
    gaps = outcome.translation_report(comp)
    outdated = freshness.in_document(comp)
    form = VersionedPublishForm(original_only=[gap.key for gap in gaps if gap.accepted],
                                accept_outdated=[o.key for o in outdated if o.key in (doc.accepted_outdated or [])])
    form.original_only.choices = [(gap.key, gap.label) for gap in gaps]
    form.accept_outdated.choices = [(o.key, o.label) for o in outdated]
    if form.validate_on_submit():
        def choose_and_publish():
            outcome.set_original_only(doc, form.original_only.data or [], current_user)
            freshness.accept_outdated(doc, form.accept_outdated.data or [], current_user)
            if not form.publish.data:
                return None
            return outcome_jobs.request_publication(doc, current_user, form.mark.data or "rev")
        # Another organiser may publish or change the document at the same moment: a conflict.
        ok, job = perform(choose_and_publish, form=form, conflict=_(
            "Someone else changed or published the document at the same moment. Reload the page and check the "
            "latest version."))
        if not ok:
            form.extra_errors = {"": job.message}  # this page shows errors above the form
        else:
            if form.publish.data:
                flash(_("The outcome document is being published in French, Spanish and English."), "success")
                return redirect(url_for("jobs.show", job_id=job.id))
            flash(_("The choice is saved."), "success")
            return redirect(url_for(".translations", slug=ev.slug))
    status = 422 if request.method == "POST" else 200
    latest = versions.latest(doc)
    return render_template("outcomes/translations.html", event=ev, doc=doc, comp=comp, gaps=gaps, form=form,
                           outdated=outdated, language_name=language_name, latest=latest,
                           unchanged=latest is not None and latest.content_sha256 == publications.content_sha256(comp),
                           next_rev=versions.next_edition(doc, "rev"), next_corr=versions.next_edition(doc, "corr")), status


# --- public -----------------------------------------------------------------------------------

def _public_event(slug: str) -> Event:
    """The event, if the visitor may see it (permissions.can_view_event); 404 otherwise."""
    ev = _event(slug)
    ensure(can_view_event, current_user, ev, status=404)
    return ev


@public_bp.get("/outcome/")
def page(slug: str):
    """The current publication in the page's language, with the PDFs and the earlier versions."""
    ev = _public_event(slug)
    pubs = publications.all_versions(ev)
    current = next((p for p in pubs if p.language == g.lang), None)
    by_version: dict[int, dict[str, object]] = {}
    for p in pubs:
        by_version.setdefault(p.version, {})[p.language] = p
    numbers = list(by_version)
    prior = {number: numbers[i + 1] for i, number in enumerate(numbers[:-1])}
    return render_template("outcomes/public.html", event=ev, current=current,
                           body=Markup(current.html) if current else None, by_version=by_version,  # noqa: S704  (stored rendering of our own template)
                           latest_version=pubs[0].version if pubs else None, prior=prior,
                           compare_pubs=[p for p in pubs if p.language == g.lang],
                           organiser=_is_organiser(ev))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(slug: str, version: int | None, kind: str = "pdf"):
    """Stored bytes with their SHA-256 as ETag; a revalidation costs one query and no bytes.

    One column query finds the publication and the event's status (no ORM object: it is the hot
    path of a published file); a draft's files are for its organisers only, as its pages are.
    Werkzeug answers If-None-Match (304) and Range (206) and sets Content-Length.
    """
    head = publications.published_head(slug, g.lang, version)
    if head is None:
        abort(404)
    public = head.status == "published"
    if not public:
        _public_event(slug)  # 404 unless the visitor organises the draft
    if kind == "docx":
        if head.docx_sha256 is None:  # published before Word files were made
            abort(404)
        etag, size, mimetype = head.docx_sha256, head.docx_size, DOCX
    else:
        etag, size, mimetype = head.sha256, head.size, "application/pdf"
    held = "Range" not in request.headers and not is_resource_modified(request.environ, etag=etag)
    body = b"" if held else publications.stored_bytes(etag, head.id, docx=kind == "docx")
    disposition = "inline" if kind == "pdf" else "attachment"
    # A numbered version never changes: caches may keep it. The current one is revalidated.
    response = bytes_response(body, etag, mimetype, max_age=31536000 if version else 0, public=public,
                              filename=f"{slug}-outcome-v{head.version}-{g.lang}.{kind}", disposition=disposition,
                              complete_length=size)
    return response


@public_bp.get("/outcome.pdf")
def download(slug: str):
    """The current version's PDF in the page's language."""
    return _download(slug, None)


@public_bp.get("/outcome/v<id:version>.pdf")
def download_version(slug: str, version: int):
    """A given version's PDF in the page's language (never changes: cached for a year)."""
    return _download(slug, version)


@public_bp.get("/outcome.docx")
def download_docx(slug: str):
    """The current version as a Word file in the page's language, for delegations to negotiate on."""
    return _download(slug, None, "docx")


@public_bp.get("/outcome/v<id:version>.docx")
def download_docx_version(slug: str, version: int):
    """A given version's Word file in the page's language."""
    return _download(slug, version, "docx")



@public_bp.get("/outcome/changes")
def changes(slug: str):
    """What changed between two published versions, paragraph by paragraph, in the page's language."""
    ev = _public_event(slug)
    pubs = [p for p in publications.all_versions(ev) if p.language == g.lang]
    numbers = [p.version for p in pubs]
    if len(numbers) < 2:
        abort(404)
    new = request.args.get("to", type=int)
    old = request.args.get("from", type=int)
    new = new if new in numbers else numbers[0]
    old = old if old in numbers and old != new else next((n for n in numbers if n < new), numbers[-1])
    if old == new:
        abort(404)
    found = publications.pair(ev, g.lang, old, new)
    if found is None:
        abort(404)
    before, after = found
    return render_template("outcomes/changes.html", event=ev, before=before, after=after, pubs=pubs,
                           changes=versions.compare(before.html, after.html))
