"""Suggestions for the session form's room and people pickers as the organiser types (static/picker.js)."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, request

from . import pickers
from .views import _organised_event

bp = Blueprint("pickers", __name__, url_prefix="/<lang>/manage/events/<slug>/suggestions")

#: Longest text a suggestion request reads.
MAX_QUERY = 100

_SUGGEST = {"people": pickers.suggest_people, "rooms": pickers.suggest_rooms}


@bp.get("/<kind>")
def suggestions(slug: str, kind: str):
    """JSON {"options": [{"value", "hint"}]}: the event's rooms or people matching `q`, for its organisers."""
    suggest = _SUGGEST.get(kind) or abort(404)
    ev = _organised_event(slug)
    q = (request.args.get("q") or "")[:MAX_QUERY]
    return {"options": suggest(ev, q)}, 200, {"Cache-Control": "no-store"}


def register(app: Flask) -> None:
    """Plug the suggestions into the app."""
    app.register_blueprint(bp)
