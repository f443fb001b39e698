"""Pages of a delegation's own files: delegates' badge photos, and the lists and badge preview its focal points download."""
from __future__ import annotations

from flask import abort, g, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform
from ..jobs import storage
from .delegation_jobs import DOWNLOADS, start_for
from .views import _delegate, _delegation, bp


def download_choices() -> list[tuple[str, str]]:
    """(kind, button words) of the files a delegation page offers, in the page's language."""
    return [("delegation_list_pdf", _("List (PDF)")), ("delegation_list_csv", _("List (CSV)")),
            ("delegation_list_xlsx", _("List (Excel)")), ("delegation_badges_preview", _("Preview of the badges (PDF)"))]


@bp.get("/<id:delegation_id>/delegates/<id:delegate_id>/photo.jpg")
def delegate_photo(slug: str, delegation_id: int, delegate_id: int):
    """A delegate's badge photo: for the delegation's focal points and the event's organisers, never cached."""
    d = _delegation(slug, delegation_id)
    delegate = _delegate(d, delegate_id)
    if not storage.exists(delegate.photo_sha256):
        abort(404)
    response = send_file(storage.path_of(delegate.photo_sha256), mimetype="image/jpeg", conditional=False,
                         etag=False, max_age=None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<id:delegation_id>/files")
def delegation_file(slug: str, delegation_id: int):
    """Ask workers for a file of this delegation and follow its progress (no rendering in the request)."""
    d = _delegation(slug, delegation_id)
    kind = request.form.get("kind", "")
    if kind not in DOWNLOADS:
        abort(400)
    ok, job = perform(lambda: start_for(d, kind, g.lang, current_user), denied=404)
    if not ok:
        return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    return redirect(url_for("jobs.show", job_id=job.id), 303)
