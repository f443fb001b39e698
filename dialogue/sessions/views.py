"""Pages of the agenda: public event and session pages and exports, and the organisers' editor."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask import session as http_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, SubmitField

from .. import mail
from ..actions import perform
from ..auditlog import describe_all
from ..auth import invite
from ..auth.invite_block import InvitationForm, send_invitation, team_role_field
from ..auth.session import may_be_signed_in
from ..cache import cache, cached, cached_hit
from ..extensions import db
from ..i18n import LANGUAGES, common_timezones, valid_timezone
from ..jobs import services as jobs
from ..jobs import storage
from ..jobs.views import send_stored, send_stored_file
from ..labels import EVENT_ROLE_LABELS
from ..models import AuditEntry, EventRole, OutboxMessage
from ..permissions import can_create_event, can_organise, can_view_event, ensure, organised_events
from . import clashes, pickers, services
from .bin import calendar_sessions
from .bin_views import confirm_delete
from .clashes import ConflictsFound
from .exports import to_ical
from .forms import EventForm, SessionForm, language_choices
from .jobs import KIND as AGENDA_PDF
from .labels import KIND_LABELS, KIND_PLURALS
from .models import CONCEPT_NOTE_FIELDS, SESSION_KINDS, Event, MeetingSession

bp = Blueprint("sessions", __name__, url_prefix="/<lang>")
ics_bp = Blueprint("ics", __name__)
manage_bp = Blueprint("manage", __name__, url_prefix="/<lang>/manage")

EXTRA_PEOPLE_ROWS = 3


def redirect_if_moved(slug: str, user) -> None:
    """When `slug` is a former address of an event `user` may see, answer 301 with this very
    URL (same view, arguments and query) at the event's current address; else do nothing.

    Called only once `slug` is not a current address, so cached pages keep their one light query.
    """
    event = services.event_by_former_slug(slug)
    if event is None or request.endpoint is None:
        return
    if not can_view_event(user, event):
        return  # a draft's new address is not for everyone to learn
    values = {**request.args.to_dict(flat=False), **(request.view_args or {}), "slug": event.slug}
    # 308 keeps a form's POST a POST; 301 is what calendars and search engines know for GET.
    abort(redirect(url_for(request.endpoint, **values), 301 if request.method in ("GET", "HEAD") else 308))


def _public_event(slug: str) -> Event:
    """The event, if the visitor may see it (permissions.can_view_event); 404 otherwise.
    A former address of the event redirects to its current one (`redirect_if_moved`)."""
    event = services.event_by_slug(slug)
    if event is None:
        redirect_if_moved(slug, current_user)
        abort(404)
    ensure(can_view_event, current_user, event, status=404)
    return event


def _viewer_tz(event: Event) -> str:
    return valid_timezone(request.args.get("tz")) or event.timezone


def _kinds() -> list[str]:
    return [k for k in request.args.getlist("kind") if k in SESSION_KINDS]


def _cacheable() -> bool:
    """Anonymous pages without pending messages are the same for everyone: render them once.
    Without a session or remember-me cookie there is neither a user nor a message to load."""
    if not may_be_signed_in():
        return True
    return not current_user.is_authenticated and "_flashes" not in http_session


@bp.get("/")
def index():
    events = services.visible_events(current_user)
    return render_template("sessions/index.html", events=events)


def _published_head(slug: str):
    """The event's (id, status, revision, timezone) when it is published, for the fast path of
    cached pages: one light query kept per worker for SERVE_HEAD_TTL, then a dictionary lookup (cache.py)."""
    head = services.event_head(slug)
    return head if head is not None and head.status == "published" else None


@bp.get("/events/<slug>/")
def event(slug: str):
    if _cacheable() and (head := _published_head(slug)) is not None:
        tz = valid_timezone(request.args.get("tz")) or head.timezone
        hit = cached_hit(("event", head.id, head.revision, g.lang, tz, tuple(_kinds())), "text/html")
        if hit is not None:
            return hit
    ev = _public_event(slug)
    tz, kinds = _viewer_tz(ev), _kinds()

    # The agenda PDF people get now shows older data while workers make the new one: say so on
    # the page. Such a page is not kept (a cached page is right for its revision only without it).
    pdf_outdated = jobs.outdated(ev, AGENDA_PDF, g.lang)

    def render():
        sessions = services.agenda(ev, kinds)
        return render_template("sessions/event.html", event=ev, days=services.by_day(sessions, tz),
                               tz=tz, kinds=kinds, count=len(sessions), KIND_LABELS=KIND_LABELS,
                               KIND_PLURALS=KIND_PLURALS, timezones=common_timezones(),
                               organiser=can_organise(current_user, ev), pdf_outdated=pdf_outdated)
    if not _cacheable() or pdf_outdated:
        return render()
    return cached(("event", ev.id, ev.revision, g.lang, tz, tuple(kinds)), render, "text/html")


@bp.get("/events/<slug>/sessions/<code>")
def session(slug: str, code: str):
    ev = _public_event(slug)
    s = services.session_by_code(ev, code) or abort(404)
    tz = _viewer_tz(ev)
    return render_template("sessions/session.html", event=ev, s=s, tz=tz, KIND_LABELS=KIND_LABELS,
                           fields=CONCEPT_NOTE_FIELDS, organiser=can_organise(current_user, ev))


@bp.get("/events/<slug>/agenda.pdf")
def agenda_pdf(slug: str):
    """The agenda PDF a worker made: the newest one, while a newer one is being made after a change."""
    # Public: the event's head (as cached pages), then the file made from this revision (looked up once
    # per worker and revision: cache.serve_stored), served as static files go.
    if (event := _published_head(slug)) is not None and (response := cache.serve_stored(
            ("agenda.pdf", event.id, event.revision, g.lang), event.revision,
            lambda: services.stored_file_head(slug, AGENDA_PDF, g.lang),
            lambda head: send_stored_file(head.sha256, head.mimetype, head.filename, head.finished_at, public=True),
    )) is not None:
        return response
    ev = _public_event(slug)
    stored = jobs.latest_done(ev.id, AGENDA_PDF, g.lang)
    fresh = stored is not None and stored.revision >= ev.revision and storage.exists(stored.sha256)
    job = stored
    if not fresh:
        _ok, job = perform(lambda: jobs.start(AGENDA_PDF, ev, g.lang, current_user, check=False))
    if stored is not None and storage.exists(stored.sha256):
        response = send_stored(stored, public=ev.is_published)
        if not fresh:
            response.headers["Warning"] = '110 - "A newer version is being prepared"'
        return response
    return render_template("jobs/job.html", job=job, status=jobs.status(job)), 202, {
        "Cache-Control": "no-store", "Retry-After": "5"}


def _ics_lang() -> str:
    lang = request.args.get("lang")
    return lang if lang in LANGUAGES else (request.accept_languages.best_match(LANGUAGES) or "en")


@ics_bp.get("/events/<slug>/agenda.ics")
def agenda_ics(slug: str):
    lang = _ics_lang()
    if (head := _published_head(slug)) is not None:
        hit = cached_hit(("agenda.ics", head.id, head.revision, lang), "text/calendar",
                         filename=f"{slug}.ics", public=True)
        if hit is not None:
            return hit
    ev = _public_event(slug)

    def render():
        return to_ical(ev, calendar_sessions(ev), lang, lambda s: url_for(
            "sessions.session", lang=lang, slug=ev.slug, code=s.code, _external=True))
    return cached(("agenda.ics", ev.id, ev.revision, lang), render, "text/calendar",
                  filename=f"{ev.slug}.ics", public=ev.is_published)


@ics_bp.get("/events/<slug>/sessions/<code>.ics")
def session_ics(slug: str, code: str):
    ev = _public_event(slug)
    s = next(iter(calendar_sessions(ev, code)), None) or abort(404)
    lang = _ics_lang()
    return cached(("session.ics", ev.id, ev.revision, s.id, lang), lambda: to_ical(ev, [s], lang, lambda x: url_for(
        "sessions.session", lang=lang, slug=ev.slug, code=x.code, _external=True)), "text/calendar",
        filename=f"{ev.slug}-{s.code}.ics", public=ev.is_published)


# --- organisers -------------------------------------------------------------------------------

def _organised_event(slug: str) -> Event:
    """The event, for its organisers (sign-in page for visitors, 403 for other users); a former
    address redirects to the current one."""
    ev = services.event_by_slug(slug)
    if ev is None:
        redirect_if_moved(slug, current_user)
        abort(404)
    ensure(can_organise, current_user, ev)
    return ev


@manage_bp.get("/")
@login_required
def dashboard():
    events = organised_events(current_user, db.session.scalars(select(Event).order_by(Event.starts_on.desc())))
    return render_template("manage/dashboard.html", events=events, can_create=can_create_event(current_user))


@manage_bp.route("/events/new", methods=["GET", "POST"])
@login_required
def event_new():
    ensure(can_create_event, current_user)
    form = EventForm(status="draft", timezone="UTC")
    return _event_form(form, None)


@manage_bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def event_edit(slug: str):
    ev = _organised_event(slug)
    form = EventForm(obj=None if request.method == "POST" else _event_obj(ev))
    return _event_form(form, ev)


def _event_obj(ev: Event):
    class Obj:
        pass
    obj = Obj()
    for name in ("slug", "original_language", "starts_on", "ends_on", "timezone", "status", "title", "description", "venue"):
        setattr(obj, name, getattr(ev, name))
    return obj


def _submit(form, save, saved):
    """Validate, call the service and go on; or show its error with the input kept (None)."""
    if not form.validate_on_submit():
        return None
    ok, result = perform(save, form=form)
    return saved(result) if ok else None


def _event_form(form: EventForm, ev: Event | None):
    def saved(event):
        flash(_("The event is saved."), "success")
        return redirect(url_for("manage.agenda", slug=event.slug))
    done = _submit(form, lambda: services.save_event(form.data, current_user, ev), saved)
    if done:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("manage/event_form.html", form=form, event=ev, timezones=common_timezones()), status


@manage_bp.get("/events/<slug>/")
def agenda(slug: str):
    ev = _organised_event(slug)
    sessions = services.agenda(ev)
    found = services.conflicts(ev, sessions) + clashes.over_capacity(ev, sessions, clashes.registered_counts(ev))
    flagged = {code for c in found for code in c.codes}
    return render_template("manage/agenda.html", event=ev, days=services.by_day(sessions, ev.timezone),
                           tz=ev.timezone, conflicts=found, flagged=flagged, KIND_LABELS=KIND_LABELS,
                           count=len(sessions))


@manage_bp.route("/events/<slug>/sessions/new", methods=["GET", "POST"])
def session_new(slug: str):
    ev = _organised_event(slug)
    form = SessionForm(original_language=ev.original_language)
    if request.method == "GET":
        for _i in range(EXTRA_PEOPLE_ROWS):
            form.people.append_entry()
    return _session_form(ev, form, None)


@manage_bp.route("/events/<slug>/sessions/<code>/edit", methods=["GET", "POST"])
def session_edit(slug: str, code: str):
    ev = _organised_event(slug)
    s = services.session_by_code(ev, code) or abort(404)
    if request.method == "POST":
        form = SessionForm()
    else:
        form = SessionForm(obj=_session_obj(ev, s))
        for _i in range(EXTRA_PEOPLE_ROWS):
            form.people.append_entry()
    return _session_form(ev, form, s)


def _session_obj(ev: Event, s: MeetingSession):
    class Obj:
        pass
    obj = Obj()
    for name in ("code", "kind", "title", "original_language", "capacity", "interpretation", *CONCEPT_NOTE_FIELDS):
        setattr(obj, name, getattr(s, name))
    obj.room = pickers.room_value(s)
    obj.starts_at = services.utc_to_local(s.starts_at, ev.timezone)
    obj.ends_at = services.utc_to_local(s.ends_at, ev.timezone)
    obj.starts_at_fold, obj.ends_at_fold = str(obj.starts_at.fold), str(obj.ends_at.fold)
    obj.people = pickers.programme_rows(ev, s)
    return obj


def _session_form(ev: Event, form: SessionForm, s: MeetingSession | None):
    def saved(session):
        flash(_("Session %(code)s is saved.", code=session.code), "success")
        return redirect(url_for("manage.agenda", slug=ev.slug) + f"#s-{session.code}")
    form.offer_folds(ev.timezone)
    found, signature = [], ""
    if form.validate_on_submit():
        # "Save anyway" sends the signature of the clashes it was shown with (clashes.signature).
        accepted = request.form.get("save_anyway", "")[:64]
        ok, result = perform(lambda: services.save_session(
            ev, form.data, current_user, s, check_conflicts=True, accepted=accepted), form=form)
        if ok:
            return saved(result)
        if isinstance(result, ConflictsFound):  # shown as a warning with "Save anyway", not an error
            found, signature, form.extra_errors = result.clashes, result.signature, {}
    status = 409 if found else 422 if request.method == "POST" else 200
    # The duplicate page (copy_views.duplicate) is this form for a new session: its heading names the original.
    source = (request.view_args or {}).get("code") if s is None else None
    return render_template("manage/session_form.html", form=form, event=ev, s=s, clashes=found, signature=signature,
                           duplicate_of=source, people_options=pickers.people_options(ev),
                           room_options=pickers.room_options(ev)), status


@manage_bp.post("/events/<slug>/sessions/<code>/status")
def session_status(slug: str, code: str):
    """Cancel a session (it stays on the agenda and in calendars, marked) or schedule it again."""
    ev = _organised_event(slug)
    s = services.session_by_code(ev, code) or abort(404)
    status = request.form.get("status", "")
    ok, _saved = perform(lambda: services.set_session_status(s, status, current_user))
    if ok:
        flash(_("Session %(code)s is cancelled.", code=code) if status == "cancelled"
              else _("Session %(code)s is scheduled again.", code=code), "success")
    return redirect(url_for("manage.agenda", slug=ev.slug) + f"#s-{code}")


@manage_bp.route("/events/<slug>/sessions/<code>/delete", methods=["GET", "POST"])
def session_delete(slug: str, code: str):
    """Ask to confirm, then move the session to the bin (see bin_views.py)."""
    return confirm_delete(_organised_event(slug), code)


class InviteForm(InvitationForm):
    role = team_role_field()
    language = SelectField(_l("Language of the invitation"), choices=language_choices)
    submit = SubmitField(_l("Invite"))


@manage_bp.route("/events/<slug>/team", methods=["GET", "POST"])
def team(slug: str):
    """Who has which role in the event; organisers invite co-organisers and badge checkers."""
    ev = _organised_event(slug)
    form = InviteForm(language=g.lang)
    if send_invitation(form, lambda email, name: invite(ev, email, name, form.role.data, current_user, form.language.data),
                       lambda user: _("%(email)s is invited; the message is in the outbox.", email=user.email)):
        return redirect(url_for("manage.team", slug=ev.slug))
    roles = db.session.scalars(select(EventRole).where(EventRole.event_id == ev.id)
                               .options(selectinload(EventRole.user)).order_by(EventRole.role, EventRole.id)).all()
    return render_template("manage/team.html", event=ev, form=form, roles=roles, ROLE_LABELS=EVENT_ROLE_LABELS), (
        422 if request.method == "POST" else 200)


@manage_bp.get("/events/<slug>/audit")
def audit_log(slug: str):
    """What happened in the event, newest first, in words in the reader's language."""
    ev = _organised_event(slug)
    entries = db.paginate(select(AuditEntry).where(AuditEntry.event_id == ev.id)
                          .options(selectinload(AuditEntry.user))
                          .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), per_page=50)
    return render_template("manage/audit.html", event=ev, entries=entries, lines=describe_all(entries.items, ev))


@manage_bp.get("/events/<slug>/outbox")
def outbox(slug: str):
    """The event's mail, newest first, with each message's delivery state."""
    ev = _organised_event(slug)
    messages = db.paginate(select(OutboxMessage).where(OutboxMessage.event_id == ev.id)
                           .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()), per_page=50)
    return render_template("manage/outbox.html", event=ev, messages=messages, waiting=mail.overdue(ev.id),
                           max_attempts=mail.setting("MAIL_MAX_ATTEMPTS"))


@manage_bp.post("/events/<slug>/outbox/<id:message_id>/send-again")
def outbox_send_again(slug: str, message_id: int):
    """Queue a message that could not be sent for a new round of attempts."""
    ev = _organised_event(slug)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.event_id != ev.id:
        abort(404)
    done, _result = perform(lambda: mail.send_again(message))
    if done:
        flash(_("The message to %(email)s will be sent again.", email=message.recipient), "success")
    return redirect(url_for("manage.outbox", slug=ev.slug))
