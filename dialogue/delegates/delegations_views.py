"""The organisers' pages of delegations: creating and changing them, and inviting their focal points."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform
from ..auth.invite_block import send_invitation
from ..extensions import db
from . import services
from .forms import DelegationForm, FocalPointForm
from .labels import CREDENTIALS_LABELS
from .models import COUNTRY_KINDS, Delegation
from .views import LABELS, _organised, manage_bp

# --- organisers: delegations and focal points -----------------------------------------------------

@manage_bp.route("/delegations/", methods=["GET", "POST"])
def delegations(slug: str):
    """The event's delegations for organisers, and the form that creates one."""
    event = _organised(slug)
    form = DelegationForm()
    form.country.choices = [("", "—")] + services.countries(g.lang)
    if form.validate_on_submit():
        ok, d = perform(lambda: services.save_delegation(event, form.data, current_user), form=form)
        if ok:
            flash(_("The delegation of %(name)s is created.", name=services.delegation_name(d, g.lang)), "success")
            return redirect(url_for("delegates_manage.delegation_edit", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/manage_delegations.html", event=event, form=form,
                           rows=services.event_delegations(event, g.lang), COUNTRY_KINDS=COUNTRY_KINDS,
                           credentials=services.credentials_states(event), CREDENTIALS_LABELS=CREDENTIALS_LABELS,
                           **LABELS), status


@manage_bp.route("/delegations/<id:delegation_id>/edit", methods=["GET", "POST"])
def delegation_edit(slug: str, delegation_id: int):
    """Change a delegation (kind, country or name, quota) and see its focal points."""
    event = _organised(slug)
    d = db.session.get(Delegation, delegation_id)
    if d is None or d.event_id != event.id:
        abort(404)
    form = DelegationForm(obj=None if request.method == "POST" else d)
    form.country.choices = [("", "—")] + services.countries(g.lang)
    invite = FocalPointForm(prefix="fp")
    if form.submit.data and form.validate_on_submit():
        ok, _done = perform(lambda: services.save_delegation(event, form.data, current_user, d), form=form)
        if ok:
            flash(_("The delegation is saved."), "success")
            return redirect(url_for("delegates_manage.delegation_edit", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/manage_delegation.html", event=event, delegation=d, form=form, invite=invite,
                           **LABELS), status


@manage_bp.post("/delegations/<id:delegation_id>/focal-points")
def focal_point_invite(slug: str, delegation_id: int):
    """Make someone a focal point of the delegation; the invitation goes to the outbox."""
    event = _organised(slug)
    d = db.session.get(Delegation, delegation_id)
    if d is None or d.event_id != event.id:
        abort(404)
    invite = FocalPointForm(prefix="fp")
    if send_invitation(invite, lambda email, name: services.invite_focal_point(d, email, name, current_user, g.lang),
                       lambda fp: _("%(email)s is invited as focal point; the message is in the outbox.",
                                    email=fp.user.email)):
        return redirect(url_for("delegates_manage.delegation_edit", slug=slug, delegation_id=d.id))
    form = DelegationForm(obj=d)
    form.country.choices = [("", "—")] + services.countries(g.lang)
    return render_template("delegates/manage_delegation.html", event=event, delegation=d, form=form, invite=invite,
                           **LABELS), 422

