"""Signed links sent by mail: invitations, password resets, and sign-in links after a lock-out.

Each link carries a mark of the state it changes, so it works once: an invitation or reset link
dies when the password it sets changes the hash it carries; a sign-in link dies at the next sign-in.
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import User
from .roles import PermissionDenied


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _password_mark(user: User) -> str:
    return (user.password_hash or "")[-12:]


def _login_mark(user: User) -> str:
    return user.last_login_at.isoformat() if user.last_login_at else ""


def invitation_token(user: User) -> str:
    """A signed link token; it dies once the password it sets changes the hash it carries."""
    return _serializer("invitation").dumps({"u": user.id, "h": _password_mark(user)})


def reset_token(user: User) -> str:
    """A "forgot password" token; like an invitation, it dies once the password changes."""
    return _serializer("password-reset").dumps({"u": user.id, "h": _password_mark(user)})


def sign_in_token(user: User) -> str:
    """A sign-in link sent when the account is locked; it dies at the user's next sign-in."""
    return _serializer("sign-in").dumps({"u": user.id, "t": _login_mark(user)})


def _load(purpose: str, token: str, max_age: int) -> tuple[User | None, dict]:
    data = _serializer(purpose).loads(token, max_age=max_age)
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    return user, data if isinstance(data, dict) else {}


def user_from_token(token: str) -> User:
    """The invited user, or a clear error when the link is forged, expired or already used."""
    try:
        user, data = _load("invitation", token, current_app.config["INVITATION_MAX_AGE_DAYS"] * 86400)
    except SignatureExpired:
        raise PermissionDenied(_("This invitation link has expired. Ask the organisers for a new one.")) from None
    except BadSignature:
        raise PermissionDenied(_("This invitation link is not valid.")) from None
    if user is None or _password_mark(user) != data.get("h"):
        raise PermissionDenied(_("This invitation link has already been used."))
    return user


def user_from_reset_token(token: str) -> User:
    """The user a password-reset link was sent to, or a clear error."""
    return _user_from_mailed_link("password-reset", token, "h", _password_mark)


def user_from_sign_in_token(token: str) -> User:
    """The user a sign-in link was sent to, or a clear error."""
    return _user_from_mailed_link("sign-in", token, "t", _login_mark)


def _user_from_mailed_link(purpose: str, token: str, key: str, mark) -> User:
    try:
        user, data = _load(purpose, token, current_app.config["MAIL_LINK_MAX_AGE_MINUTES"] * 60)
    except SignatureExpired:
        raise PermissionDenied(_("This link has expired. Ask for a new one on the sign-in page.")) from None
    except BadSignature:
        raise PermissionDenied(_("This link is not valid.")) from None
    if user is None or not user.active or mark(user) != data.get(key):
        raise PermissionDenied(_("This link has already been used. Ask for a new one on the sign-in page."))
    return user


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of a page, for a mail (PUBLIC_URL, since a mail has no request to go by)."""
    return current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/") + url_for(endpoint, **values)


def mail_link(endpoint: str, lang: str, token: str) -> str:
    """The absolute URL of a signed link, for a mail."""
    return public_url(endpoint, lang=lang, token=token)


def invitation_url(user: User, lang: str) -> str:
    """The absolute set-password link of an invitation."""
    return mail_link("auth.set_password", lang, invitation_token(user))
