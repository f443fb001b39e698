"""Pages of key messages: a rapporteur's sessions, writing and editing a message (merging a crossed save), its history."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..actions import perform, perform_posted
from ..extensions import db
from ..i18n import LANGUAGES, pick
from ..permissions import can_edit_message, ensure
from ..sessions import services as agenda
from ..sessions.models import Event
from ..validation import id_arg
from . import freshness, services, words
from . import review as conversation
from .forms import MESSAGE_LANGUAGES_HINT, KeyMessageForm, SubmitForm
from .labels import ACTION_LABELS, STATUS_LABELS
from .models import KeyMessage
from .views import _is_organiser, _message, _staff_event, manage_bp


def _theme_choices(ev: Event) -> list[tuple[int, str]]:
    lang = g.lang
    return [(t.id, pick(t.title, lang, ev.original_language).text) for t in services.themes(ev)]


# --- rapporteurs' pages -----------------------------------------------------------------------

@manage_bp.get("/key-messages/")
def my_sessions(slug: str):
    """A rapporteur's sessions and their messages; organisers see every session."""
    ev = _staff_event(slug)
    organiser = _is_organiser(ev)
    sessions = agenda.agenda(ev) if organiser else services.rapporteur_sessions(current_user, ev)
    messages = db.session.scalars(select(KeyMessage).where(KeyMessage.session_id.in_([s.id for s in sessions]))
                                  .options(selectinload(KeyMessage.revisions))
                                  .order_by(KeyMessage.position, KeyMessage.id)).all()
    by_session: dict[int, list[KeyMessage]] = {}
    for m in messages:
        by_session.setdefault(m.session_id, []).append(m)
    if organiser:
        sessions = [s for s in sessions if s.id in by_session or s.kind != "side_event"]
    return render_template("outcomes/my_sessions.html", event=ev, sessions=sessions, by_session=by_session,
                           organiser=organiser, STATUS_LABELS=STATUS_LABELS, submit_form=SubmitForm(),
                           returns=conversation.last_returns(messages), threads=conversation.comment_counts(messages),
                           states=freshness.state, counts=words.counts)


@manage_bp.route("/sessions/<code>/key-messages/new", methods=["GET", "POST"])
def new_message(slug: str, code: str):
    """A new key message for a session, saved as a draft or submitted for review."""
    ev = _staff_event(slug)
    s = agenda.session_by_code(ev, code) or abort(404)
    ensure(can_edit_message, current_user, s)
    # The language the session's messages are written in so far; the session's language for the first.
    last = db.session.scalar(select(KeyMessage.original_language).where(KeyMessage.session_id == s.id)
                             .order_by(KeyMessage.id.desc()).limit(1))
    form = KeyMessageForm(original_language=last or s.original_language)
    form.themes.choices = _theme_choices(ev)
    if form.validate_on_submit():
        def create():
            message = services.create_message(s, form.data, current_user)
            if form.save_submit.data:
                services.submit_message(message, current_user)
        ok, _done = perform(create, form=form)
        if ok:
            flash(_("The key message is submitted for review.") if form.save_submit.data
                  else _("The key message is saved as a draft."), "success")
            return redirect(url_for(".my_sessions", slug=ev.slug) + f"#s-{s.code}")
    status = 422 if request.method == "POST" else 200
    return render_template("outcomes/message_form.html", form=form, event=ev, s=s, message=None, outdated={},
                           counts=words.counts(services.clean_translations(form.text.data)),
                           languages_hint=MESSAGE_LANGUAGES_HINT), status


@manage_bp.route("/key-messages/<id:message_id>/edit", methods=["GET", "POST"])
def edit_message(slug: str, message_id: int):
    """Edit a key message; a save that crossed someone else's is merged, and what clashes is shown to settle."""
    ev = _staff_event(slug)
    message = _message(ev, message_id)
    ensure(can_edit_message, current_user, message)
    if request.method == "POST":
        form = KeyMessageForm()
    else:
        form = KeyMessageForm(original_language=message.original_language, text=message.text,
                              themes=message.themes, position=message.position, version=message.version,
                              base=services.latest_revision(message))
    form.themes.choices = _theme_choices(ev)
    conflict = removal = None
    status_before, latest_before = message.status, services.latest_revision(message)
    if form.validate_on_submit():
        def save():
            services.save_message(message, form.data, current_user, form.version.data or None)
            if form.save_submit.data and message.status in ("draft", "returned"):
                services.submit_message(message, current_user)
        # Someone may commit between our read and our write (a stale version): that is an EditConflict too.
        ok, error = perform(save, form=form, conflict=lambda: services.conflict_after_race(message, form.data))
        if isinstance(error, services.EditConflict):
            conflict = error
            message = _message(ev, message_id)
            _merge_into(form, message, error)
        elif isinstance(error, services.RemovalUnconfirmed):
            removal = error.languages
        if ok:
            _flash_saved(message, status_before, form, merged=(form.base.data or "") not in ("", str(latest_before)))
            return redirect(url_for(".my_sessions", slug=ev.slug) + f"#s-{message.session.code}")
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    return render_template("outcomes/message_form.html", form=form, event=ev, s=message.session, message=message,
                           conflict=conflict, removal=removal, organiser=_is_organiser(ev),
                           languages_hint=MESSAGE_LANGUAGES_HINT, ACTION_LABELS=ACTION_LABELS,
                           conflict_by=_last_editor(message if conflict else None),
                           outdated={o.lang: o for o in freshness.outdated(message)},
                           returned=conversation.last_returns([message]).get(message.id)
                           if message.status == "returned" else None,
                           counts=words.counts(services.clean_translations(form.text.data)),
                           mine=services.clean_translations(form.text.data) if conflict else {}), status


def _merge_into(form: KeyMessageForm, message: KeyMessage, conflict) -> None:
    """After a conflict the form holds the merge (my text where both changed) and starts from the newest revision."""
    merge = conflict.merge
    if merge is not None and not (merge.language_clash and merge.original_language != message.original_language):
        for code in LANGUAGES:
            form.text[code].data = merge.text.get(code, "")
    form.version.data = message.version
    form.base.data = services.latest_revision(message)


def _flash_saved(message: KeyMessage, status_before: str, form: KeyMessageForm, merged: bool) -> None:
    if merged:
        flash(_("Someone else saved this message while you were editing it: their changes and yours are both "
                "kept."), "success")
    if message.status == "submitted" and form.save_submit.data:
        flash(_("The key message is saved and submitted for review."), "success")
    elif message.status == "draft" and status_before in ("submitted", "approved"):
        flash(_("The key message is saved as a draft, since its text changed: submit it again for "
                "review."), "warning")
    elif message.status == "submitted" and status_before == "approved":
        flash(_("The key message is saved and back in review, since its approved text changed."), "warning")
    elif not merged:
        flash(_("The key message is saved."), "success")


def _last_editor(message: KeyMessage | None):
    """The last revision (who, when, what: an edit, or a review that changed only the status)."""
    return max(message.revisions, key=lambda r: r.number) if message is not None and message.revisions else None


@manage_bp.post("/key-messages/<id:message_id>/submit")
def submit_message(slug: str, message_id: int):
    """Submit a draft or returned key message for review."""
    ev = _staff_event(slug)
    message = _message(ev, message_id)
    perform_posted(SubmitForm(), lambda: services.submit_message(message, current_user),
                   _("The key message is submitted for review."))
    return redirect(url_for(".my_sessions", slug=ev.slug) + f"#s-{message.session.code}")


@manage_bp.post("/key-messages/<id:message_id>/delete")
def delete_message(slug: str, message_id: int):
    """Delete a key message (an approved one: organisers only)."""
    ev = _staff_event(slug)
    message = _message(ev, message_id)
    code = message.session.code
    perform_posted(SubmitForm(), lambda: services.delete_message(message, current_user), _("The key message is deleted."))
    return redirect(url_for(".my_sessions", slug=ev.slug) + f"#s-{code}")


@manage_bp.get("/key-messages/<id:message_id>/history")
def history(slug: str, message_id: int):
    """Every revision of a message, and the differences between two of them."""
    ev = _staff_event(slug)
    message = _message(ev, message_id)
    ensure(can_edit_message, current_user, message)
    revisions = message.revisions
    numbers = [r.number for r in revisions]
    rev = {r.number: r for r in revisions}
    b = request.args.get("b", type=id_arg) or (numbers[-1] if numbers else None)
    a = request.args.get("a", type=id_arg)
    if a is None and b in rev:
        # By default, the last change of the text: submitting, approving or returning changes none.
        a = next((r.number for r in reversed(revisions) if r.number < b
                  and (r.text != rev[b].text or r.original_language != rev[b].original_language)),
                 numbers[-2] if len(numbers) > 1 else b)
    diff = freshness.compare(rev[a], rev[b]) if a in rev and b in rev else []
    users = freshness.users_by_id(r.user_id for r in revisions)
    return render_template("outcomes/history.html", event=ev, message=message, revisions=revisions, a=a, b=b,
                           diff=diff, users=users, ACTION_LABELS=ACTION_LABELS, STATUS_LABELS=STATUS_LABELS)
