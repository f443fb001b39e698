"""Pages of the provisional list of participants: the public page and files, the organisers' switch."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform
from ..jobs import services as jobs
from ..jobs import storage
from ..jobs.views import send_stored
from ..permissions import can_organise, can_see_participant_list, ensure
from ..sessions import services as agenda
from ..validation import page_arg
from . import public_list, queries
from .labels import KIND_PLURALS
from .views import _pager, _search, display_name, text_dir

bp = Blueprint("public_participants", __name__, url_prefix="/<lang>/events/<slug>")
manage_bp = Blueprint("public_participants_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")

#: The files of the list, by the extension of their public address.
FILE_KINDS = {"pdf": public_list.PublicListPDF.name, "xlsx": public_list.PublicListXLSX.name}


def register(app: Flask) -> None:
    """Plug the published list into the app."""
    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)


def _listed_event(slug: str):
    """The event whose list this user may read; 404 while it is not published (organisers see it before)."""
    event = agenda.event_by_slug(slug) or abort(404)
    ensure(can_see_participant_list, current_user, event, status=404)
    return event


@bp.get("/participants/")
def page(slug: str):
    """The published list, a hundred people a page, grouped by category and delegation."""
    event = _listed_event(slug)
    q = _search()
    result = queries.participants_page(event, g.lang, q, page_arg())
    return render_template("delegates/public_list.html", event=event, blocks=result.items, q=q,
                           pager=_pager(result, q=q), display_name=display_name, text_dir=text_dir,
                           KIND_PLURALS=KIND_PLURALS, organiser=can_organise(current_user, event))


@bp.get("/participants.<any(pdf, xlsx):fmt>")
def file(slug: str, fmt: str):
    """The list as a file a worker made: the newest one (while a newer one is being made after a
    change), or the progress page of the first."""
    event = _listed_event(slug)
    ok, job = perform(lambda: jobs.start(FILE_KINDS[fmt], event, g.lang, current_user))
    if not ok:
        abort(404)
    stored = job if job.status == "done" else jobs.latest_done(event.id, FILE_KINDS[fmt], g.lang)
    if stored is not None and storage.exists(stored.sha256):
        response = send_stored(stored, public=event.participants_published_at is not None and event.is_published)
        if stored is not job:
            response.headers["Warning"] = '110 - "A newer version is being prepared"'
        return response
    return render_template("jobs/job.html", job=job, status=jobs.status(job)), 202, {
        "Cache-Control": "no-store", "Retry-After": "5"}


@manage_bp.post("/participants/publication")
def publication(slug: str):
    """Publish the provisional list of participants, or take it down (the button says which, so
    that a second click of the same button changes nothing)."""
    event = agenda.event_by_slug(slug) or abort(404)
    ensure(can_organise, current_user, event)
    action = request.form.get("action")
    if action not in ("publish", "unpublish"):
        abort(400)
    change = public_list.publish if action == "publish" else public_list.unpublish
    ok, _result = perform(lambda: change(event, current_user))
    if ok:
        flash(_("The provisional list of participants is public.") if action == "publish"
              else _("The provisional list of participants is no longer public."), "success")
    return redirect(url_for("delegates_manage.participants", slug=slug))
