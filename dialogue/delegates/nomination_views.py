"""The focal point's pages: their delegations, a delegation's delegates, nominating, changing and
withdrawing a delegate, and the bulk import."""
from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user

from ..actions import perform
from ..extensions import login_manager
from ..permissions import can_organise
from ..sessions import services as agenda
from ..validation import page_arg
from . import photos, queries, services
from .forms import DelegateForm, ImportForm
from .views import LABELS, _delegate, _delegation, _pager, _search, _session_choices, bp, my_bp

# --- focal points: my delegations -----------------------------------------------------------------

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
        ok, delegate = _save_delegate(form, lambda: services.nominate(d, _delegate_form_data(form), current_user,
                                                                       form.language.data))
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

