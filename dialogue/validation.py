"""Validation at the edge, before any view runs: ids in URLs, characters and size of every input."""
from __future__ import annotations

import json
import re

from flask import Flask, abort, g, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

#: The databases' INTEGER: ids and numbers above it cannot be stored or looked up.
MAX_ID = 2**31 - 1
#: JSON bodies: bytes and nesting accepted by the API.
MAX_JSON_BYTES = 256 * 1024
MAX_JSON_DEPTH = 16
#: Text of any form field, query parameter or JSON string (the fields' own limits are smaller).
MAX_FORM_BYTES = 2 * 1024 * 1024

#: Characters the databases refuse or that have no place in text: C0 controls but tab and line ends,
#: DEL, lone surrogates (from JSON "\\ud800" escapes) and the non-characters U+FFFE/U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class IdConverter(IntegerConverter):
    """`<id:name>`: 1 to 2^31-1 in at most ten digits; anything else does not match (404)."""

    regex = r"\d{1,10}"

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


def id_arg(value: str) -> int:
    """`type=` for request.args.get(): an id 1..MAX_ID, else ValueError (so get() returns its default)."""
    if not (value.isascii() and value.isdigit() and len(value) <= 10) or not 1 <= int(value) <= MAX_ID:
        raise ValueError(value)
    return int(value)


def page_arg(name: str = "page") -> int:
    """The page number of `?page=`: 1 when absent or not a page number."""
    return request.args.get(name, 1, type=id_arg)


def has_forbidden(text: str) -> bool:
    """True when `text` holds a character no field may store (NUL, controls, lone surrogates)."""
    return FORBIDDEN.search(text) is not None


def forbidden_message() -> str:
    return _("The text contains characters that cannot be stored (control characters or invalid Unicode). "
             "Remove them and send it again.")


def _check_json(value, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        abort(400, description=_("The JSON body is nested too deeply (at most %(depth)s levels).", depth=MAX_JSON_DEPTH))
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1)
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1)
    elif isinstance(value, str) and has_forbidden(value):
        abort(400, description=forbidden_message())
    elif isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        abort(400, description=_("Numbers in the JSON body must be finite."))


def json_body():
    """The request's JSON, parsed once and checked: size, nesting, characters. Invalid JSON is a 400."""
    if "json_body" in g:
        return g.json_body
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        abort(413, description=_("The JSON body is too large (at most %(size)s kB).", size=MAX_JSON_BYTES // 1024))
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        abort(413, description=_("The JSON body is too large (at most %(size)s kB).", size=MAX_JSON_BYTES // 1024))
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        abort(400, description=_("The body is not valid JSON."))
    _check_json(value)
    g.json_body = value
    return value


def _refuse_constant(name: str):
    raise ValueError(name)


def check_request() -> None:
    """Refuse, before the view, input that no field could store: forbidden characters, invalid JSON."""
    for key, value in request.args.items(multi=True):
        if has_forbidden(key) or has_forbidden(value):
            abort(400, description=forbidden_message())
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json and request.get_data(cache=True):
            json_body()
        else:
            for key, value in request.form.items(multi=True):
                if has_forbidden(key) or has_forbidden(value):
                    abort(400, description=forbidden_message())


def init_app(app: Flask) -> None:
    """The `id` URL converter, the form size limit and the request check (call before blueprints)."""
    app.url_map.converters["id"] = IdConverter
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_FORM_BYTES
    app.before_request(check_request)
