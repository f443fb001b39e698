"""Pages of delegates' own details: the delegate's page behind a signed link, the focal point's
completeness page, and the organisers' choice of fields, export and erasure day."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from ..actions import perform
from ..forms import IntegerField, NFCForm
from ..jobs import storage
from ..jobs.views import send_stored
from ..permissions import PermissionDenied
from ..sessions.forms import MultiCheckboxField
from . import details, details_jobs, services
from .personal_models import DETAIL_FIELDS
from .views import LABELS, _delegate, _delegation, _organised

#: The label of each personal field, in the three languages.
DETAIL_LABELS = {
    "document_number": _l("Passport or ID number"),
    "nationality": _l("Nationality"),
    "birth_date": _l("Date of birth"),
    "arrival_date": _l("Arrival date"),
    "departure_date": _l("Departure date"),
    "visa_letter": _l("Visa support letter"),
}
#: The delegate's own words for the yes-or-no field.
VISA_QUESTION = _l("I need a visa support letter")

public_bp = Blueprint("delegate_details", __name__, url_prefix="/<lang>/my-details")
fp_bp = Blueprint("details_fp", __name__, url_prefix="/<lang>/events/<slug>/delegations")
org_bp = Blueprint("details_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")


def register(app: Flask) -> None:
    """Plug in the blueprints and the organisers' menu entry (the daily erasure is in `jobs.engine.beat_schedule`)."""
    from ..registry import registry
    for bp in (public_bp, fp_bp, org_bp):
        app.register_blueprint(bp)
    registry(app).manage_links.append(
        lambda event: [{"url": url_for("details_manage.policy", slug=event.slug), "label": _("Personal details")}])
    app.jinja_env.filters["detail_label"] = lambda name: str(DETAIL_LABELS.get(name, name))


def details_form(asked: list[str], obj=None) -> NFCForm:
    """A form with the fields the event asks for (dates as date pickers, nationality from Babel in `lang`)."""
    class DetailsForm(NFCForm):
        pass
    required = [InputRequired(_l("This field is required."))]
    makers = {
        "document_number": lambda: StringField(DETAIL_LABELS["document_number"], validators=required + [
            Length(max=40), Regexp(r"^[A-Za-z0-9][A-Za-z0-9 \-]*$", message=_l("Use letters, digits, spaces and hyphens."))]),
        "nationality": lambda: SelectField(DETAIL_LABELS["nationality"], validators=required, choices=[]),
        "birth_date": lambda: DateField(DETAIL_LABELS["birth_date"], validators=required),
        "arrival_date": lambda: DateField(DETAIL_LABELS["arrival_date"], validators=required),
        "departure_date": lambda: DateField(DETAIL_LABELS["departure_date"], validators=required),
        "visa_letter": lambda: BooleanField(VISA_QUESTION),
    }
    for name in asked:
        setattr(DetailsForm, name, makers[name]())
    DetailsForm.submit = SubmitField(_l("Save my details"))
    made = DetailsForm() if request.method == "POST" else DetailsForm(obj=obj)
    if "nationality" in asked:
        made.nationality.choices = [("", "—")] + services.countries(g.lang)
    return made


# --- the delegate, through their link ---------------------------------------------------------------

@public_bp.route("/<token>", methods=["GET", "POST"])
def form(token: str):
    """The delegate's own details page: no account, a signed link, in the language of its address."""
    try:
        delegate = details.delegate_from_token(token[:500])
    except PermissionDenied as refused:  # no account here: say why, never send to the sign-in page
        return render_template("errors/error.html", code=403, message=refused.message), 403
    event = delegate.delegation.event
    asked = details.asked_fields(event)
    current = details.details_of(delegate)
    form = details_form(asked, current)
    if form.validate_on_submit():
        data = {name: getattr(form, name).data for name in asked}
        if "nationality" in data:
            data["nationality"] = data["nationality"] or None
        ok, _done = perform(lambda: details.save_details(delegate, data, g.lang), form=form)
        if ok:
            flash(_("Thank you: your details are saved."), "success")
            return redirect(url_for("delegate_details.form", token=token))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/details_form.html", form=form, delegate=delegate, event=event, asked=asked,
                           missing=details.missing(current, asked), erase_on=details.erase_on(event),
                           **LABELS), status


# --- the focal point ---------------------------------------------------------------------------------

@fp_bp.get("/<id:delegation_id>/details")
def completeness(slug: str, delegation_id: int):
    """Which delegates of the delegation have given the personal details the event asks for."""
    d = _delegation(slug, delegation_id)
    rows = details.delegation_completeness(d, current_user)
    return render_template("delegates/details_status.html", event=d.event, delegation=d, rows=rows,
                           asked=details.asked_fields(d.event), DETAIL_LABELS=DETAIL_LABELS,
                           export=ExportForm(formdata=None),
                           country_name=services.country_name, **LABELS)


@fp_bp.get("/<id:delegation_id>/personal-data.csv")
def delegation_export(slug: str, delegation_id: int):
    """The personal fields a focal point ticked, of their own delegation, as CSV made by a worker."""
    d = _delegation(slug, delegation_id)
    return _start_export(d.event, d, url_for("details_fp.completeness", slug=slug, delegation_id=d.id))


@fp_bp.post("/<id:delegation_id>/delegates/<id:delegate_id>/details-link")
def send_link(slug: str, delegation_id: int, delegate_id: int):
    """Mail a delegate the link to their details page."""
    d = _delegation(slug, delegation_id)
    delegate = _delegate(d, delegate_id)
    ok, _done = perform(lambda: details.send_link(delegate, current_user), denied=404)
    if ok:
        flash(_("The link is sent to %(email)s.", email=delegate.email), "success")
    return redirect(url_for("details_fp.completeness", slug=slug, delegation_id=d.id))


@fp_bp.post("/<id:delegation_id>/delegates/<id:delegate_id>/language")
def set_language(slug: str, delegation_id: int, delegate_id: int):
    """Change the language of mails to a delegate."""
    d = _delegation(slug, delegation_id)
    delegate = _delegate(d, delegate_id)
    ok, _done = perform(lambda: details.set_language(delegate, request.form.get("language", ""), current_user),
                        denied=404)
    if ok:
        flash(_("The language of mails to %(email)s is saved.", email=delegate.email), "success")
    return redirect(url_for("details_fp.completeness", slug=slug, delegation_id=d.id))


# --- the organisers -------------------------------------------------------------------------------------

class PolicyForm(NFCForm):
    fields = MultiCheckboxField(_l("Personal details asked of delegates"),
                                choices=lambda: [(f, DETAIL_LABELS[f]) for f in DETAIL_FIELDS])
    erase_after_days = IntegerField(_l("Erase them this many days after the event ends"),
                                    validators=[InputRequired(), NumberRange(min=0, max=3650)], default=30)
    submit = SubmitField(_l("Save"))


class ExportForm(NFCForm):
    class Meta:
        csrf = False  # a GET download: it changes nothing

    field = MultiCheckboxField(_l("Fields to export"), choices=lambda: [(f, DETAIL_LABELS[f]) for f in DETAIL_FIELDS],
                               validators=[Optional()])


@org_bp.route("/personal-data", methods=["GET", "POST"])
def policy(slug: str):
    """Which personal fields the event asks for, when they are erased, and the export of ticked fields."""
    event = _organised(slug)
    current = details.policy(event)
    form = PolicyForm() if request.method == "POST" else PolicyForm(data={
        "fields": current.fields or [], "erase_after_days": current.erase_after_days})
    if form.validate_on_submit():
        ok, _done = perform(lambda: details.save_policy(event, form.fields.data, form.erase_after_days.data,
                                                        current_user), form=form)
        if ok:
            flash(_("The personal details settings are saved."), "success")
            return redirect(url_for("details_manage.policy", slug=slug))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/details_policy.html", event=event, form=form, export=ExportForm(formdata=None),
                           erase_on=details.erase_on(event), **LABELS), status


@org_bp.get("/personal-data.csv")
def export(slug: str):
    """The personal fields an organiser ticked, as CSV made by a worker (audited): its progress page."""
    event = _organised(slug)
    return _start_export(event, None, url_for("details_manage.policy", slug=slug))


def _start_export(event, delegation, back: str):
    """Start the export of the ticked fields (`field` in the query) and follow its progress (the file when ready)."""
    fields = request.args.getlist("field")[:len(DETAIL_FIELDS) + 1]
    ok, job = perform(lambda: details_jobs.start_export(event, fields, g.lang, current_user, delegation), denied=404)
    if not ok:
        return redirect(back)
    if job.status == "done" and storage.exists(job.sha256):
        return send_stored(job, public=False)  # the same data exported before: that file
    return redirect(url_for("jobs.show", job_id=job.id), 303)
