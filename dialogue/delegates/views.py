"""Pages of delegations: the focal point's delegation, and the organisers' registration desk."""
from __future__ import annotations

import csv
import io
import unicodedata

from flask import Blueprint, Flask, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user

from ..actions import perform
from ..auth import require_role
from ..extensions import db, login_manager
from ..sessions import services as agenda
from ..sessions.forms import GENDER_LABELS
from ..sessions.models import Event
from ..validation import id_arg, page_arg
from . import services
from .forms import (
    ATTENDANCE_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    KIND_PLURALS,
    ROLE_LABELS,
    SALUTATION_LABELS,
    STATUS_LABELS,
    DelegateForm,
    DelegationForm,
    FocalPointForm,
    ImportForm,
    RejectForm,
    TokenForm,
    gendered_label,
    role_label,
    salutation_label,
)
from .models import COUNTRY_KINDS, Delegate, Delegation

bp = Blueprint("delegates", __name__, url_prefix="/<lang>/events/<slug>/delegations")
manage_bp = Blueprint("delegates_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")


def text_dir(*texts) -> str:
    """"rtl" when the first letter with a direction is Arabic or Hebrew, else "ltr": for the `dir` of a
    name. Browsers know dir="auto", but the PDF engine does not, so we decide here for both."""
    for text in texts:
        for ch in text or "":
            kind = unicodedata.bidirectional(ch)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return "ltr"


LABELS = {"KIND_LABELS": KIND_LABELS, "KIND_PLURALS": KIND_PLURALS, "ROLE_LABELS": ROLE_LABELS, "STATUS_LABELS": STATUS_LABELS,
              "ATTENDANCE_LABELS": ATTENDANCE_LABELS, "SALUTATION_LABELS": SALUTATION_LABELS, "GENDER_LABELS": GENDER_LABELS,
              "FIELD_LABELS": FIELD_LABELS, "role_label": role_label, "salutation_label": salutation_label,
              "text_dir": text_dir}


def register(app: Flask) -> None:
    """Plug the domain into the app: blueprints, menu entries, API and its OpenAPI paths."""
    from ..formatting import DASHBOARD_LINKS, MANAGE_LINKS
    from . import api

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(my_bp)
    api.register(app)
    app.jinja_env.globals.update(delegation_name=services.delegation_name)
    if _manage_links not in MANAGE_LINKS:
        MANAGE_LINKS.append(_manage_links)
    if _dashboard_links not in DASHBOARD_LINKS:
        DASHBOARD_LINKS.append(_dashboard_links)


def _dashboard_links(user) -> list[dict]:
    """On "My work": the delegations this user registers."""
    lang = g.lang or "en"
    return [{"url": url_for("delegates.delegation", slug=d.event.slug, delegation_id=d.id),
             "label": _("Register the delegation of %(name)s", name=services.delegation_name(d, lang))}
            for d in services.my_delegations(user)]


def _manage_links(event) -> list[dict]:
    return [{"url": url_for("delegates_manage.delegations", slug=event.slug), "label": _("Delegations")},
            {"url": url_for("delegates_manage.accreditation", slug=event.slug), "label": _("Accreditation")},
            {"url": url_for("delegates_manage.participants", slug=event.slug), "label": _("Participants")},
            {"url": url_for("delegates_manage.statistics", slug=event.slug), "label": _("Statistics")},
            {"url": url_for("delegates_manage.attendance", slug=event.slug), "label": _("Session attendance")}]


# --- loading ------------------------------------------------------------------------------------

def _event(slug: str) -> Event:
    return agenda.event_by_slug(slug) or abort(404)


def _delegation(slug: str, delegation_id: int) -> Delegation:
    """The delegation if the user is one of its focal points or an organiser; 404 otherwise,
    so that another delegation's focal point learns nothing, not even that it exists."""
    event = _event(slug)
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.event_id != event.id or not services.can_manage(current_user, delegation):
        abort(404)
    return delegation


def _delegate(delegation: Delegation, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.delegation_id != delegation.id:
        abort(404)
    return delegate


def _organised(slug: str) -> Event:
    event = _event(slug)
    require_role(event, "organiser")
    return event


# --- focal points: my delegations -----------------------------------------------------------------

my_bp = Blueprint("my_delegations", __name__, url_prefix="/<lang>/delegations")


@my_bp.get("/")
def mine():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return render_template("delegates/mine.html", delegations=services.my_delegations(current_user), **LABELS)


@bp.get("/<id:delegation_id>/")
def delegation(slug: str, delegation_id: int):
    d = _delegation(slug, delegation_id)
    delegates = services.delegation_delegates(d, g.lang)
    held = sum(1 for x in delegates if x.is_active)
    return render_template("delegates/delegation.html", event=d.event, delegation=d, delegates=delegates, held=held,
                           organiser=services.has_role(current_user, d.event, "organiser"), **LABELS)


def _session_choices(event: Event) -> list[tuple[str, str]]:
    from ..formatting import tr_text
    return [(s.code, f"{s.code} · {tr_text(s.title, s.original_language)}") for s in agenda.agenda(event)]


def _delegate_form_data(form: DelegateForm) -> dict:
    return {name: getattr(form, name).data for name in services.FIELDS}


@bp.route("/<id:delegation_id>/delegates/new", methods=["GET", "POST"])
def delegate_new(slug: str, delegation_id: int):
    d = _delegation(slug, delegation_id)
    form = DelegateForm()
    form.sessions.choices = _session_choices(d.event)
    if form.validate_on_submit():
        ok, delegate = perform(lambda: services.nominate(d, _delegate_form_data(form), current_user),
                               form=form, denied=404)
        if ok:
            who = f"{delegate.given_name} {delegate.family_name}"
            flash(services.agree(delegate.gender, _("%(name)s is nominated.", name=who),
                                 pgettext("female", "%(name)s is nominated.", name=who),
                                 pgettext("male", "%(name)s is nominated.", name=who)), "success")
            return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    full = services.places(d) >= d.quota
    return render_template("delegates/delegate_form.html", form=form, event=d.event, delegation=d, delegate=None,
                           full=full and not (getattr(form, "extra_errors", None) or {}).get(""), **LABELS), status


@bp.route("/<id:delegation_id>/delegates/<id:delegate_id>/edit", methods=["GET", "POST"])
def delegate_edit(slug: str, delegation_id: int, delegate_id: int):
    d = _delegation(slug, delegation_id)
    delegate = _delegate(d, delegate_id)
    if not delegate.editable and request.method == "GET":
        # Say so before the form is filled in, not after (a form sent meanwhile gets the error with its input).
        flash(_("This nomination is already decided and can no longer be changed."), "error")
        return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    if request.method == "POST":
        form = DelegateForm()
    else:
        form = DelegateForm(obj=delegate)
        form.sessions.data = [r.session.code for r in delegate.registrations]
    form.sessions.choices = _session_choices(d.event)
    if form.validate_on_submit():
        ok, _done = perform(lambda: services.update_delegate(delegate, _delegate_form_data(form), current_user),
                            form=form, denied=404)
        if ok:
            flash(_("The nomination is saved."), "success")
            return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/delegate_form.html", form=form, event=d.event, delegation=d, delegate=delegate,
                           **LABELS), status


@bp.post("/<id:delegation_id>/delegates/<id:delegate_id>/withdraw")
def delegate_withdraw(slug: str, delegation_id: int, delegate_id: int):
    d = _delegation(slug, delegation_id)
    delegate = _delegate(d, delegate_id)
    ok, _done = perform(lambda: services.withdraw(delegate, current_user))
    if ok:
        who = f"{delegate.given_name} {delegate.family_name}"
        flash(services.about(who, _("The nomination of %(name)s is withdrawn.", name=who),
                             pgettext("elided", "The nomination of %(name)s is withdrawn.", name=who)), "success")
    return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))


# --- bulk import ----------------------------------------------------------------------------------

@bp.route("/<id:delegation_id>/import", methods=["GET", "POST"])
def import_file(slug: str, delegation_id: int):
    from . import spreadsheets
    d = _delegation(slug, delegation_id)
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = spreadsheets.read_rows(upload.filename or "", upload.read())
            made = services.import_delegates(d, rows, current_user)
        except services.ImportFailed as failure:
            db.session.rollback()
            errors = failure.errors
            form.extra_errors = {"file": failure.message}
        except services.DelegationError as error:
            db.session.rollback()
            form.extra_errors = {error.field or "": error.message}
        else:
            db.session.commit()
            flash(ngettext("%(num)d delegate is nominated from the file.", "%(num)d delegates are nominated from the file.",
                           len(made)), "success")
            return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/import.html", form=form, event=d.event, delegation=d, errors=errors,
                           columns=services.FIELDS, **LABELS), status


@bp.get("/<id:delegation_id>/template.<any(csv, xlsx):fmt>")
def import_template(slug: str, delegation_id: int, fmt: str):
    from . import spreadsheets
    d = _delegation(slug, delegation_id)
    body, mimetype = spreadsheets.template(fmt, g.lang, [s.code for s in agenda.agenda(d.event)][:2])
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="delegates-{g.lang}.{fmt}"'})


# --- API tokens -----------------------------------------------------------------------------------

@bp.route("/<id:delegation_id>/tokens", methods=["GET", "POST"])
def tokens(slug: str, delegation_id: int):
    from . import api
    d = _delegation(slug, delegation_id)
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = api.create_token(current_user, form.label.data)
        db.session.commit()
    return render_template("delegates/tokens.html", form=form, event=d.event, delegation=d, secret=secret,
                           tokens=api.user_tokens(current_user), **LABELS)


@bp.post("/<id:delegation_id>/tokens/<id:token_id>/revoke")
def token_revoke(slug: str, delegation_id: int, token_id: int):
    from . import api
    d = _delegation(slug, delegation_id)
    if not api.revoke_token(current_user, token_id):
        abort(404)
    db.session.commit()
    flash(_("The token is revoked."), "success")
    return redirect(url_for("delegates.tokens", slug=slug, delegation_id=d.id))


# --- organisers: delegations and focal points -----------------------------------------------------

@manage_bp.route("/delegations/", methods=["GET", "POST"])
def delegations(slug: str):
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
                           rows=services.event_delegations(event, g.lang), COUNTRY_KINDS=COUNTRY_KINDS, **LABELS), status


@manage_bp.route("/delegations/<id:delegation_id>/edit", methods=["GET", "POST"])
def delegation_edit(slug: str, delegation_id: int):
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
    event = _organised(slug)
    d = db.session.get(Delegation, delegation_id)
    if d is None or d.event_id != event.id:
        abort(404)
    invite = FocalPointForm(prefix="fp")
    if invite.validate_on_submit():
        ok, _done = perform(lambda: services.invite_focal_point(d, invite.email.data, invite.name.data or "",
                                                                current_user, g.lang), form=invite)
        if ok:
            flash(_("%(email)s is invited as focal point; the message is in the outbox.", email=invite.email.data), "success")
            return redirect(url_for("delegates_manage.delegation_edit", slug=slug, delegation_id=d.id))
    form = DelegationForm(obj=d)
    form.country.choices = [("", "—")] + services.countries(g.lang)
    return render_template("delegates/manage_delegation.html", event=event, delegation=d, form=form, invite=invite,
                           **LABELS), 422


# --- organisers: accreditation --------------------------------------------------------------------

@manage_bp.get("/accreditation")
def accreditation(slug: str):
    event = _organised(slug)
    status = request.args.get("status", "nominated")
    if status not in STATUS_LABELS:
        status = "nominated"
    delegation_id = request.args.get("delegation", type=id_arg)
    rows = services.event_delegations(event, g.lang)
    if delegation_id not in {d.id for d, _name, _counts in rows}:
        delegation_id = None
    page = db.paginate(services.queue_query(event, status, delegation_id), page=page_arg(), per_page=100, error_out=False)
    return render_template("delegates/accreditation.html", event=event, page=page, delegates=page.items,
                           status=status, delegation_id=delegation_id, delegations=rows, **LABELS)


@manage_bp.post("/accreditation/accredit")
def accredit_selected(slug: str):
    """Accredit the nominations ticked on the queue, in one go."""
    event = _organised(slug)
    ids = [i for i in request.form.getlist("delegate", type=id_arg) if i is not None]
    back = url_for("delegates_manage.accreditation", slug=slug, delegation=request.form.get("delegation", type=id_arg))
    ok, done = perform(lambda: services.accredit_many(event, ids, current_user))
    if not ok:
        return redirect(back)
    flash(ngettext("%(num)d delegate is accredited.", "%(num)d delegates are accredited.", len(done)), "success")
    if len(done) < len(set(ids)):
        flash(_("Nominations already decided meanwhile were left as they were."), "info")
    return redirect(back)


def _event_delegate(event: Event, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.event_id != event.id:
        abort(404)
    return delegate


@manage_bp.post("/delegates/<id:delegate_id>/accredit")
def accredit(slug: str, delegate_id: int):
    event = _organised(slug)
    delegate = _event_delegate(event, delegate_id)
    ok, _done = perform(lambda: services.accredit(delegate, current_user))
    if ok:
        who = f"{delegate.given_name} {delegate.family_name}"
        flash(services.agree(delegate.gender, _("%(name)s is accredited.", name=who),
                             pgettext("female", "%(name)s is accredited.", name=who),
                             pgettext("male", "%(name)s is accredited.", name=who)), "success")
    return redirect(url_for("delegates_manage.accreditation", slug=slug))


@manage_bp.post("/delegates/<id:delegate_id>/reject")
def reject(slug: str, delegate_id: int):
    event = _organised(slug)
    delegate = _event_delegate(event, delegate_id)
    form = RejectForm()

    def reject_with_reason():
        if not form.validate_on_submit():
            raise services.DelegationError(_("Give the reason for the rejection."), "reason")
        services.reject(delegate, form.reason.data, current_user)
    ok, _done = perform(reject_with_reason)
    if ok:
        who = f"{delegate.given_name} {delegate.family_name}"
        flash(services.about(who, _("The nomination of %(name)s is rejected.", name=who),
                             pgettext("elided", "The nomination of %(name)s is rejected.", name=who)), "success")
    return redirect(url_for("delegates_manage.accreditation", slug=slug))


# --- organisers: what comes out -------------------------------------------------------------------

@manage_bp.get("/participants")
def participants(slug: str):
    event = _organised(slug)
    return render_template("delegates/participants.html", event=event,
                           groups=services.participants(event, g.lang), **LABELS)


def display_name(d) -> str:
    """"H.E. Ms. María José PÉREZ ÑÚÑEZ": the UN way, family name in capitals."""
    salutation = salutation_label(d)
    return " ".join(part for part in (salutation, d.given_name, d.family_name.upper()) if part)


@manage_bp.get("/participants.csv")
def participants_csv(slug: str):
    from .spreadsheets import csv_delimiter
    event = _organised(slug)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=csv_delimiter(g.lang))
    writer.writerow([_("Kind"), _("Delegation"), _("Role in the delegation"), _("Salutation"), _("Given name"),
                     _("Family name"), _("Function"), _("Email"), _("Attendance")])
    # Labels translated once, not once a row.
    labels: dict[tuple, str] = {}

    def label(field, code, gender):
        key = (field, code, gender)
        if key not in labels:
            labels[key] = gendered_label(field, code, gender)
        return labels[key]
    attendance = {k: str(v) for k, v in ATTENDANCE_LABELS.items()}
    for group in services.participants(event, g.lang):
        kind = str(KIND_LABELS[group.kind])
        writer.writerows([kind, name, label("role", p.role, p.gender),
                          label("salutation", p.salutation, p.gender), p.given_name,
                          p.family_name, p.function, p.email, attendance.get(p.attendance, p.attendance)]
                         for _d, name, people in group.delegations for p in people)
    # A BOM so that spreadsheet programs read the names' accents and scripts right.
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-participants-{g.lang}.csv"'})


@manage_bp.get("/participants.pdf")
def participants_pdf(slug: str):
    from ..pdf import render_pdf
    event = _organised(slug)
    pdf = render_pdf("pdf/participants.html", g.lang, event=event, groups=services.participants(event, g.lang),
                     display_name=display_name, **LABELS)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{event.slug}-participants-{g.lang}.pdf"'})


@manage_bp.get("/badges.pdf")
def badges_pdf(slug: str):
    import segno

    from ..pdf import render_pdf
    event = _organised(slug)
    badges = []
    base = services._external("")
    for group in services.participants(event, g.lang):
        for _d, name, people in group.delegations:
            for p in people:
                url = base + url_for("delegates_manage.verify_badge", slug=slug, code=p.badge_code)
                badges.append((p, name, segno.make(url, error="m").svg_data_uri(scale=3, border=1)))
    pdf = render_pdf("pdf/badges.html", g.lang, event=event, badges=badges, display_name=display_name, **LABELS)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{event.slug}-badges-{g.lang}.pdf"'})


@manage_bp.get("/badges/<code>")
def verify_badge(slug: str, code: str):
    event = _organised(slug)
    delegate = services.delegate_by_badge(event, code)
    valid = delegate is not None and delegate.status == "accredited"
    return render_template("delegates/verify.html", event=event, delegate=delegate, valid=valid,
                           display_name=display_name, **LABELS), 200 if valid else 404


@manage_bp.get("/statistics")
def statistics(slug: str):
    event = _organised(slug)
    return render_template("delegates/statistics.html", event=event, stats=services.statistics(event, g.lang), **LABELS)


@manage_bp.get("/attendance")
def attendance(slug: str):
    event = _organised(slug)
    return render_template("delegates/attendance.html", event=event, rows=services.session_attendance(event, g.lang), **LABELS)


@manage_bp.get("/delegations/<id:delegation_id>/")
def delegation_redirect(slug: str, delegation_id: int):
    """Organisers reach a delegation's own page from the desk."""
    _organised(slug)
    return redirect(url_for("delegates.delegation", slug=slug, delegation_id=delegation_id))

