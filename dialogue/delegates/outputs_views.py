"""Pages of what comes out of the registration desk for organisers: the participants list and its
files, badges and their check, statistics and session attendance."""
from __future__ import annotations

from flask import abort, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..jobs.views import start_and_redirect, start_and_see_other
from ..permissions import can_check_badges, ensure
from ..validation import page_arg
from . import photos, queries, services
from .views import LABELS, _event, _organised, _pager, _search, display_name, manage_bp


@manage_bp.get("/participants")
def participants(slug: str):
    """The list of participants as printed, a hundred at a time, searchable by name."""
    event = _organised(slug)
    q = _search()
    in_order = request.args.get("credentials") == "in_order"
    page = queries.participants_page(event, g.lang, q, page_arg(),
                                     only=(services.credentials_in_order(),) if in_order else ())
    return render_template("delegates/participants.html", event=event, blocks=page.items, q=q, in_order=in_order,
                           pager=_pager(page, q=q, credentials="in_order" if in_order else None), **LABELS)


@manage_bp.get("/participants.<any(csv, xlsx, pdf):fmt>")
def participants_file(slug: str, fmt: str):
    """The participants list as a file a worker makes: the file when ready, else its progress page."""
    return start_and_redirect(f"participants_{fmt}", _organised(slug), _list_params(request.args))


def _list_params(values) -> dict:
    """Options of a participants list: only the delegations whose credentials are in order."""
    return {"credentials": "in_order"} if values.get("credentials") == "in_order" else {}


@manage_bp.get("/badges.pdf")
def badges_pdf(slug: str):
    """Every badge (optionally of the delegations whose credentials are in order), made by workers in
    parallel: the ZIP when ready, else its progress page."""
    return start_and_redirect("badges", _organised(slug), _list_params(request.args))


@manage_bp.post("/files")
def start_file(slug: str):
    """A button that asks for a file (badges, a list): 303 to the file when ready, else to its progress page."""
    event = _organised(slug)
    kind = request.form.get("kind", "")
    if kind not in ("badges", "participants_pdf", "participants_csv", "participants_xlsx"):
        abort(400)
    return start_and_see_other(kind, event, _list_params(request.form))


#: A badge code as printed under the QR code (delegate.badge_code is at most 32 characters).
BADGE_CODE_LENGTH = 32


@manage_bp.get("/badges/")
def check_badge(slug: str):
    """For door staff whose phone cannot read a QR code: the badge code typed, then its check."""
    event = _event(slug)
    ensure(can_check_badges, current_user, event)
    code = "".join((request.args.get("code") or "").split())  # as read aloud or printed in groups
    if code and len(code) <= BADGE_CODE_LENGTH:
        return redirect(url_for("delegates_manage.verify_badge", slug=slug, code=code), 303)
    error = _("A badge code has at most %(n)s characters.", n=BADGE_CODE_LENGTH) if code else None
    return render_template("delegates/check_badge.html", event=event, code=request.args.get("code", ""),
                           error=error), 422 if error else 200


@manage_bp.get("/badges/<code>")
def verify_badge(slug: str, code: str):
    """What a badge's QR code opens, for the organisers and the event's badge checkers (door staff):
    whether its holder is accredited, with the name as printed, the delegation and the photo."""
    event = _event(slug)
    ensure(can_check_badges, current_user, event)  # before the code is looked up: no oracle for others
    delegate = services.delegate_by_badge(event, code)
    valid = delegate is not None and delegate.status == "accredited"
    response = make_response(render_template(
        "delegates/verify.html", event=event, delegate=delegate, valid=valid, display_name=display_name,
        photo=photos.data_url(delegate.photo_sha256) if valid else None, **LABELS), 200 if valid else 404)
    response.headers["Cache-Control"] = "no-store"  # a name and a photo: not kept by the door's phone
    return response


@manage_bp.get("/statistics")
def statistics(slug: str):
    """Delegates by kind, delegation and gender, optionally of delegations with credentials in order."""
    event = _organised(slug)
    in_order = request.args.get("credentials") == "in_order"
    return render_template("delegates/statistics.html", event=event, in_order=in_order,
                           stats=services.statistics(event, g.lang, in_order), **LABELS)


@manage_bp.get("/attendance")
def attendance(slug: str):
    """Each session with the delegates signed up for it."""
    event = _organised(slug)
    return render_template("delegates/attendance.html", event=event, rows=services.session_attendance(event, g.lang), **LABELS)


@manage_bp.get("/delegations/<id:delegation_id>/")
def delegation_redirect(slug: str, delegation_id: int):
    """Organisers reach a delegation's own page from the desk."""
    _organised(slug)
    return redirect(url_for("delegates.delegation", slug=slug, delegation_id=delegation_id))

