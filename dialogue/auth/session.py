"""Sessions: cookies carry the user's session version, and signed-in pages are never stored."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from ..extensions import db
from ..models import User


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: "id:version"; a cookie from before a sign-out or password change fails."""
    ident, _sep, version = (user_id or "").partition(":")
    if not (ident.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version):
        return None
    return user


def may_be_signed_in() -> bool:
    """Whether the request carries a session or remember-me cookie (checked without touching the session)."""
    if "HTTP_COOKIE" not in request.environ:  # no cookie at all: the usual public request, answered at once
        return False
    cfg = current_app.config
    return bool(request.cookies.get(cfg["SESSION_COOKIE_NAME"]) or
                request.cookies.get(cfg.get("REMEMBER_COOKIE_NAME", "remember_token")))


def no_store_when_signed_in(response):
    """`Cache-Control: no-store` on what a signed-in user gets, unless the view chose public caching (or static files)."""
    # Cheapest checks first: parsing Cache-Control is only needed with a session cookie.
    if request.endpoint == "static" or not may_be_signed_in() or response.cache_control.public:
        return response
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response
