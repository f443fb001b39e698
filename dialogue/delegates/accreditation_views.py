"""The organisers' accreditation queue: nominations by status and delegation, accredited or rejected one
by one or in bulk."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, pgettext
from flask_login import current_user

from ..actions import perform, perform_posted
from ..extensions import db
from ..sessions.models import Event
from ..validation import id_arg
from . import queries, services
from .forms import RejectForm
from .labels import STATUS_LABELS
from .models import Delegate
from .views import LABELS, _organised, _pager, _search, manage_bp

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

    def rejected() -> str:
        who = services.plain_name(delegate)
        return services.about(who, _("The nomination of %(name)s is rejected.", name=who),
                              pgettext("elided", "The nomination of %(name)s is rejected.", name=who))
    perform_posted(form, lambda: services.reject(delegate, form.reason.data, current_user), rejected,
                   invalid=services.DelegationError(_("Give the reason for the rejection."), "reason"))
    return redirect(url_for("delegates_manage.accreditation", slug=slug, **_queue_place()))

