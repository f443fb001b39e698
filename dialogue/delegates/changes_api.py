"""JSON API of changes after accreditation: a delegation's requests (substitution or withdrawal) with
their state, and a new request with a read-write token of that delegation; organisers decide in the UI."""
from __future__ import annotations

from functools import cache

import jsonschema_rs
from flask import Flask, jsonify
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..actions import perform
from ..extensions import db
from ..validation import json_body
from . import substitutions
from .api import (
    _NAME,
    SCHEMAS,
    _common,
    _delegate_param,
    _err,
    _fail,
    _lang,
    _own_delegate,
    _params,
    _utc,
    bp,
)
from .api import _auth as _auth_text
from .api import _delegation as _token_delegation
from .personal_models import ChangeRequest

#: The replacement's fields an answer repeats (what the focal point sent, minus the sessions).
SHOWN = ("salutation", "given_name", "family_name", "name_order", "native_name", "function", "email", "gender", "role",
         "attendance")


def register(app: Flask) -> None:
    """Publish the endpoints' OpenAPI paths and schemas (the routes are on the delegates API's blueprint)."""
    from ..registry import registry
    registry(app).openapi_paths.update(PATHS)
    registry(app).openapi_schemas.update(CHANGE_SCHEMAS)


def change_json(change: ChangeRequest) -> dict:
    """A request as the API shows it: what was asked, its state, and the decision's reason once decided."""
    replacement = {k: change.replacement.get(k) for k in SHOWN if k in change.replacement} or None
    if replacement is not None:
        replacement["sessions"] = list(change.replacement.get("sessions") or [])
    return {"id": change.id, "delegate": change.delegate_id, "kind": change.kind, "status": change.status,
            "reason": change.reason, "replacement": replacement, "replacement_delegate": change.replacement_id,
            "decision_reason": (change.decision_reason or None) if change.status != "pending" else None,
            "created_at": _utc(change.created_at), "decided_at": _utc(change.decided_at)}


def _change_payload() -> dict:
    """The request's JSON object, checked against ChangeInput (the replacement against DelegateInput)."""
    data = json_body()
    if not isinstance(data, dict):
        _fail(400, _("Send a JSON object (Content-Type: application/json)."))
    schema = CHANGE_SCHEMAS["ChangeInput"]
    unknown = [k for k in data if k not in schema["properties"]]
    if unknown:
        _fail(400, _("Unknown field: %(field)s.", field=unknown[0]), unknown[0])
    replacement = data.get("replacement")
    if isinstance(replacement, dict):
        odd = [k for k in replacement if k not in SCHEMAS["DelegateInput"]["properties"]]
        if odd:
            _fail(400, _("Unknown field: %(field)s.", field=f"replacement.{odd[0]}"), f"replacement.{odd[0]}")
    missing = [k for k in schema["required"] if k not in data]
    if missing:
        _fail(422, _("This field is required."), missing[0])
    wrong = sorted(".".join(str(p) for p in e.instance_path[:2]) for e in _validator().iter_errors(data)
                   if e.instance_path)
    if wrong:
        _fail(422, _("This value is not valid here: see the API document for its type, choices and length."), wrong[0])
    return data


@cache
def _validator():
    """ChangeInput with DelegateInput in place of its reference, compiled once."""
    schema = CHANGE_SCHEMAS["ChangeInput"]
    inline = {**schema, "properties": {**schema["properties"], "replacement": SCHEMAS["DelegateInput"]}}
    return jsonschema_rs.validator_for(inline)


@bp.get("/events/<slug>/delegations/<id:delegation_id>/changes")
def list_changes(slug: str, delegation_id: int):
    """The delegation's requests to replace or withdraw accredited delegates, newest first, with their state."""
    _user, d = _token_delegation(slug, delegation_id)
    changes = db.session.scalars(select(ChangeRequest).where(ChangeRequest.delegation_id == d.id)
                                 .order_by(ChangeRequest.id.desc())).all()
    items = [change_json(c) for c in changes]
    perform(lambda: None)  # keeps the token's last use, when it was due to be written
    return jsonify({"delegation": d.id, "changes": items})


@bp.post("/events/<slug>/delegations/<id:delegation_id>/delegates/<id:delegate_id>/changes")
def request_change(slug: str, delegation_id: int, delegate_id: int):
    """Ask the organisers to replace an accredited delegate (with `replacement`) or to withdraw them."""
    user, d = _token_delegation(slug, delegation_id, write=True)
    delegate = _own_delegate(d, delegate_id)
    with force_locale(_lang()):
        data = _change_payload()
    with force_locale(_lang()):  # a DomainError answers 422 through the app's handler
        _ok, change = perform(lambda: substitutions.request_change(
            delegate, data["kind"], data["reason"], data.get("replacement") if data["kind"] == "substitute" else None,
            user))
    return jsonify(change_json(change)), 201


# --- OpenAPI ------------------------------------------------------------------------------------

_change = {"$ref": "#/components/schemas/ChangeRequest"}
_moment = {"type": ["string", "null"], "format": "date-time"}

CHANGE_SCHEMAS = {
    "ChangeInput": {"type": "object", "additionalProperties": False, "required": ["kind", "reason"], "properties": {
        "kind": {"type": "string", "enum": list(substitutions.KINDS),
                 "description": "`substitute`: replace the delegate by the person in `replacement`; `withdraw`."},
        "reason": {"type": "string", "maxLength": 2000, "pattern": _NAME, "description": "Why: the organisers read it."},
        "replacement": {"$ref": "#/components/schemas/DelegateInput",
                        "description": "The new person (a substitution only), with the fields of a nomination."}}},
    "ChangeRequest": {"type": "object", "required": ["id", "delegate", "kind", "status"], "properties": {
        "id": {"type": "integer"},
        "delegate": {"type": "integer", "description": "The accredited delegate to replace or withdraw."},
        "kind": {"type": "string", "enum": list(substitutions.KINDS)},
        "status": {"type": "string", "enum": ["pending", "accepted", "refused"]},
        "reason": {"type": "string"},
        "replacement": {"type": ["object", "null"], "description": "The new person asked for (a substitution)."},
        "replacement_delegate": {"type": ["integer", "null"],
                                 "description": "The accredited replacement, once the substitution is accepted."},
        "decision_reason": {"type": ["string", "null"], "description": "The organisers' reason, once decided."},
        "created_at": {"type": "string", "format": "date-time"}, "decided_at": _moment}},
}

PATHS = {
    "/api/v1/events/{slug}/delegations/{delegation_id}/changes": {
        "get": {"summary": "Your delegation's substitution and withdrawal requests", "operationId": "listChanges",
                "security": [{"bearerAuth": []}], "description": _auth_text, "parameters": _params,
                "responses": {"200": {"description": "All requests, newest first, with their state", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "delegation": {"type": "integer"}, "changes": {"type": "array", "items": _change}}}}}},
                    **_common}}},
    "/api/v1/events/{slug}/delegations/{delegation_id}/delegates/{delegate_id}/changes": {
        "post": {"summary": "Ask to replace or withdraw an accredited delegate", "operationId": "requestChange",
                 "security": [{"bearerAuth": []}], "description": _auth_text + " Only the delegation's focal points ask; "
                 "the organisers accept or refuse in the application.",
                 "parameters": [*_params, _delegate_param],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/ChangeInput"}}}},
                 "responses": {"201": {"description": "Sent to the organisers (pending)",
                                       "content": {"application/json": {"schema": _change}}},
                               "400": {"description": "Not a JSON object, or an unknown field", **_err},
                               "422": {"description": "A field is wrong, the delegate is not accredited, or a request "
                                                      "for them is already pending", **_err},
                               "403": {"description": "A read-only token, or an organiser's (focal points ask)", **_err},
                               **_common}}},
}
