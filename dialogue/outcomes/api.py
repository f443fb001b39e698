"""JSON of published outcome documents: every version, its files and their SHA-256."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, url_for

from ..permissions import can_view_event, ensure
from ..sessions.services import event_by_slug
from . import publications

bp = Blueprint("outcomes_api", __name__, url_prefix="/api/v1")

#: This domain's parts of the OpenAPI document, added to each app by outcomes.views.register.
PATHS: dict = {}
SCHEMAS: dict = {}


@bp.get("/events/<slug>/outcome")
def outcome_versions(slug: str):
    ev = event_by_slug(slug)
    if ev is None:
        abort(404, description="No published event with this slug.")
    ensure(can_view_event, None, ev, status=404)  # the API opens nothing to a session cookie
    versions: dict[int, dict] = {}
    for p in publications.all_versions(ev):
        entry = versions.setdefault(p.version, {"version": p.version, "symbol": p.symbol, "mark": p.mark,
                                                "published_at": p.published_at.isoformat() + "Z", "files": {}})
        entry["files"][p.language] = {
            "title": p.title, "sha256": p.sha256, "size": p.size, "original_language_only": p.original_only,
            "url": url_for("outcomes.download_version", lang=p.language, slug=ev.slug, version=p.version,
                           _external=True)}
        if p.docx_sha256:
            entry["files"][p.language]["docx"] = {
                "sha256": p.docx_sha256, "size": p.docx_size,
                "url": url_for("outcomes.download_docx_version", lang=p.language, slug=ev.slug, version=p.version,
                               _external=True)}
    if not versions:
        abort(404, description="No published outcome document for this event.")
    items = sorted(versions.values(), key=lambda v: -v["version"])
    return jsonify({"event": ev.slug, "current": items[0]["version"], "versions": items})


SCHEMAS["OutcomeVersion"] = {"type": "object", "properties": {
    "version": {"type": "integer"}, "symbol": {"type": "string", "description": "With the mark, e.g. A/1/Rev.1"},
    "mark": {"type": "string", "description": "Rev.n, Corr.n or Rev.n/Corr.m; empty for the first version"},
    "published_at": {"type": "string", "format": "date-time"},
    "files": {"type": "object", "description": "One PDF per language code.", "additionalProperties": {
        "type": "object", "properties": {
            "title": {"type": "string"}, "sha256": {"type": "string"}, "size": {"type": "integer"},
            "original_language_only": {"type": "array", "items": {"type": "integer"},
                                       "description": "Numbers of the paragraphs published in their original language."},
            "url": {"type": "string", "format": "uri"},
            "docx": {"type": "object", "description": "The same version as a Word file.", "properties": {
                "sha256": {"type": "string"}, "size": {"type": "integer"},
                "url": {"type": "string", "format": "uri"}}}}}}}}
PATHS["/api/v1/events/{slug}/outcome"] = {"get": {
    "summary": "Published versions of the outcome document", "operationId": "listOutcomeVersions",
    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
    "responses": {"200": {"description": "Versions, newest first; each PDF never changes.", "content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "event": {"type": "string"}, "current": {"type": "integer"},
            "versions": {"type": "array", "items": {"$ref": "#/components/schemas/OutcomeVersion"}}}}}}},
        "404": {"description": "No published event or outcome document"}}}}
