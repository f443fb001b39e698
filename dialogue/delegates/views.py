"""The delegations domain's web hub: its blueprints, how its pages load a delegation or an event, the
labels and helpers they share; the pages themselves are in the *_views modules."""
from __future__ import annotations

import unicodedata

from flask import Blueprint, Flask, abort, g, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import events_with_role
from ..extensions import db, login_manager
from ..formatting import tr_text
from ..permissions import can_edit_delegation, can_organise, ensure
from ..sessions import services as agenda
from ..sessions.labels import GENDER_LABELS
from ..sessions.models import Event
from . import queries, services
from .labels import (
    ATTENDANCE_LABELS,
    DELEGATE_ROLE_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    KIND_PLURALS,
    SALUTATION_LABELS,
    STATUS_LABELS,
    role_label,
    salutation_label,
)
from .models import Delegate, Delegation

bp = Blueprint("delegates", __name__, url_prefix="/<lang>/events/<slug>/delegations")
manage_bp = Blueprint("delegates_manage", __name__, url_prefix="/<lang>/manage/events/<slug>")
my_bp = Blueprint("my_delegations", __name__, url_prefix="/<lang>/delegations")


def text_dir(*texts) -> str:
    """"rtl" when the first letter with a direction is Arabic or Hebrew, else "ltr": for the `dir` of a
    name. Browsers know dir="auto", but the PDF engine does not, so we decide here for both."""
    for text in texts:
        for ch in text or "":
            kind = unicodedata.bidirectional(ch)
            if kind in ("R", "AL"):
                return "rtl"
            if kind == "L":
                return "ltr"
    return "ltr"


LABELS = {"KIND_LABELS": KIND_LABELS, "KIND_PLURALS": KIND_PLURALS, "ROLE_LABELS": DELEGATE_ROLE_LABELS, "STATUS_LABELS": STATUS_LABELS,
              "ATTENDANCE_LABELS": ATTENDANCE_LABELS, "SALUTATION_LABELS": SALUTATION_LABELS, "GENDER_LABELS": GENDER_LABELS,
              "FIELD_LABELS": FIELD_LABELS, "role_label": role_label, "salutation_label": salutation_label,
              "text_dir": text_dir}


def register(app: Flask) -> None:
    """Plug the domain into the app: blueprints, menu entries, API and its OpenAPI paths."""
    from ..registry import registry
    from . import (  # noqa: F401  (they add their routes to bp, manage_bp and my_bp)
        accreditation_views,
        api,
        changes_api,
        credentials_views,
        delegations_views,
        files,
        nomination_views,
        outputs_views,
        public_views,
        reuse_views,
        tokens_views,
        window_views,
    )
    from .cli import reminders
    from .orders import warm_orders

    warm_orders(app)  # a gunicorn worker builds the delegations' orders at its start, not on a request
    app.register_blueprint(bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(my_bp)
    api.register(app)
    changes_api.register(app)
    app.cli.add_command(reminders)
    public_views.register(app)
    reuse_views.register(app)
    app.jinja_env.globals.update(delegation_name=services.delegation_name)
    app.jinja_env.filters["person_name"] = services.person_name
    app.jinja_env.filters["person_html"] = services.person_html
    app.jinja_env.filters["plain_name"] = services.plain_name
    registry(app).manage_links.append(_manage_links)
    registry(app).dashboard_links.append(_dashboard_links)
    from . import details_views
    details_views.register(app)
    from . import substitution_views
    substitution_views.register(app)


def _dashboard_links(user) -> list[dict]:
    """On "My work": the delegations this user registers, the events where they check badges."""
    lang = g.lang or "en"
    return [{"url": url_for("delegates.delegation", slug=d.event.slug, delegation_id=d.id),
             "label": _("Register the delegation of %(name)s", name=services.delegation_name(d, lang))}
            for d in services.my_delegations(user)] + [
            {"url": url_for("delegates_manage.check_badge", slug=event.slug),
             "label": _("Check badges at the door: %(event)s", event=tr_text(event.title, event.original_language))}
            for event in events_with_role(user, "badge_checker")]


def _manage_links(event) -> list[dict]:
    return [{"url": url_for("delegates_manage.delegations", slug=event.slug), "label": _("Delegations")},
            {"url": url_for("delegates_manage.nomination_window", slug=event.slug), "label": _("Nomination window")},
            {"url": url_for("delegates_manage.accreditation", slug=event.slug), "label": _("Accreditation")},
            {"url": url_for("delegates_manage.participants", slug=event.slug), "label": _("Participants")},
            {"url": url_for("delegates_manage.statistics", slug=event.slug), "label": _("Statistics")},
            {"url": url_for("delegates_manage.attendance", slug=event.slug), "label": _("Session attendance")}]


# --- loading ------------------------------------------------------------------------------------

def _event(slug: str) -> Event:
    return agenda.event_by_slug(slug) or abort(404)


def _delegation(slug: str, delegation_id: int) -> Delegation:
    """The delegation if the user is one of its focal points or an organiser; 404 otherwise,
    so that another delegation's focal point learns nothing, not even that it exists."""
    event = _event(slug)
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or delegation.event_id != event.id:
        abort(404)
    ensure(can_edit_delegation, current_user, delegation, status=404)
    return delegation


def _delegate(delegation: Delegation, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.delegation_id != delegation.id:
        abort(404)
    return delegate


def _organised(slug: str) -> Event:
    """The event, for its organisers (sign-in page for visitors, 403 for other users)."""
    event = _event(slug)
    ensure(can_organise, current_user, event)
    return event


def _search() -> str:
    """The name searched for, as typed (bounded: it only ever matches names)."""
    return (request.args.get("q") or "").strip()[:200]


def _pager(page: queries.Page, **keep) -> dict:
    """What the pagination macro shows: counts in the user's number format, and links to the
    neighbouring and nearby pages that keep the search and filters (`keep`, empty ones dropped)."""
    args = {k: v for k, v in keep.items() if v not in (None, "")}

    def link(**more) -> str:
        return url_for(request.endpoint, **request.view_args, **args, **more)
    numbers = []
    if page.pages and page.pages > 1:
        wanted = sorted({1, page.pages, *range(max(1, page.number - 2), min(page.pages, page.number + 2) + 1)})
        for i, n in enumerate(wanted):
            if i and n - wanted[i - 1] > 1:
                numbers.append((None, None))
            numbers.append((n, link(page=n) if n != page.number else None))
    return {"first": format_decimal(page.first), "last": format_decimal(page.last), "total": format_decimal(page.total),
            "empty": not page.total, "size": page.total, "current": page.number, "numbers": numbers,
            "prev": link(**page.prev_args) if page.prev_args else None,
            "next": link(**page.next_args) if page.next_args else None}


# --- shared by the pages of the domain ----------------------------------------------------------

def _session_choices(event: Event) -> list[tuple[str, str]]:
    from ..formatting import tr_text
    return [(s.code, f"{s.code} · {tr_text(s.title, s.original_language)}") for s in agenda.agenda(event)]


def display_name(d) -> str:
    """"H.E. Ms. María José PÉREZ ÑÚÑEZ", "Mr. LI Ming": the UN way, in the person's own order,
    family name in capitals."""
    return services.person_name(d, salutation_label(d))
