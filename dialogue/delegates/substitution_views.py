"""Pages of changes after accreditation: the focal point's request (substitution or withdrawal) and
the organisers' decision from the accreditation queue."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..actions import perform
from ..extensions import db
from ..forms import NFCForm
from . import substitutions
from .forms import DelegateForm
from .personal_models import ChangeRequest
from .services.names import plain_name
from .services.validation import FIELDS
from .views import LABELS, _delegate, _delegation, _organised, _session_choices

fp_bp = Blueprint("changes_fp", __name__, url_prefix="/<lang>/events/<slug>/delegations")
org_bp = Blueprint("changes_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")


def register(app: Flask) -> None:
    """Plug in the blueprints and the queue's list of requests."""
    app.register_blueprint(fp_bp)
    app.register_blueprint(org_bp)
    app.jinja_env.globals.update(pending_changes=substitutions.pending_changes)


class SubstituteForm(DelegateForm):
    reason = TextAreaField(_l("Reason for the request"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Ask for the substitution"))


class WithdrawRequestForm(NFCForm):
    reason = TextAreaField(_l("Reason for the request"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Ask for the withdrawal"))


class DecisionForm(NFCForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


@fp_bp.route("/<id:delegation_id>/delegates/<id:delegate_id>/change", methods=["GET", "POST"])
def change(slug: str, delegation_id: int, delegate_id: int):
    """Ask the organisers to replace an accredited delegate by someone else, or to withdraw them."""
    d = _delegation(slug, delegation_id)
    delegate = _delegate(d, delegate_id)
    kind = request.args.get("kind") if request.method == "POST" else None
    substitute = SubstituteForm(prefix="new") if kind == "substitute" else SubstituteForm(prefix="new", formdata=None)
    substitute.sessions.choices = _session_choices(d.event)
    withdraw = WithdrawRequestForm(prefix="out") if kind == "withdraw" else WithdrawRequestForm(prefix="out", formdata=None)
    form = substitute if kind == "substitute" else withdraw
    if kind in substitutions.KINDS and form.validate_on_submit():
        data = {name: getattr(substitute, name).data for name in FIELDS}
        ok, _done = perform(lambda: substitutions.request_change(
            delegate, kind, form.reason.data, data if kind == "substitute" else None, current_user), form=form, denied=404)
        if ok:
            flash(_("Your request is sent to the organisers."), "success")
            return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    pending = substitutions.pending_for([delegate.id]).get(delegate.id)
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/change_request.html", event=d.event, delegation=d, delegate=delegate,
                           substitute=substitute, withdraw=withdraw, pending=pending, **LABELS), status


@org_bp.post("/changes/<id:change_id>/<any(accept, refuse):decision>")
def decide(slug: str, change_id: int, decision: str):
    """The organisers accept or refuse a substitution or withdrawal."""
    event = _organised(slug)
    change = db.session.get(ChangeRequest, change_id)
    if change is None or change.event_id != event.id:
        abort(404)
    form = DecisionForm()
    form.validate_on_submit()  # only the CSRF token and the reason's length
    reason = form.reason.data if not form.reason.errors else ""
    ok, replacement = perform(lambda: substitutions.decide(change, decision == "accept", reason or "", current_user))
    if ok and replacement is not None:
        flash(_("The request is accepted: %(new)s is accredited in place of %(name)s, whose badge is no longer valid.",
                new=plain_name(replacement), name=plain_name(change.delegate)), "success")
    elif ok:
        flash(_("The request is accepted.") if decision == "accept" else _("The request is refused."), "success")
    return redirect(url_for("delegates_manage.accreditation", slug=slug))
