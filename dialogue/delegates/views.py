"""Pages of delegations: the focal point's delegation, and the organisers' registration desk."""
from __future__ import annotations

import unicodedata

from flask import Blueprint, Flask, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext, pgettext
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform
from ..extensions import db, login_manager
from ..permissions import can_edit_delegation, can_organise, ensure
from ..sessions import services as agenda
from ..sessions.labels import GENDER_LABELS
from ..sessions.models import Event
from ..validation import id_arg, page_arg
from . import photos, queries, services
from .forms import DelegateForm, DelegationForm, FocalPointForm, ImportForm, RejectForm
from .labels import (
    ATTENDANCE_LABELS,
    CREDENTIALS_LABELS,
    DELEGATE_ROLE_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    KIND_PLURALS,
    SALUTATION_LABELS,
    STATUS_LABELS,
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


LABELS = {"KIND_LABELS": KIND_LABELS, "KIND_PLURALS": KIND_PLURALS, "ROLE_LABELS": DELEGATE_ROLE_LABELS, "STATUS_LABELS": STATUS_LABELS,
              "ATTENDANCE_LABELS": ATTENDANCE_LABELS, "SALUTATION_LABELS": SALUTATION_LABELS, "GENDER_LABELS": GENDER_LABELS,
              "FIELD_LABELS": FIELD_LABELS, "role_label": role_label, "salutation_label": salutation_label,
              "text_dir": text_dir}


def register(app: Flask) -> None:
    """Plug the domain into the app: blueprints, menu entries, API and its OpenAPI paths."""
    from ..registry import registry
    from . import (  # noqa: F401  (they add their routes to bp and manage_bp)
        api,
        credentials_views,
        files,
        outputs_views,
        public_views,
        reuse_views,
        tokens_views,
        window_views,
    )
    from .cli import reminders

    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(my_bp)
    api.register(app)
    app.cli.add_command(reminders)
    public_views.register(app)
    reuse_views.register(app)
    app.jinja_env.globals.update(delegation_name=services.delegation_name)
    app.jinja_env.filters["person_name"] = services.person_name
    app.jinja_env.filters["person_html"] = services.person_html
    app.jinja_env.filters["plain_name"] = services.plain_name
    registry(app).manage_links.append(_manage_links)
    registry(app).dashboard_links.append(_dashboard_links)
    from . import details_views
    details_views.register(app)
    from . import substitution_views
    substitution_views.register(app)


def _dashboard_links(user) -> list[dict]:
    """On "My work": the delegations this user registers."""
    lang = g.lang or "en"
    return [{"url": url_for("delegates.delegation", slug=d.event.slug, delegation_id=d.id),
             "label": _("Register the delegation of %(name)s", name=services.delegation_name(d, lang))}
            for d in services.my_delegations(user)]


def _manage_links(event) -> list[dict]:
    return [{"url": url_for("delegates_manage.delegations", slug=event.slug), "label": _("Delegations")},
            {"url": url_for("delegates_manage.nomination_window", slug=event.slug), "label": _("Nomination window")},
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
    if delegation is None or delegation.event_id != event.id:
        abort(404)
    ensure(can_edit_delegation, current_user, delegation, status=404)
    return delegation


def _delegate(delegation: Delegation, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.delegation_id != delegation.id:
        abort(404)
    return delegate


def _organised(slug: str) -> Event:
    """The event, for its organisers (sign-in page for visitors, 403 for other users)."""
    event = _event(slug)
    ensure(can_organise, current_user, event)
    return event


def _search() -> str:
    """The name searched for, as typed (bounded: it only ever matches names)."""
    return (request.args.get("q") or "").strip()[:200]


def _pager(page: queries.Page, **keep) -> dict:
    """What the pagination macro shows: counts in the user's number format, and links to the
    neighbouring and nearby pages that keep the search and filters (`keep`, empty ones dropped)."""
    args = {k: v for k, v in keep.items() if v not in (None, "")}

    def link(**more) -> str:
        return url_for(request.endpoint, **request.view_args, **args, **more)
    numbers = []
    if page.pages and page.pages > 1:
        wanted = sorted({1, page.pages, *range(max(1, page.number - 2), min(page.pages, page.number + 2) + 1)})
        for i, n in enumerate(wanted):
            if i and n - wanted[i - 1] > 1:
                numbers.append((None, None))
            numbers.append((n, link(page=n) if n != page.number else None))
    return {"first": format_decimal(page.first), "last": format_decimal(page.last), "total": format_decimal(page.total),
            "empty": not page.total, "size": page.total, "current": page.number, "numbers": numbers,
            "prev": link(**page.prev_args) if page.prev_args else None,
            "next": link(**page.next_args) if page.next_args else None}


# --- focal points: my delegations -----------------------------------------------------------------

my_bp = Blueprint("my_delegations", __name__, url_prefix="/<lang>/delegations")


@my_bp.get("/")
def mine():
    """The delegations the signed-in user registers as focal point."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return render_template("delegates/mine.html", delegations=services.my_delegations(current_user), **LABELS)


@bp.get("/<id:delegation_id>/")
def delegation(slug: str, delegation_id: int):
    """A delegation's delegates, a hundred at a time, searchable by name."""
    d = _delegation(slug, delegation_id)
    q = _search()
    page, held = queries.delegation_page(d, g.lang, q, page_arg())
    from .files import download_choices
    return render_template("delegates/delegation.html", event=d.event, delegation=d, delegates=page.items, held=held,
                           downloads=download_choices(),
                           q=q, pager=_pager(page, q=q), deadline=services.time_left(d),
                           organiser=can_organise(current_user, d.event), **LABELS)


def _session_choices(event: Event) -> list[tuple[str, str]]:
    from ..formatting import tr_text
    return [(s.code, f"{s.code} · {tr_text(s.title, s.original_language)}") for s in agenda.agenda(event)]


def _delegate_form_data(form: DelegateForm) -> dict:
    return {name: getattr(form, name).data for name in services.FIELDS}


def _save_delegate(form: DelegateForm, save):
    """Save a nomination, then its photo if one was sent (a refused photo undoes both)."""
    photo = photos.upload_bytes(form.photo.data)

    def action():
        delegate = save()
        if photo is not None:
            photos.attach(delegate, photo, current_user)
        elif form.remove_photo.data:
            photos.remove(delegate, current_user)
        return delegate
    return perform(action, form=form, denied=404)


@bp.route("/<id:delegation_id>/delegates/new", methods=["GET", "POST"])
def delegate_new(slug: str, delegation_id: int):
    """Nominate a delegate with the form."""
    d = _delegation(slug, delegation_id)
    form = DelegateForm()
    form.sessions.choices = _session_choices(d.event)
    if form.validate_on_submit():
        ok, delegate = _save_delegate(form, lambda: services.nominate(d, _delegate_form_data(form), current_user))
        if ok:
            who = services.plain_name(delegate)
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
    """Change a nomination until an organiser has decided on it."""
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
        ok, _done = _save_delegate(form, lambda: services.update_delegate(delegate, _delegate_form_data(form),
                                                                          current_user))
        if ok:
            flash(_("The nomination is saved."), "success")
            return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/delegate_form.html", form=form, event=d.event, delegation=d, delegate=delegate,
                           **LABELS), status


@bp.post("/<id:delegation_id>/delegates/<id:delegate_id>/withdraw")
def delegate_withdraw(slug: str, delegation_id: int, delegate_id: int):
    """Withdraw a pending nomination."""
    d = _delegation(slug, delegation_id)
    delegate = _delegate(d, delegate_id)
    ok, _done = perform(lambda: services.withdraw(delegate, current_user))
    if ok:
        who = services.plain_name(delegate)
        flash(services.about(who, _("The nomination of %(name)s is withdrawn.", name=who),
                             pgettext("elided", "The nomination of %(name)s is withdrawn.", name=who)), "success")
    return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))


# --- bulk import ----------------------------------------------------------------------------------

@bp.route("/<id:delegation_id>/import", methods=["GET", "POST"])
def import_file(slug: str, delegation_id: int):
    """Nominate every delegate of a CSV or Excel file, or none when a row is wrong."""
    from . import spreadsheets
    d = _delegation(slug, delegation_id)
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        ok, made = perform(lambda: services.import_delegates(
            d, spreadsheets.read_rows(upload.filename or "", upload.read()), current_user), form=form, denied=404)
        errors = getattr(made, "errors", []) if not ok else []  # an ImportFailed names each row's errors
        if ok:
            flash(ngettext("%(num)d delegate is nominated from the file.", "%(num)d delegates are nominated from the file.",
                           len(made)), "success")
            return redirect(url_for("delegates.delegation", slug=slug, delegation_id=d.id))
    status = 422 if request.method == "POST" else 200
    return render_template("delegates/import.html", form=form, event=d.event, delegation=d, errors=errors,
                           columns=services.FIELDS, **LABELS), status


@bp.get("/<id:delegation_id>/template.<any(csv, xlsx):fmt>")
def import_template(slug: str, delegation_id: int, fmt: str):
    """The import template, with its example row, in the page's language."""
    from . import spreadsheets
    d = _delegation(slug, delegation_id)
    body, mimetype = spreadsheets.template(fmt, g.lang, [s.code for s in agenda.agenda(d.event)][:2])
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="delegates-{g.lang}.{fmt}"'})


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
    """The queue of nominations in one status, oldest first, of one delegation (typed by name) or all."""
    event = _organised(slug)
    status = request.args.get("status", "nominated")
    if status not in STATUS_LABELS:
        status = "nominated"
    q, typed = _search(), (request.args.get("delegation_name") or "").strip()[:200]
    delegation_id, matches = request.args.get("delegation", type=id_arg), None
    if delegation_id is None and typed:
        matches = queries.find_delegations(event, g.lang, typed, status)
        delegation_id = matches.chosen.id if matches.chosen else None
    page = queries.queue_page(event, status, delegation_id, q, after=request.args.get("after", type=id_arg),
                              before=request.args.get("before", type=id_arg))
    names = queries.delegation_names(event, g.lang, [delegation_id, *(x for d in page.items
                                                                      for x in (d.delegation_id, d.also_in_delegation_id))])
    if delegation_id not in names and delegation_id is not None:  # another event's: the whole queue
        return redirect(url_for("delegates_manage.accreditation", slug=slug, status=status, q=q or None))
    return render_template("delegates/accreditation.html", event=event, delegates=page.items, q=q,
                           pager=_pager(page, status=status, delegation=delegation_id, q=q),
                           place=_queue_place(), status=status, delegation_id=delegation_id, names=names,
                           typed=names[delegation_id] if delegation_id else typed, matches=matches, **LABELS)


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


def _queue_place() -> dict:
    """Where the organiser was in the queue (delegation, search, page), to go back there."""
    return {k: request.args[k] for k in ("delegation", "delegation_name", "q", "after") if request.args.get(k)}


def _event_delegate(event: Event, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.event_id != event.id:
        abort(404)
    return delegate


@manage_bp.post("/delegates/<id:delegate_id>/accredit")
def accredit(slug: str, delegate_id: int):
    """Accredit one nomination from the queue."""
    event = _organised(slug)
    delegate = _event_delegate(event, delegate_id)
    ok, _done = perform(lambda: services.accredit(delegate, current_user))
    if ok:
        who = services.plain_name(delegate)
        flash(services.agree(delegate.gender, _("%(name)s is accredited.", name=who),
                             pgettext("female", "%(name)s is accredited.", name=who),
                             pgettext("male", "%(name)s is accredited.", name=who)), "success")
    return redirect(url_for("delegates_manage.accreditation", slug=slug, **_queue_place()))


@manage_bp.post("/delegates/<id:delegate_id>/reject")
def reject(slug: str, delegate_id: int):
    """Reject one nomination with a reason the focal points read."""
    event = _organised(slug)
    delegate = _event_delegate(event, delegate_id)
    form = RejectForm()

    def reject_with_reason():
        if not form.validate_on_submit():
            raise services.DelegationError(_("Give the reason for the rejection."), "reason")
        services.reject(delegate, form.reason.data, current_user)
    ok, _done = perform(reject_with_reason)
    if ok:
        who = services.plain_name(delegate)
        flash(services.about(who, _("The nomination of %(name)s is rejected.", name=who),
                             pgettext("elided", "The nomination of %(name)s is rejected.", name=who)), "success")
    return redirect(url_for("delegates_manage.accreditation", slug=slug, **_queue_place()))


def display_name(d) -> str:
    """"H.E. Ms. María José PÉREZ ÑÚÑEZ", "Mr. LI Ming": the UN way, in the person's own order,
    family name in capitals."""
    return services.person_name(d, salutation_label(d))
