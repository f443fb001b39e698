"""Pages of key messages, review and the outcome document; the public outcome page and downloads."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import formatting
from ..actions import perform
from ..extensions import db
from ..i18n import LANGUAGES, pick
from ..permissions import can_edit_message, can_organise, can_write_messages, ensure
from ..sessions import services as agenda
from ..sessions.models import Event, MeetingSession
from ..validation import id_arg
from . import freshness, markup, services, words
from . import review as conversation
from .forms import (
    MESSAGE_LANGUAGES_HINT,
    ApproveForm,
    KeyMessageForm,
    RapporteurForm,
    ReturnForm,
    SubmitForm,
    ThemesForm,
)
from .labels import ACTION_LABELS, STATUS_LABELS, TRANSLATION_STATES
from .models import KeyMessage, SessionRapporteur

manage_bp = Blueprint("outcomes_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")
public_bp = Blueprint("outcomes", __name__, url_prefix="/<lang>/events/<slug>")


def register(app) -> None:
    """Called by the app factory: blueprints, template filters, the organisers' menu."""
    from ..extensions import csrf
    from ..registry import registry
    from . import api, conversation_views, document_views  # noqa: F401  (routes on the same blueprints)
    from .api import bp as api_bp
    app.register_blueprint(manage_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.jinja_env.filters.update(pick_in=pick_in, markup=markup.render, plain=markup.plain, excerpt=markup.excerpt)
    app.jinja_env.globals.update(TRANSLATION_STATES=TRANSLATION_STATES)
    registry(app).manage_links.append(manage_links)
    registry(app).dashboard_links.append(dashboard_links)
    registry(app).openapi_paths.update(api.PATHS)
    registry(app).openapi_schemas.update(api.SCHEMAS)


def manage_links(event: Event) -> list[dict]:
    return [
        {"url": url_for("outcomes_manage.my_sessions", slug=event.slug), "label": _("Key messages")},
        {"url": url_for("outcomes_manage.review", slug=event.slug), "label": _("Review")},
        {"url": url_for("outcomes_manage.rapporteurs", slug=event.slug), "label": _("Rapporteurs")},
        {"url": url_for("outcomes_manage.document", slug=event.slug), "label": _("Outcome document")},
    ]


def dashboard_links(user) -> list[dict]:
    """On "My work": a rapporteur's key messages, one link per event, naming their sessions."""
    if not getattr(user, "is_authenticated", False):
        return []
    rows = db.session.execute(
        select(Event, MeetingSession.code).join(MeetingSession, MeetingSession.event_id == Event.id)
        .join(SessionRapporteur, SessionRapporteur.session_id == MeetingSession.id)
        .where(SessionRapporteur.user_id == user.id)
        .order_by(Event.starts_on.desc(), MeetingSession.starts_at, MeetingSession.code)).all()
    events: dict[int, tuple[Event, list[str]]] = {}
    for ev, code in rows:
        events.setdefault(ev.id, (ev, []))[1].append(code)
    return [{"url": url_for("outcomes_manage.my_sessions", slug=ev.slug),
             "label": _("Key messages of %(sessions)s · %(event)s", sessions=", ".join(codes),
                        event=formatting.tr_text(ev.title, ev.original_language))}
            for ev, codes in events.values()]


def pick_in(value: dict | None, lang: str, original: str | None = None, markup: bool = False) -> Markup:
    """Translated text in a given language (not the page's): a fallback is tagged with its language."""
    from . import markup as light
    picked = pick(value, lang, original)
    body = light.render(picked.text) if markup else Markup.escape(picked.text)
    if picked.fallback:
        tag = "div" if markup else "span"
        return Markup('<{0} lang="{1}">{2}</{0}>').format(Markup(tag), picked.lang, body)  # noqa: S704  (a fixed tag name)
    return Markup(body)  # noqa: S704  (body escaped or cleaned above)


# --- helpers ----------------------------------------------------------------------------------

def _event(slug: str) -> Event:
    return agenda.event_by_slug(slug) or abort(404)


def _staff_event(slug: str) -> Event:
    """The event, for its organisers and rapporteurs."""
    ev = _event(slug)
    ensure(can_write_messages, current_user, ev)
    return ev


def _organised(slug: str) -> Event:
    """The event, for its organisers (sign-in page for visitors, 403 for other users)."""
    ev = _event(slug)
    ensure(can_organise, current_user, ev)
    return ev


def _message(ev: Event, message_id: int) -> KeyMessage:
    message = db.session.get(KeyMessage, message_id)
    if message is None or message.session.event_id != ev.id:
        abort(404)
    return message


def _is_organiser(ev: Event) -> bool:
    return can_organise(current_user, ev)


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
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    ok, _done = perform(lambda: services.submit_message(message, current_user))
    if ok:
        flash(_("The key message is submitted for review."), "success")
    return redirect(url_for(".my_sessions", slug=ev.slug) + f"#s-{message.session.code}")


@manage_bp.post("/key-messages/<id:message_id>/delete")
def delete_message(slug: str, message_id: int):
    """Delete a key message (an approved one: organisers only)."""
    ev = _staff_event(slug)
    message = _message(ev, message_id)
    if not SubmitForm().validate_on_submit():
        abort(400)
    code = message.session.code
    ok, _done = perform(lambda: services.delete_message(message, current_user))
    if ok:
        flash(_("The key message is deleted."), "success")
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


# --- review -----------------------------------------------------------------------------------

@manage_bp.get("/review")
def review(slug: str):
    """The organisers' review queue, and the messages already approved or returned."""
    ev = _organised(slug)
    queue = services.review_queue(ev)
    return render_template("outcomes/review.html", event=ev, queue=queue, approve_form=ApproveForm(),
                           return_form=ReturnForm(), authors=services.text_authors,
                           approved=services.event_messages(ev, ("approved", "returned")), STATUS_LABELS=STATUS_LABELS)


@manage_bp.post("/key-messages/<id:message_id>/approve")
def approve(slug: str, message_id: int):
    """Approve a submitted key message."""
    ev = _organised(slug)
    message = _message(ev, message_id)
    if not ApproveForm().validate_on_submit():
        abort(400)
    ok, _done = perform(lambda: services.approve_message(message, current_user))
    if ok:
        flash(_("The key message is approved."), "success")
    return redirect(url_for(".review", slug=ev.slug))


@manage_bp.post("/key-messages/<id:message_id>/return")
def send_back(slug: str, message_id: int):
    """Return a key message to its rapporteurs with a comment."""
    ev = _organised(slug)
    message = _message(ev, message_id)
    form = ReturnForm()

    def return_with_comment():
        if not form.validate_on_submit():
            raise services.OutcomeError(_("Say what should change: the comment is required."), "comment")
        services.return_message(message, form.comment.data, current_user)
    ok, _done = perform(return_with_comment)
    if ok:
        flash(_("The key message is returned to its rapporteurs."), "success")
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
    if not SubmitForm().validate_on_submit():
        abort(400)
    ok, _done = perform(lambda: services.unassign_rapporteur(link, current_user))
    if ok:
        flash(_("The rapporteur is removed from the session."), "success")
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
