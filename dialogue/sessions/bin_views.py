"""Organisers' pages for safe changes: confirm a deletion, the bin and its restore, a session's history."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SubmitField

from ..actions import perform
from ..auditlog import describe_all
from ..forms import NFCForm
from . import bin as session_bin
from . import history, services
from .labels import KIND_LABELS
from .models import Event

bp = Blueprint("session_bin", __name__, url_prefix="/<lang>/manage/events/<slug>")


class ConfirmForm(NFCForm):
    """Just the button, and the CSRF token that comes with every form."""

    submit = SubmitField(_l("Move to the bin"))


class RestoreForm(NFCForm):
    submit = SubmitField(_l("Restore"))


def _event(slug: str) -> Event:
    """The event, for its organisers; a former address redirects (as every organiser page does)."""
    from .views import _organised_event  # views imports this module: `confirm_delete`
    return _organised_event(slug)


def confirm_delete(ev: Event, code: str):
    """GET: the question, in a page that needs no script; POST: the session goes to the bin."""
    s = services.session_by_code(ev, code) or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        ok, _binned = perform(lambda: session_bin.bin_session(s, current_user))
        if ok:
            flash(_("Session %(code)s is in the bin: it is no longer on the agenda, and you can restore it "
                    "from the bin.", code=code), "success")
            return redirect(url_for("manage.agenda", slug=ev.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("manage/session_delete.html", event=ev, s=s, form=form,
                           KIND_LABELS=KIND_LABELS), status


@bp.get("/bin")
def bin_page(slug: str):
    """The sessions in the bin, with who binned them and when, each with a button to restore it."""
    ev = _event(slug)
    return render_template("manage/bin.html", event=ev, sessions=session_bin.binned(ev), form=RestoreForm())


@bp.post("/bin/<id:session_id>/restore")
def restore(slug: str, session_id: int):
    """Put a session from the bin back on the agenda."""
    ev = _event(slug)
    s = session_bin.binned_session(ev, session_id) or abort(404)
    form = RestoreForm()
    if not form.validate_on_submit():
        flash(_("The form has expired: try again."), "error")
        return redirect(url_for("session_bin.bin_page", slug=ev.slug))
    ok, _restored = perform(lambda: session_bin.restore_session(s, current_user))
    if ok:
        flash(_("Session %(code)s is back on the agenda.", code=s.code), "success")
        return redirect(url_for("manage.agenda", slug=ev.slug) + f"#s-{s.code}")
    return redirect(url_for("session_bin.bin_page", slug=ev.slug))


@bp.get("/sessions/<code>/history")
def session_history(slug: str, code: str):
    """Every change of a session, newest first, in words (also for a session in the bin)."""
    ev = _event(slug)
    s = session_bin.any_session(ev, code) or abort(404)
    lines = describe_all(history.entries(ev, s), ev)
    return render_template("manage/session_history.html", event=ev, s=s, lines=lines)


def register(app: Flask) -> None:
    """Plug the bin and history pages into the app."""
    app.register_blueprint(bp)
