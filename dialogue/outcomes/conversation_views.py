"""Pages of the conversation about a key message, bulk approval and the word limit of a session's messages.

The routes are on the blueprints of views.py.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..actions import perform
from ..permissions import can_discuss_message, ensure
from ..sessions import services as agenda
from . import freshness, review, services, words
from .forms import BulkApproveForm, CommentForm, WordLimitForm
from .labels import COMMENT_KIND_LABELS, STATUS_LABELS
from .views import _message, _organised, _staff_event, manage_bp


@manage_bp.route("/key-messages/<id:message_id>/", methods=["GET", "POST"])
def message(slug: str, message_id: int):
    """A key message in its three languages with their state, and its conversation (read and post)."""
    ev = _staff_event(slug)
    m = _message(ev, message_id)
    ensure(can_discuss_message, current_user, m)
    form = CommentForm()
    if form.validate_on_submit():
        ok, _done = perform(lambda: review.add_comment(m, form.body.data, current_user), form=form)
        if ok:
            flash(_("Your comment is posted."), "success")
            return redirect(url_for(".message", slug=ev.slug, message_id=m.id) + "#thread")
    status = 422 if request.method == "POST" else 200
    return render_template("outcomes/message.html", event=ev, m=m, form=form, comments=review.thread(m),
                           states=freshness.state(m), counts=words.counts(m.text), STATUS_LABELS=STATUS_LABELS,
                           KIND_LABELS=COMMENT_KIND_LABELS), status


@manage_bp.post("/review/approve")
def approve_selected(slug: str):
    """Approve the ticked messages of the review queue at once (each checked as if approved alone)."""
    ev = _organised(slug)
    form = BulkApproveForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.messages.data:
        flash(_("Tick the messages to approve first."), "error")
        return redirect(url_for(".review", slug=ev.slug))
    ok, result = perform(lambda: review.approve_many(ev, form.messages.data, current_user))
    if ok:
        approved, skipped = result
        if approved:
            flash(ngettext("%(num)d key message is approved.", "%(num)d key messages are approved.",
                           len(approved)), "success")
        for m, reason in skipped:
            flash(_("Not approved: %(code)s, key message %(position)s (%(reason)s).", code=m.session.code,
                    position=m.position, reason=reason), "warning")
    return redirect(url_for(".review", slug=ev.slug))


@manage_bp.post("/sessions/<code>/word-limit")
def word_limit(slug: str, code: str):
    """Set or clear the word limit of a session's key messages."""
    ev = _organised(slug)
    s = agenda.session_by_code(ev, code) or abort(404)
    form = WordLimitForm()
    if form.validate_on_submit():
        ok, _done = perform(lambda: services.set_word_limit(s, form.words.data, current_user))
        if ok:
            flash(_("The word limit of session %(code)s is saved.", code=s.code), "success")
    else:
        flash(_("Give a whole number of words from 1 to 100,000, or leave it empty."), "error")
    return redirect(url_for(".rapporteurs", slug=ev.slug) + "#word-limits")
