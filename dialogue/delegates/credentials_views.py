"""Pages of the letter of credentials: the focal point uploads it, organisers record its state, and
only they can download it."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import DomainError, perform
from ..permissions import can_organise
from . import services
from .forms import CredentialsDecisionForm, CredentialsForm
from .labels import CREDENTIALS_LABELS
from .views import LABELS, _delegation, _organised, bp, manage_bp


@bp.route("/<id:delegation_id>/credentials", methods=["GET", "POST"])
def credentials(slug: str, delegation_id: int):
    """The delegation's letter of credentials: its state, the upload form, and the organisers' check."""
    d = _delegation(slug, delegation_id)
    form = CredentialsForm()
    if form.validate_on_submit():
        upload = form.file.data
        body = upload.stream.read(services.credentials.max_bytes() + 1)  # bounded: one byte over is enough to refuse
        ok, _done = perform(lambda: services.upload_credentials(d, upload.filename or "", body, current_user),
                            form=form, denied=404)
        if ok:
            flash(_("The letter of credentials is uploaded: the organisers will check it."), "success")
            return redirect(url_for("delegates.credentials", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    organiser = can_organise(current_user, d.event)
    letter = services.letter(d)
    decision = None
    if organiser:  # the organisers' form starts from the letter's present state
        current = letter.status if letter is not None and letter.status != "submitted" else "received"
        decision = CredentialsDecisionForm(prefix="check", status=current, reason=letter.reason if letter else "")
    return render_template("delegates/credentials.html", event=d.event, delegation=d, form=form, decision=decision,
                           letter=letter, organiser=organiser, CREDENTIALS_LABELS=CREDENTIALS_LABELS,
                           max_mb=services.credentials.max_megabytes(), **LABELS), status


@bp.get("/<id:delegation_id>/credentials/file")
def credentials_file(slug: str, delegation_id: int):
    """The letter itself, for the delegation's focal points and the event's organisers, never cached."""
    d = _delegation(slug, delegation_id)
    try:
        row, body = services.credentials_file(d, current_user)
    except DomainError:
        abort(404)
    return Response(body, mimetype=row.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox"})


@manage_bp.post("/delegations/<id:delegation_id>/credentials")
def credentials_decide(slug: str, delegation_id: int):
    """Organisers record that a letter is received, in order, or incomplete (with what is missing)."""
    _organised(slug)
    d = _delegation(slug, delegation_id)
    form = CredentialsDecisionForm(prefix="check")
    if not form.validate_on_submit():
        flash(_("Choose received, in order or incomplete."), "error")
    else:
        ok, _done = perform(lambda: services.decide_credentials(d, form.status.data, form.reason.data or "",
                                                                current_user))
        if ok:
            flash(_("The state of the letter is recorded."), "success")
    return redirect(url_for("delegates.credentials", slug=slug, delegation_id=d.id))
