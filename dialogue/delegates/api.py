"""JSON API for a ministry's own system: list, create, update and withdraw the delegates of
one's own delegation, authenticated with a personal Bearer token, through the same services."""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from functools import cache

import jsonschema_rs
from flask import Blueprint, Flask, abort, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..actions import DomainError, perform
from ..extensions import csrf, db
from ..i18n import LANGUAGES
from ..models import User, audit, utcnow
from ..permissions import can_edit_delegation, ensure
from ..sessions import services as agenda
from ..validation import MAX_ID, json_body
from . import services
from .models import ApiToken, Delegate, Delegation, FocalPoint

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


#: Days a token lasts unless its maker chooses otherwise, and at most.
DEFAULT_DAYS, MAX_DAYS = 90, 366
#: A token's last use is written at most this often, so that a busy script does not write on every call.
LAST_USE_EVERY = timedelta(minutes=5)


def create_token(user: User, label: str, delegation: Delegation | None = None, *, can_write: bool = True,
                 expires_on: date | None = None) -> tuple[ApiToken, str]:
    """A new token for one delegation of which `user` is a focal point or organiser (without
    `delegation`: their only one), read-write or read-only, that expires at the end of
    `expires_on` (UTC; by default in 90 days, at most a year). The secret is returned once and
    only its hash is kept."""
    if delegation is None:
        ids = list(db.session.scalars(select(FocalPoint.delegation_id).where(FocalPoint.user_id == user.id).limit(2)))
        if len(ids) != 1:
            raise DomainError(_("Choose the delegation the token opens."), "delegation")
        delegation = db.session.get(Delegation, ids[0])
    ensure(can_edit_delegation, user, delegation, status=404)
    today = utcnow().date()
    expires_on = expires_on or today + timedelta(days=DEFAULT_DAYS)
    if not today <= expires_on <= today + timedelta(days=MAX_DAYS - 1):
        raise DomainError(_("Choose an expiry date from today to one year from now."), "expires_on")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, delegation=delegation, label=label.strip()[:100], token_hash=_hash(secret),
                     prefix=secret[:10], can_write=bool(can_write),
                     expires_at=datetime.combine(expires_on + timedelta(days=1), time()))
    db.session.add(token)
    db.session.flush()
    audit("api_token.create", user=user, event=delegation.event, target=f"delegation:{delegation.id}",
          token=token.prefix, can_write=token.can_write, expires_at=token.expires_at.isoformat())
    return token, secret


def user_tokens(user: User, delegation: Delegation | None = None) -> list[ApiToken]:
    """A user's tokens that are not revoked: those of `delegation`, and the old ones without a scope."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if delegation is not None:
        query = query.where(or_(ApiToken.delegation_id == delegation.id, ApiToken.delegation_id.is_(None)))
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc())))


def revoke_token(user: User, token_id: int) -> bool:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def _token() -> ApiToken:
    """The request's token, if it may still be used; 401 with the reason otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _sp, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        _fail(401, _("Send a personal API token: Authorization: Bearer <token>."))
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(secret.strip()),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or not token.user.active:
        _fail(401, _("This API token is not valid or was revoked."))
    now = utcnow()
    if token.delegation_id is None:
        _fail(401, _("This API token was made before tokens opened one delegation and expired: create a new one "
                     "on your delegation's page."))
    if token.expires_at is None or token.expires_at <= now:
        _fail(401, _("This API token has expired: create a new one on your delegation's page."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        token.last_used_at = now
    return token


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


def _delegation(slug: str, delegation_id: int, write: bool = False) -> tuple[User, Delegation]:
    """The delegation the token opens (404 for any other), and its user; 403 for a write with a
    read-only token."""
    with force_locale(_lang()):
        token = _token()
        user = token.user
        event = agenda.event_by_slug(slug)
        delegation = db.session.get(Delegation, delegation_id) if event else None
        if delegation is None or delegation.event_id != event.id or token.delegation_id != delegation.id \
                or not can_edit_delegation(user, delegation):
            _fail(404, _("No delegation with this id that your token may see."))
        if write and not token.can_write:
            perform(lambda: None)  # keep its last use before refusing the write
            _fail(403, _("This API token is read-only: create a read-write token to change the delegation."))
    return user, delegation


def delegate_json(d: Delegate) -> dict:
    return {"id": d.id, "salutation": d.salutation, "given_name": d.given_name, "family_name": d.family_name,
            "name_order": d.name_order, "native_name": d.native_name, "function": d.function, "email": d.email, "gender": d.gender, "role": d.role, "attendance": d.attendance,
            "status": d.status, "reason": d.reason or None,
            "sessions": sorted(r.session.code for r in d.registrations if not r.session.is_binned)}


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
    """The delegation's delegates, its quota and places held, and its nomination window."""
    _user, d = _delegation(slug, delegation_id)
    items = [delegate_json(x) for x in services.delegation_delegates(d)]
    window = services.window_for(d)
    perform(lambda: None)  # keeps the token's last use, when it was due to be written
    return jsonify({"delegation": d.id, "quota": d.quota, "held": sum(1 for x in items if x["status"] in ("nominated", "accredited")),
                    "window": {"opens_at": _utc(window.opens_at), "closes_at": _utc(window.closes_at),
                               "open": window.state() == "open"},
                    "delegates": items})


def _utc(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


@bp.post("/events/<slug>/delegations/<id:delegation_id>/delegates")
def create_delegate(slug: str, delegation_id: int):
    """Nominate a delegate (a read-write token, within the quota and the window)."""
    user, d = _delegation(slug, delegation_id, write=True)
    with force_locale(_lang()):
        data = _payload()
    with force_locale(_lang()):  # a DomainError answers 422 (409 for the quota) through the app's handler
        _ok, delegate = perform(lambda: services.nominate(d, data, user), denied=404)
    return jsonify(delegate_json(delegate)), 201


def _own_delegate(d: Delegation, delegate_id: int) -> Delegate:
    delegate = db.session.get(Delegate, delegate_id)
    if delegate is None or delegate.delegation_id != d.id:
        with force_locale(_lang()):
            _fail(404, _("No delegate with this id in your delegation."))
    return delegate


@bp.patch("/events/<slug>/delegations/<id:delegation_id>/delegates/<id:delegate_id>")
def update_delegate(slug: str, delegation_id: int, delegate_id: int):
    """Change a pending nomination: only the fields sent change."""
    user, d = _delegation(slug, delegation_id, write=True)
    delegate = _own_delegate(d, delegate_id)
    current = delegate_json(delegate)
    with force_locale(_lang()):
        data = {k: current[k] for k in services.FIELDS} | _payload("DelegatePatch")
    with force_locale(_lang()):
        perform(lambda: services.update_delegate(delegate, data, user), denied=404)
    return jsonify(delegate_json(delegate))


@bp.delete("/events/<slug>/delegations/<id:delegation_id>/delegates/<id:delegate_id>")
def withdraw_delegate(slug: str, delegation_id: int, delegate_id: int):
    """Withdraw a pending nomination: its place and email are free again."""
    user, d = _delegation(slug, delegation_id, write=True)
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
_auth = ("Authenticate with a personal token made on your delegation's page: `Authorization: Bearer <token>`. "
         "A token opens one delegation, reads only or reads and writes, and expires on the date chosen when it was "
         "made (90 days by default, a year at most). Tokens made before tokens had a scope were moved to their "
         "owner's delegation when there was exactly one (expiring 90 days after the upgrade); the others answer 401 "
         "and must be made again on the delegation's page.")
_common = {"401": {"description": "No token, or a revoked, expired or unscoped one", **_err},
           "404": {"description": "Not the delegation of this token, or no such delegate", **_err}}
_readonly = {"403": {"description": "A read-only token", **_err}}

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
                        "window": {"type": "object", "description": "When this delegation may nominate (UTC; null: no bound), "
                                   "with its own extension if any.", "properties": {
                                       "opens_at": {"type": ["string", "null"], "format": "date-time"},
                                       "closes_at": {"type": ["string", "null"], "format": "date-time"},
                                       "open": {"type": "boolean"}}},
                        "delegates": {"type": "array", "items": _ref}}}}}}, **_common}},
        "post": {"summary": "Nominate a delegate", "operationId": "createDelegate", "security": [{"bearerAuth": []}], "description": _auth,
                 "parameters": _params,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DelegateInput"}}}},
                 "responses": {"201": {"description": "Nominated", "content": {"application/json": {"schema": _ref}}},
                               "400": {"description": "Not a JSON object, or an unknown field", **_err},
                               "409": {"description": "The quota is reached, or the nomination window is closed", **_err},
                               "422": {"description": "A field is wrong (named in `field`)", **_err},
                               **_readonly, **_common}}},
    "/api/v1/events/{slug}/delegations/{delegation_id}/delegates/{delegate_id}": {
        "patch": {"summary": "Change a pending nomination", "operationId": "updateDelegate", "security": [{"bearerAuth": []}], "description": _auth,
                  "parameters": [*_params, _delegate_param],
                  "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DelegatePatch"}}}},
                  "responses": {"200": {"description": "Changed", "content": {"application/json": {"schema": _ref}}},
                                "400": {"description": "Not a JSON object, or an unknown field", **_err},
                                "409": {"description": "The nomination window is closed", **_err},
                                "422": {"description": "A field is wrong, or the nomination is already decided", **_err},
                                **_readonly, **_common}},
        "delete": {"summary": "Withdraw a pending nomination", "operationId": "withdrawDelegate", "security": [{"bearerAuth": []}], "description": _auth,
                   "parameters": [*_params, _delegate_param],
                   "responses": {"200": {"description": "Withdrawn", "content": {"application/json": {"schema": _ref}}},
                                 "422": {"description": "The nomination is already decided", **_err},
                                 **_readonly, **_common}}},
}
