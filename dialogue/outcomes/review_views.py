"""Pages of the organisers' review (approve, return) and of the event's rapporteurs and themes."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..actions import perform, perform_posted
from ..extensions import db
from ..i18n import LANGUAGES, pick
from ..sessions import services as agenda
from ..sessions.models import Event, MeetingSession
from . import approval, services
from .forms import ApproveForm, RapporteurForm, ReturnForm, SubmitForm, ThemesForm
from .labels import STATUS_LABELS
from .models import SessionRapporteur
from .views import _message, _organised, manage_bp

# --- review -----------------------------------------------------------------------------------

@manage_bp.get("/review")
def review(slug: str):
    """The organisers' review queue, and the messages already approved or returned."""
    ev = _organised(slug)
    queue = services.review_queue(ev)
    return render_template("outcomes/review.html", event=ev, queue=queue, approve_form=ApproveForm(),
                           return_form=ReturnForm(), standing=_standing(ev),
                           approved=services.event_messages(ev, ("approved", "returned")), STATUS_LABELS=STATUS_LABELS)


def _standing(ev: Event):
    """approval.review_standing of the signed-in organiser, for each message of the queue (one count query)."""
    others = approval.has_other_organisers(ev, current_user)
    return lambda message: approval.review_standing(current_user, message, others)


@manage_bp.post("/key-messages/<id:message_id>/approve")
def approve(slug: str, message_id: int):
    """Approve a submitted key message."""
    ev = _organised(slug)
    message = _message(ev, message_id)
    perform_posted(ApproveForm(), lambda: services.approve_message(message, current_user),
                   _("The key message is approved."))
    return redirect(url_for(".review", slug=ev.slug))


@manage_bp.post("/key-messages/<id:message_id>/return")
def send_back(slug: str, message_id: int):
    """Return a key message to its rapporteurs with a comment."""
    ev = _organised(slug)
    message = _message(ev, message_id)
    form = ReturnForm()
    perform_posted(form, lambda: services.return_message(message, form.comment.data, current_user),
                   _("The key message is returned to its rapporteurs."),
                   invalid=services.OutcomeError(_("Say what should change: the comment is required."), "comment"))
    return redirect(url_for(".review", slug=ev.slug))


# --- rapporteurs and themes -------------------------------------------------------------------

@manage_bp.route("/rapporteurs", methods=["GET", "POST"])
def rapporteurs(slug: str):
    """Assign rapporteurs to sessions (an invitation goes to the outbox), and the themes form."""
    ev = _organised(slug)
    sessions = agenda.agenda(ev)
    form = RapporteurForm(language=g.lang)
    form.session.choices = [(s.id, f"{s.code} · {pick(s.title, g.lang, s.original_language).text}") for s in sessions]
    if form.validate_on_submit():
        s = db.session.get(MeetingSession, form.session.data)
        def assign():
            if s is None or s.event_id != ev.id:
                raise services.OutcomeError(_("Choose a session of this event."), "session")
            services.assign_rapporteur(s, form.email.data, form.name.data or "", current_user, form.language.data)
        ok, _done = perform(assign, form=form)
        if ok:
            flash(_("%(email)s is rapporteur of session %(code)s; an email is in the outbox.",
                    email=form.email.data, code=s.code), "success")
            return redirect(url_for(".rapporteurs", slug=ev.slug))
    status = 422 if request.method == "POST" else 200
    themes_form = ThemesForm(themes=_themes_lines(ev))
    return render_template("outcomes/rapporteurs.html", event=ev, form=form, links=services.assignments(ev),
                           themes_form=themes_form, sessions=sessions), status


def _themes_lines(ev: Event) -> dict:
    lines = {}
    for code in LANGUAGES:
        values = [t.title.get(code, "") for t in services.themes(ev)]
        if any(values):
            lines[code] = "\n".join(values)
    return lines


@manage_bp.post("/rapporteurs/<id:link_id>/remove")
def remove_rapporteur(slug: str, link_id: int):
    """Remove a rapporteur from a session."""
    ev = _organised(slug)
    link = db.session.get(SessionRapporteur, link_id)
    if link is None or link.session.event_id != ev.id:
        abort(404)
    perform_posted(SubmitForm(), lambda: services.unassign_rapporteur(link, current_user),
                   _("The rapporteur is removed from the session."))
    return redirect(url_for(".rapporteurs", slug=ev.slug))


@manage_bp.post("/themes")
def themes(slug: str):
    """Save the event's themes, one per line in each language."""
    ev = _organised(slug)
    form = ThemesForm()
    if form.validate_on_submit():
        ok, _done = perform(lambda: services.set_themes(ev, form.themes.data, current_user))
        if ok:
            flash(_("The themes are saved."), "success")
    return redirect(url_for(".rapporteurs", slug=ev.slug) + "#themes")
