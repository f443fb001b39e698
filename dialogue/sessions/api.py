"""Read-only JSON API of published events and their agendas, and its OpenAPI document."""
from __future__ import annotations

import json

from flask import Blueprint, abort, jsonify, url_for
from sqlalchemy import select

from ..cache import cached, cached_hit
from ..extensions import db
from ..permissions import can_view_event, ensure
from ..registry import registry
from . import services
from .exports import event_json, room_json, session_json
from .models import Event
from .views import redirect_if_moved

bp = Blueprint("api", __name__, url_prefix="/api/v1")

def _published(slug: str) -> Event:
    """The event if the public may see it: the API opens nothing to a session cookie (user None)."""
    event = services.event_by_slug(slug)
    if event is None:
        redirect_if_moved(slug, None)
        abort(404, description="No published event with this slug.")
    ensure(can_view_event, None, event, status=404)
    return event


def _json_bytes(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


@bp.get("/events")
def events():
    rows = db.session.scalars(select(Event).where(Event.status == "published").order_by(Event.starts_on.desc())).all()
    return jsonify({"events": [{**event_json(e), "url": url_for("api.event", slug=e.slug, _external=True)} for e in rows]})


@bp.get("/events/<slug>")
def event(slug: str):
    ev = _published(slug)
    return cached(("api.event", ev.id, ev.revision), lambda: _json_bytes({
        **event_json(ev), "sessions_url": url_for("api.sessions", slug=ev.slug, _external=True)}),
        "application/json")


@bp.get("/events/<slug>/sessions")
def sessions(slug: str):
    head = services.event_head(slug)
    if head is not None and head.status == "published":
        hit = cached_hit(("api.sessions", head.id, head.revision), "application/json")
        if hit is not None:
            return hit
    ev = _published(slug)

    def render():
        sessions = services.agenda(ev)
        rooms = sorted({s.room for s in sessions if s.room is not None}, key=lambda room: room.id)
        items = [session_json(ev, s) for s in sessions]
        return _json_bytes({"event": ev.slug, "revision": ev.revision, "count": len(items),
                            "rooms": [room_json(room) for room in rooms], "sessions": items})
    return cached(("api.sessions", ev.id, ev.revision), render, "application/json")


TRANSLATED = {"type": "object", "description": "Text per language code (fr, es, en); missing languages are absent.",
              "additionalProperties": {"type": "string"}, "example": {"fr": "Plénière", "es": "Plenaria", "en": "Plenary"}}


def openapi_document() -> dict:
    schemas = {
        "Translated": TRANSLATED,
        "Event": {"type": "object", "required": ["slug", "title", "starts_on", "ends_on", "timezone"], "properties": {
            "slug": {"type": "string"}, "title": {"$ref": "#/components/schemas/Translated"},
            "description": {"$ref": "#/components/schemas/Translated"},
            "venue": {"$ref": "#/components/schemas/Translated"},
            "original_language": {"type": "string", "enum": ["fr", "es", "en"]},
            "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
            "timezone": {"type": "string", "description": "IANA time zone", "example": "Europe/Zurich"},
            "revision": {"type": "integer", "description": "Changes whenever the event or its agenda changes."}}},
        "Room": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "integer", "description": "The room in the event's room list."},
            "name": {"$ref": "#/components/schemas/Translated"},
            "capacity": {"type": ["integer", "null"]},
            "booths": {"type": "integer", "description": "Interpretation booths."}}},
        "Person": {"type": "object", "properties": {
            "id": {"type": "integer", "description": "The person in the event's people directory: the same on every session."},
            "role": {"type": "string", "enum": ["chair", "moderator", "speaker", "panelist", "contact"]},
            "name": {"type": "string"}, "organisation": {"type": "string", "description": "Title and organisation."},
            "email": {"type": "string", "description": "Only for contacts."}}},
        "Session": {"type": "object", "required": ["code", "kind", "title", "starts_at", "ends_at"], "properties": {
            "code": {"type": "string"},
            "kind": {"type": "string", "enum": ["plenary", "working", "regional_dialogue", "side_event"]},
            "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            "title": {"$ref": "#/components/schemas/Translated"},
            "original_language": {"type": "string"},
            "room": {"type": "string", "description": "The room's name in the event's original language; "
                                                      "in the three languages under rooms (room_id)."},
            "room_id": {"type": ["integer", "null"], "description": "The session's room in the response's rooms."},
            "starts_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with the event's UTC offset"},
            "ends_at": {"type": "string", "format": "date-time"},
            "capacity": {"type": ["integer", "null"]},
            "interpretation": {"type": "array", "items": {"type": "string"}},
            "concept_note": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Translated"}},
            "people": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}}}},
        "Error": {"type": "object", "required": ["error", "status"],
                  "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
        **registry().openapi_schemas,
    }
    not_found = {"description": "No published event with this slug", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    paths = {
        "/api/v1/events": {"get": {"summary": "Published events", "operationId": "listEvents", "responses": {"200": {
            "description": "Published events, newest first", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}}}}}}},
        "/api/v1/events/{slug}": {"get": {"summary": "One published event", "operationId": "getEvent",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The event", "headers": {"ETag": {"schema": {"type": "string"}}},
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                          "304": {"description": "Not modified (If-None-Match)"}, "404": not_found}}},
        "/api/v1/events/{slug}/sessions": {"get": {"summary": "The agenda of a published event", "operationId": "listSessions",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Sessions in time order", "headers": {"ETag": {"schema": {"type": "string"}}},
                                  "content": {"application/json": {"schema": {"type": "object", "properties": {
                                      "event": {"type": "string"}, "revision": {"type": "integer"}, "count": {"type": "integer"},
                                      "rooms": {"type": "array", "items": {"$ref": "#/components/schemas/Room"}},
                                      "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/Session"}}}}}}},
                          "304": {"description": "Not modified (If-None-Match)"}, "404": not_found}}},
        **registry().openapi_paths,
    }
    for operations in paths.values():
        for operation in operations.values():
            # A slug with "/" in it can make the address another operation's: 405, with its Allow header.
            operation["responses"].setdefault("405", {
                "description": "Not allowed at this address; the Allow header lists the methods that are",
                "headers": {"Allow": {"schema": {"type": "string"}, "required": True}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    return {"openapi": "3.1.0",
            "info": {"title": "dialogue API", "version": "1.0.0",
                     "description": "Agenda of published events; all text fields carry their French, Spanish and English versions."},
            "paths": paths, "components": {"schemas": schemas, "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "A personal API token, made on one's delegation page."}}}}


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
