"""Pages of key messages, review and the outcome document; the public outcome page and downloads."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import formatting
from ..actions import perform
from ..auth import PermissionDenied, has_role, require_role
from ..cache import bytes_response
from ..extensions import db
from ..i18n import LANGUAGES, language_name, pick
from ..sessions import services as agenda
from ..sessions.models import Event, MeetingSession
from ..validation import id_arg
from . import document as outcome
from . import markup, services
from .forms import (
    ACTION_LABELS,
    MESSAGE_LANGUAGES_HINT,
    STATUS_LABELS,
    ApproveForm,
    KeyMessageForm,
    OutcomeDocumentForm,
    PublishForm,
    RapporteurForm,
    ReturnForm,
    SubmitForm,
    ThemesForm,
)
from .models import KeyMessage, SessionRapporteur

manage_bp = Blueprint("outcomes_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")
public_bp = Blueprint("outcomes", __name__, url_prefix="/<lang>/events/<slug>")


def register(app) -> None:
    """Called by the app factory: blueprints, template filters, the organisers' menu."""
    from ..extensions import csrf
    from .api import bp as api_bp
    app.register_blueprint(manage_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.jinja_env.filters.update(pick_in=pick_in, markup=markup.render, plain=markup.plain)
    formatting.MANAGE_LINKS.append(manage_links)
    formatting.DASHBOARD_LINKS.append(dashboard_links)


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
    require_role(ev, "organiser", "rapporteur")
    return ev


def _organised(slug: str) -> Event:
    ev = _event(slug)
    require_role(ev, "organiser")
    return ev


def _message(ev: Event, message_id: int) -> KeyMessage:
    message = db.session.get(KeyMessage, message_id)
    if message is None or message.session.event_id != ev.id:
        abort(404)
    return message


def _is_organiser(ev: Event) -> bool:
    return has_role(current_user, ev, "organiser")


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
                                  .order_by(KeyMessage.position, KeyMessage.id)).all()
    by_session: dict[int, list[KeyMessage]] = {}
    for m in messages:
        by_session.setdefault(m.session_id, []).append(m)
    if organiser:
        sessions = [s for s in sessions if s.id in by_session or s.kind != "side_event"]
    return render_template("outcomes/my_sessions.html", event=ev, sessions=sessions, by_session=by_session,
                           organiser=organiser, STATUS_LABELS=STATUS_LABELS, submit_form=SubmitForm())


@manage_bp.route("/sessions/<code>/key-messages/new", methods=["GET", "POST"])
def new_message(slug: str, code: str):
    ev = _staff_event(slug)
    s = agenda.session_by_code(ev, code) or abort(404)
    if not services.can_edit(current_user, s):
        abort(403)
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
    return render_template("outcomes/message_form.html", form=form, event=ev, s=s, message=None,
                           languages_hint=MESSAGE_LANGUAGES_HINT), status


@manage_bp.route("/key-messages/<id:message_id>/edit", methods=["GET", "POST"])
def edit_message(slug: str, message_id: int):
    ev = _staff_event(slug)
    message = _message(ev, message_id)
    if not services.can_edit(current_user, message):
        abort(403)
    if request.method == "POST":
        form = KeyMessageForm()
    else:
        form = KeyMessageForm(original_language=message.original_language, text=message.text,
                              themes=message.themes, position=message.position, version=message.version)
    form.themes.choices = _theme_choices(ev)
    conflict = None
    status_before = message.status
    if form.validate_on_submit():
        try:
            try:
                services.save_message(message, form.data, current_user, form.version.data or None)
                if form.save_submit.data and message.status in ("draft", "returned"):
                    services.submit_message(message, current_user)
                db.session.commit()
            except StaleDataError:
                # Someone committed between our read and our write.
                db.session.rollback()
                message = _message(ev, message_id)
                raise services.EditConflict(message, services.clean_translations(form.text.data)) from None
        except services.EditConflict as error:
            db.session.rollback()
            message = _message(ev, message_id)
            conflict = message
            form.version.data = message.version  # the next save merges onto the newest version
            form.extra_errors = {"": error.message}
        except services.OutcomeError as error:
            db.session.rollback()
            form.extra_errors = {error.field or "": error.message}
        except PermissionDenied:
            abort(403)
        else:
            if message.status == "submitted" and form.save_submit.data:
                flash(_("The key message is saved and submitted for review."), "success")
            elif message.status == "draft" and status_before in ("submitted", "approved"):
                flash(_("The key message is saved as a draft, since its text changed: submit it again for "
                        "review."), "warning")
            else:
                flash(_("The key message is saved."), "success")
            return redirect(url_for(".my_sessions", slug=ev.slug) + f"#s-{message.session.code}")
    status = 409 if conflict else (422 if request.method == "POST" else 200)
    return render_template("outcomes/message_form.html", form=form, event=ev, s=message.session, message=message,
                           conflict=conflict, organiser=_is_organiser(ev), languages_hint=MESSAGE_LANGUAGES_HINT,
                           ACTION_LABELS=ACTION_LABELS,
                           conflict_by=_last_editor(conflict), mine=services.clean_translations(form.text.data)
                           if conflict else {}), status


def _last_editor(message: KeyMessage | None):
    """The last revision (who, when, what: an edit, or a review that changed only the status)."""
    if message is None or not message.revisions:
        return None
    return max(message.revisions, key=lambda r: r.number)


@manage_bp.post("/key-messages/<id:message_id>/submit")
def submit_message(slug: str, message_id: int):
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
    if not services.can_edit(current_user, message):
        abort(403)
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
    diff = services.compare(rev[a], rev[b]) if a in rev and b in rev else []
    users = services.users_by_id(r.user_id for r in revisions)
    return render_template("outcomes/history.html", event=ev, message=message, revisions=revisions, a=a, b=b,
                           diff=diff, users=users, ACTION_LABELS=ACTION_LABELS, STATUS_LABELS=STATUS_LABELS)


# --- review -----------------------------------------------------------------------------------

@manage_bp.get("/review")
def review(slug: str):
    ev = _organised(slug)
    queue = services.review_queue(ev)
    return render_template("outcomes/review.html", event=ev, queue=queue, approve_form=ApproveForm(),
                           return_form=ReturnForm(), authors=services.text_authors,
                           approved=services.event_messages(ev, ("approved", "returned")), STATUS_LABELS=STATUS_LABELS)


@manage_bp.post("/key-messages/<id:message_id>/approve")
def approve(slug: str, message_id: int):
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
                           themes_form=themes_form), status


def _themes_lines(ev: Event) -> dict:
    lines = {}
    for code in LANGUAGES:
        values = [t.title.get(code, "") for t in services.themes(ev)]
        if any(values):
            lines[code] = "\n".join(values)
    return lines


@manage_bp.post("/rapporteurs/<id:link_id>/remove")
def remove_rapporteur(slug: str, link_id: int):
    ev = _organised(slug)
    link = db.session.get(SessionRapporteur, link_id)
    if link is None or link.session.event_id != ev.id:
        abort(404)
    if not SubmitForm().validate_on_submit():
        abort(400)
    services.unassign_rapporteur(link, current_user)
    db.session.commit()
    flash(_("The rapporteur is removed from the session."), "success")
    return redirect(url_for(".rapporteurs", slug=ev.slug))


@manage_bp.post("/themes")
def themes(slug: str):
    ev = _organised(slug)
    form = ThemesForm()
    if form.validate_on_submit():
        ok, _done = perform(lambda: services.set_themes(ev, form.themes.data, current_user))
        if ok:
            flash(_("The themes are saved."), "success")
    return redirect(url_for(".rapporteurs", slug=ev.slug) + "#themes")


# --- the outcome document ---------------------------------------------------------------------

@manage_bp.route("/outcome/", methods=["GET", "POST"])
def document(slug: str):
    ev = _organised(slug)
    doc = outcome.get_or_create_document(ev)
    if request.method == "POST":
        form = OutcomeDocumentForm()
    else:
        form = OutcomeDocumentForm(symbol=doc.symbol, title=doc.title, place=doc.place, issued_on=doc.issued_on,
                                   original_language=doc.original_language, preamble=doc.preamble,
                                   grouping=doc.grouping, session_ids=doc.session_ids,
                                   recommendations=outcome.joined(doc.recommendations),
                                   next_steps=outcome.joined(doc.next_steps), version=doc.version)
    form.session_ids.choices = [(s.id, f"{s.code} · {pick(s.title, g.lang, s.original_language).text}")
                                for s in agenda.agenda(ev)]
    if form.validate_on_submit():
        try:
            outcome.save_document(doc, form.data, current_user, form.version.data or None)
            db.session.commit()
        except (services.OutcomeError, StaleDataError) as error:
            db.session.rollback()
            message = error.message if isinstance(error, services.OutcomeError) else _(
                "Someone else saved the document while you were editing it. Your input is kept below; "
                "reload the page to see their version.")
            form.extra_errors = {getattr(error, "field", "") or "": message}
        else:
            flash(_("The outcome document is saved."), "success")
            return redirect(url_for(".document", slug=ev.slug))
    else:
        db.session.commit()  # the document row, created on first visit
    status = 422 if request.method == "POST" else 200
    comp = outcome.compose(doc)
    gaps = outcome.translation_report(comp)
    return render_template("outcomes/document_form.html", event=ev, doc=doc, form=form, comp=comp, gaps=gaps,
                           versions=outcome.versions(ev)), status


@manage_bp.get("/outcome/preview")
def preview(slug: str):
    """The document in the page's language as it would be published, marked as a draft."""
    ev = _organised(slug)
    doc = outcome.get_or_create_document(ev)
    db.session.commit()
    comp = outcome.compose(doc)
    body = Markup(outcome.render_html(comp, g.lang, draft=True))  # noqa: S704  (rendered by Jinja with autoescape)
    return render_template("outcomes/preview.html", event=ev, doc=doc, body=body)


@manage_bp.get("/outcome/preview.pdf")
def preview_pdf(slug: str):
    ev = _organised(slug)
    doc = outcome.get_or_create_document(ev)
    db.session.commit()
    pdf = outcome.render_pdf(outcome.compose(doc), g.lang, draft=True)
    import hashlib
    return bytes_response(pdf, hashlib.sha256(pdf).hexdigest()[:32], "application/pdf", public=False,
                          filename=f"{ev.slug}-outcome-draft-{g.lang}.pdf")


@manage_bp.route("/outcome/translations", methods=["GET", "POST"])
def translations(slug: str):
    """What is missing in which language; choosing original-language paragraphs; publishing."""
    ev = _organised(slug)
    doc = outcome.get_or_create_document(ev)
    comp = outcome.compose(doc)
    gaps = outcome.translation_report(comp)
    form = PublishForm(original_only=[gap.key for gap in gaps if gap.accepted])
    form.original_only.choices = [(gap.key, gap.label) for gap in gaps]
    if form.validate_on_submit():
        try:
            outcome.set_original_only(doc, form.original_only.data or [], current_user)
            if form.publish.data:
                published = outcome.publish(doc, current_user)
            db.session.commit()
        except services.OutcomeError as error:
            db.session.rollback()
            form.extra_errors = {"": error.message}
        except (IntegrityError, StaleDataError):
            # Another organiser published or changed the document at the same moment.
            db.session.rollback()
            form.extra_errors = {"": _("Someone else changed or published the document at the same moment. "
                                       "Reload the page and check the latest version.")}
        else:
            if form.publish.data:
                flash(_("Version %(version)d of the outcome document is published.", version=published[0].version),
                      "success")
                return redirect(url_for("outcomes.page", slug=ev.slug))
            flash(_("The choice is saved."), "success")
            return redirect(url_for(".translations", slug=ev.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("outcomes/translations.html", event=ev, doc=doc, comp=comp, gaps=gaps, form=form,
                           language_name=language_name), status


# --- public -----------------------------------------------------------------------------------

def _public_event(slug: str) -> Event:
    ev = _event(slug)
    if not ev.is_published and not _is_organiser(ev):
        abort(404)
    return ev


@public_bp.get("/outcome/")
def page(slug: str):
    ev = _public_event(slug)
    pubs = outcome.versions(ev)
    current = next((p for p in pubs if p.language == g.lang), None)
    by_version: dict[int, dict[str, object]] = {}
    for p in pubs:
        by_version.setdefault(p.version, {})[p.language] = p
    return render_template("outcomes/public.html", event=ev, current=current,
                           body=Markup(current.html) if current else None, by_version=by_version,  # noqa: S704  (stored rendering of our own template)
                           latest_version=pubs[0].version if pubs else None,
                           organiser=_is_organiser(ev))


def _download(slug: str, version: int | None):
    """Stored bytes with their SHA-256 as ETag; a revalidation costs one query and no bytes."""
    found = outcome.published_version(slug, g.lang, version)
    if found is None:
        abort(404)
    publication, ev = found
    if not ev.is_published and not _is_organiser(ev):
        abort(404)
    # A numbered version never changes: caches may keep it. The current one is revalidated.
    max_age = 31536000 if version else 0
    if request.headers.get("If-None-Match"):
        response = bytes_response(b"", publication.sha256, "application/pdf", max_age=max_age,
                                  public=ev.is_published)
        if response.status_code == 304:
            return response
    return bytes_response(outcome.pdf_store.get(publication), publication.sha256, "application/pdf",
                          max_age=max_age, public=ev.is_published,
                          filename=f"{ev.slug}-outcome-v{publication.version}-{g.lang}.pdf")


@public_bp.get("/outcome.pdf")
def download(slug: str):
    return _download(slug, None)


@public_bp.get("/outcome/v<id:version>.pdf")
def download_version(slug: str, version: int):
    return _download(slug, version)

