"""The outcomes blueprints, their registration and shared helpers; the pages are in the *_views.py modules."""
from __future__ import annotations

from flask import Blueprint, abort, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from .. import formatting
from ..extensions import db
from ..i18n import pick
from ..permissions import can_organise, can_write_messages, ensure
from ..sessions import services as agenda
from ..sessions.models import Event, MeetingSession
from . import markup
from .labels import TRANSLATION_STATES
from .models import KeyMessage, SessionRapporteur

manage_bp = Blueprint("outcomes_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")
public_bp = Blueprint("outcomes", __name__, url_prefix="/<lang>/events/<slug>")


def register(app) -> None:
    """Called by the app factory: blueprints, template filters, the organisers' menu."""
    from ..extensions import csrf
    from ..registry import registry
    from . import (  # noqa: F401  (routes on the same blueprints)
        api,
        conversation_views,
        document_views,
        message_views,
        review_views,
    )
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
    from .backfill import outcomes_cli
    app.cli.add_command(outcomes_cli)


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
