"""Error answers: a styled page in the visitor's language for the site, JSON for the API; never a bare 500."""
from __future__ import annotations

from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import refresh
from werkzeug.exceptions import HTTPException

from .extensions import db
from .i18n import LANGUAGES

#: Headers of an HTTP error kept on our own answer (405 names the allowed methods, 401 the scheme).
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


def _language_from_path() -> None:
    """The page's language from the URL's first part, even when the error came before the view ran."""
    first = request.path.lstrip("/").split("/", 1)[0]
    if first in LANGUAGES and getattr(g, "lang", None) != first:
        g.lang = first
        refresh()  # forget a locale chosen before the language was known


def _message(error: HTTPException) -> str | None:
    """The description given with abort(), if any; werkzeug's English defaults are not shown."""
    description = getattr(error, "description", None)
    if description and description != type(error).description:
        return str(description)
    return None


def render_error(error: HTTPException):
    """The answer to an HTTP error: JSON {"error", "status"} under /api/, else errors/error.html."""
    # After a database error the session cannot run queries until rolled back; the page needs it.
    db.session.rollback()
    code = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k in KEPT_HEADERS]
    if request.path.startswith("/api/"):
        response = jsonify({"error": _message(error) or error.name, "status": code})
    else:
        _language_from_path()
        response = make_response(render_template("errors/error.html", code=code, error=error, message=_message(error)))
    response.status_code = code
    response.headers.extend(headers)
    return response


def init_app(app: Flask) -> None:
    """Register the handler of every HTTP error, unexpected exceptions (500) included."""
    app.register_error_handler(HTTPException, render_error)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """An expired or foreign form: a 400 page that says what to do."""
        db.session.rollback()
        _language_from_path()
        return render_template("errors/error.html", code=400, error=error, csrf=True), 400
