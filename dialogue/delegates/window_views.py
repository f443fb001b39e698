"""Pages of the nomination window: organisers set the event's window and extend it for one delegation."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform
from ..extensions import db
from ..sessions.localtime import to_local
from . import services
from .forms import ExtensionForm, WindowForm
from .models import Delegation
from .views import LABELS, _organised, manage_bp


@manage_bp.route("/nomination-window", methods=["GET", "POST"])
def nomination_window(slug: str):
    """The event's nomination window, in its time zone, and when to remind latecomers."""
    event = _organised(slug)
    row = services.event_window(event)
    if request.method == "POST" or row is None:
        form = WindowForm()
    else:
        form = WindowForm(data={"opens_at": row.opens_at and to_local(row.opens_at, event.timezone),
                                "closes_at": row.closes_at and to_local(row.closes_at, event.timezone),
                                "reminder_days": row.reminder_days})
    if form.validate_on_submit():
        ok, _done = perform(lambda: services.save_window(event, form.opens_at.data, form.closes_at.data,
                                                         form.reminder_days.data, current_user), form=form)
        if ok:
            flash(_("The nomination window is saved."), "success")
            return redirect(url_for("delegates_manage.delegations", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/window.html", event=event, form=form, **LABELS), status


def _event_delegation(event, delegation_id: int) -> Delegation:
    d = db.session.get(Delegation, delegation_id)
    if d is None or d.event_id != event.id:
        abort(404)
    return d


@manage_bp.route("/delegations/<id:delegation_id>/extension", methods=["GET", "POST"])
def extension(slug: str, delegation_id: int):
    """More time for one delegation to nominate, with the reason (kept in the audit log)."""
    event = _organised(slug)
    d = _event_delegation(event, delegation_id)
    form = ExtensionForm()
    if form.validate_on_submit():
        ok, _done = perform(lambda: services.extend_deadline(d, form.until.data, form.reason.data, current_user),
                            form=form)
        if ok:
            flash(_("The deadline of this delegation is extended."), "success")
            return redirect(url_for("delegates_manage.delegation_edit", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/extension.html", event=event, delegation=d, form=form,
                           deadline=services.time_left(d), **LABELS), status


@manage_bp.post("/delegations/<id:delegation_id>/extension/remove")
def extension_remove(slug: str, delegation_id: int):
    """Take back a delegation's extension: the event's deadline applies again."""
    event = _organised(slug)
    d = _event_delegation(event, delegation_id)
    ok, _done = perform(lambda: services.extend_deadline(d, None, "", current_user))
    if ok:
        flash(_("The extension is taken back."), "success")
    return redirect(url_for("delegates_manage.delegation_edit", slug=slug, delegation_id=d.id))
