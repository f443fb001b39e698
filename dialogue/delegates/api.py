"""JSON API for a ministry's own system: list, create, update and withdraw the delegates of
one's own delegation, authenticated with a personal Bearer token, through the same services."""
from __future__ import annotations

import hashlib
import secrets
from functools import cache

import jsonschema_rs
from flask import Blueprint, Flask, abort, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..actions import perform
from ..extensions import csrf, db
from ..i18n import LANGUAGES
from ..models import User, utcnow
from ..permissions import can_edit_delegation
from ..sessions import services as agenda
from ..validation import MAX_ID, json_body
from . import services
from .models import ApiToken, Delegate, Delegation

bp = Blueprint("delegates_api", __name__, url_prefix="/api/v1")
TOKEN_PREFIX = "dlg_"  # noqa: S105  (a prefix, not a secret)


def register(app: Flask) -> None:
    from ..registry import registry
    app.register_blueprint(bp)
    csrf.exempt(bp)  # token-authenticated only: a browser's cookies do not open this API
    registry(app).openapi_paths.update(PATHS)
    registry(app).openapi_schemas.update(SCHEMAS)


# --- tokens -------------------------------------------------------------------------------------

def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, label: str) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, label=label.strip()[:100], token_hash=_hash(secret), prefix=secret[:10])
    db.session.add(token)
    return token, secret


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                                   .order_by(ApiToken.created_at.desc())))


def revoke_token(user: User, token_id: int) -> bool:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def _token_user() -> User:
    header = request.headers.get("Authorization", "")
    scheme, _sp, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        _fail(401, "Send a personal API token: Authorization: Bearer <token>.")
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret.strip()),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        _fail(401, "This API token is not valid or was revoked.")
    token.last_used_at = utcnow()
    return token.user


def _fail(status: int, message: str, field: str | None = None):
    body = {"error": message, "status": status}
    if field is not None:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dialogue"'
    abort(response)


def _lang() -> str:
    return request.accept_languages.best_match(LANGUAGES) or "en"


def _delegation(slug: str, delegation_id: int) -> tuple[User, Delegation]:
    user = _token_user()
    event = agenda.event_by_slug(slug)
    delegation = db.session.get(Delegation, delegation_id) if event else None
    if delegation is None or delegation.event_id != event.id or not can_edit_delegation(user, delegation):
        _fail(404, "No delegation with this id that your token may see.")
    return user, delegation


def delegate_json(d: Delegate) -> dict:
    return {"id": d.id, "salutation": d.salutation, "given_name": d.given_name, "family_name": d.family_name,
            "name_order": d.name_order, "native_name": d.native_name, "function": d.function, "email": d.email, "gender": d.gender, "role": d.role, "attendance": d.attendance,
            "status": d.status, "reason": d.reason or None,
            "sessions": sorted(r.session.code for r in d.registrations)}


def _payload(schema: str = "DelegateInput") -> dict:
    """The JSON object of the request, checked against the schema the OpenAPI document publishes."""
    data = json_body()
    if not isinstance(data, dict):
        _fail(400, _("Send a JSON object (Content-Type: application/json)."))
    unknown = [k for k in data if k not in SCHEMAS[schema]["properties"]]
    if unknown:
        _fail(400, _("Unknown field: %(field)s.", field=unknown[0]), unknown[0])
    missing = [k for k in SCHEMAS[schema].get("required", ()) if k not in data]
    if missing:
        _fail(422, _("This field is required."), missing[0])
    wrong = {str(e.instance_path[0]) for e in _validator(schema).iter_errors(data) if e.instance_path}
    if wrong:
        field = min(wrong, key=lambda name: services.FIELDS.index(name) if name in services.FIELDS else 99)
        _fail(422, _("This value is not valid here: see the API document for its type, choices and length."), field)
    return data


@cache
def _validator(schema: str):
    """The compiled jsonschema-rs validator of one of the published schemas."""
    return jsonschema_rs.validator_for(SCHEMAS[schema])


# --- endpoints ------------------------------------------------------------------------------------

@bp.get("/events/<slug>/delegations/<id:delegation_id>/delegates")
def list_delegates(slug: str, delegation_id: int):
    _user, d = _delegation(slug, delegation_id)
    items = [delegate_json(x) for x in services.delegation_delegates(d)]
    perform(lambda: None)  # keeps the token's last_used_at
    return jsonify({"delegation": d.id, "quota": d.quota, "held": sum(1 for x in items if x["status"] in ("nominated", "accredited")),
                    "delegates": items})


@bp.post("/events/<slug>/delegations/<id:delegation_id>/delegates")
def create_delegate(slug: str, delegation_id: int):
    user, d = _delegation(slug, delegation_id)
    with force_locale(_lang()):
        data = _payload()
    with force_locale(_lang()):  # a DomainError answers 422 (409 for the quota) through the app's handler
        _ok, delegate = perform(lambda: services.nominate(d, data, user), denied=404)
    return jsonify(delegate_json(delegate)), 201


def _own_delegate(d: Delegation, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.delegation_id != d.id:
        _fail(404, "No delegate with this id in your delegation.")
    return delegate


@bp.patch("/events/<slug>/delegations/<id:delegation_id>/delegates/<id:delegate_id>")
def update_delegate(slug: str, delegation_id: int, delegate_id: int):
    user, d = _delegation(slug, delegation_id)
    delegate = _own_delegate(d, delegate_id)
    current = delegate_json(delegate)
    with force_locale(_lang()):
        data = {k: current[k] for k in services.FIELDS} | _payload("DelegatePatch")
    with force_locale(_lang()):
        perform(lambda: services.update_delegate(delegate, data, user), denied=404)
    return jsonify(delegate_json(delegate))


@bp.delete("/events/<slug>/delegations/<id:delegation_id>/delegates/<id:delegate_id>")
def withdraw_delegate(slug: str, delegation_id: int, delegate_id: int):
    user, d = _delegation(slug, delegation_id)
    delegate = _own_delegate(d, delegate_id)
    with force_locale(_lang()):
        perform(lambda: services.withdraw(delegate, user), denied=404)
    return jsonify(delegate_json(delegate))


# --- OpenAPI ------------------------------------------------------------------------------------

_ref = {"$ref": "#/components/schemas/Delegate"}
_err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/FieldError"}}}}
_id = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
#: Text without the control characters no field stores (lone surrogates are refused too); a name needs a visible one.
_TEXT = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*$"
_NAME = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*[^\\s\\x00-\\x1F\\x7F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*$"
_params = [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
           {"name": "delegation_id", "in": "path", "required": True, "schema": _id}]
_delegate_param = {"name": "delegate_id", "in": "path", "required": True, "schema": _id}
_auth = "Authenticate with a personal token made on your delegation's page: `Authorization: Bearer <token>`."
_common = {"401": {"description": "No token, or a revoked one", **_err},
           "404": {"description": "Not your delegation, or no such delegate", **_err}}

SCHEMAS = {
    "DelegateInput": {"type": "object", "additionalProperties": False, "required": ["given_name", "family_name", "email"], "properties": {
        "salutation": {"type": "string", "enum": ["none", "ms", "mr", "mx", "he_ms", "he_mr", "dr", "prof"]},
        "given_name": {"type": "string", "maxLength": 120, "pattern": _NAME, "description": "Kept exactly as sent, in any script."},
        "family_name": {"type": "string", "maxLength": 120, "pattern": _NAME},
        "name_order": {"type": "string", "enum": ["given_family", "family_given"],
                       "description": "How the person writes their name; by default family name first for CJK names."},
        "native_name": {"type": "string", "maxLength": 240, "pattern": _TEXT, "description": "The name in the person's own script."},
        "function": {"type": ["string", "null"], "maxLength": 300, "pattern": _TEXT},
        "email": {"type": "string", "maxLength": 254, "format": "email", "pattern": _TEXT,
                  "description": "Once per event among active nominations."},
        "gender": {"type": "string", "enum": ["female", "male", "other", "undisclosed"]},
        "role": {"type": "string", "enum": ["head", "alternate", "adviser", "member"],
                 "description": "At most one head per delegation."},
        "attendance": {"type": "string", "enum": ["in_person", "online"]},
        "sessions": {"type": "array", "maxItems": 200, "items": {"type": "string", "maxLength": 20, "pattern": _TEXT},
                     "description": "Codes of the sessions to attend."}}},
    "Delegate": {"type": "object", "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["nominated", "accredited", "rejected", "withdrawn"]},
        "reason": {"type": ["string", "null"], "description": "Why the organisers rejected it."}}},
    "FieldError": {"type": "object", "required": ["error", "status"], "properties": {
        "error": {"type": "string", "description": "Message in the language of Accept-Language (fr, es, en)."},
        "status": {"type": "integer"},
        "field": {"type": "string", "description": "The field that is wrong, when there is one."}}},
}
SCHEMAS["DelegatePatch"] = {k: v for k, v in SCHEMAS["DelegateInput"].items() if k != "required"}
SCHEMAS["Delegate"]["properties"] = {
    **{name: {k: v for k, v in field.items() if k not in ("pattern", "format")}
       for name, field in SCHEMAS["DelegateInput"]["properties"].items()},
    **SCHEMAS["Delegate"]["properties"]}

PATHS = {
    "/api/v1/events/{slug}/delegations/{delegation_id}/delegates": {
        "get": {"summary": "Delegates of your delegation", "operationId": "listDelegates", "security": [{"bearerAuth": []}], "description": _auth,
                "parameters": _params, "responses": {"200": {"description": "All nominations, heads first", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "delegation": {"type": "integer"}, "quota": {"type": "integer"}, "held": {"type": "integer"},
                        "delegates": {"type": "array", "items": _ref}}}}}}, **_common}},
        "post": {"summary": "Nominate a delegate", "operationId": "createDelegate", "security": [{"bearerAuth": []}], "description": _auth,
                 "parameters": _params,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DelegateInput"}}}},
                 "responses": {"201": {"description": "Nominated", "content": {"application/json": {"schema": _ref}}},
                               "400": {"description": "Not a JSON object, or an unknown field", **_err},
                               "409": {"description": "The quota is reached", **_err},
                               "422": {"description": "A field is wrong (named in `field`)", **_err}, **_common}}},
    "/api/v1/events/{slug}/delegations/{delegation_id}/delegates/{delegate_id}": {
        "patch": {"summary": "Change a pending nomination", "operationId": "updateDelegate", "security": [{"bearerAuth": []}], "description": _auth,
                  "parameters": [*_params, _delegate_param],
                  "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DelegatePatch"}}}},
                  "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": _ref}}},
                                "400": {"description": "Not a JSON object, or an unknown field", **_err},
                                "422": {"description": "A field is wrong, or the nomination is already decided", **_err},
                                **_common}},
        "delete": {"summary": "Withdraw a pending nomination", "operationId": "withdrawDelegate", "security": [{"bearerAuth": []}], "description": _auth,
                   "parameters": [*_params, _delegate_param],
                   "responses": {"200": {"description": "Withdrawn", "content": {"application/json": {"schema": _ref}}},
                                 "422": {"description": "The nomination is already decided", **_err}, **_common}}},
}
