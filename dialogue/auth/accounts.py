"""Account services: password sign-in with lock-out, sign-out, forgotten passwords, mailed links.

They take plain values (the client address is passed in), never read `request`, and leave the
commit to the caller. Known and unknown emails get the same words and the same work.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from ..actions import DomainError
from ..mail import send_mail
from ..models import User, audit, utcnow
from . import throttle
from .tokens import mail_link, reset_token, sign_in_token
from .users import find_user, normalise_email


@dataclass
class Attempt:
    """The outcome of a password sign-in: the user, or a message and the HTTP status to answer."""

    user: User | None
    error: str | None = None
    status: int = 200


@cache
def _dummy_hash() -> str:
    """A hash of nothing anyone knows, checked for unknown emails so they take as long as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str, address: str, lang: str) -> Attempt:
    """Check a password, slowing guesses per account and address; mail a sign-in link on lock-out."""
    email = normalise_email(email)
    wait = throttle.minutes_to_wait(email, address)
    if wait:
        return Attempt(None, _wait_message(wait), 429)
    user = find_user(email)
    usable = user is not None and user.active and bool(user.password_hash)
    # One hash check on every path: an unknown email costs what a known one does.
    matches = check_password_hash(user.password_hash if usable else _dummy_hash(), password or "")
    if not (usable and matches):
        if throttle.record_failure(email, address) and user is not None and user.active:
            _mail_sign_in_link(user, lang)
            audit("user.locked", user=user)
        return Attempt(None, _("Wrong email or password."), 401)
    throttle.forget_failures(email, address)
    user.last_login_at = utcnow()
    return Attempt(user)


def _wait_message(minutes: int) -> str:
    return _("Too many failed attempts. Try again in %(minutes)d minutes, or follow the sign-in link we sent to "
             "the account's email address.", minutes=minutes)


def _mail_sign_in_link(user: User, lang: str) -> None:
    lang = user.locale or lang
    cfg = current_app.config
    with force_locale(lang):
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.name or user.email),
            _("Someone, perhaps you, typed a wrong password for your account several times. Signing in with a "
              "password is paused for %(minutes)d minutes.", minutes=cfg["LOGIN_LOCK_MINUTES"]),
            _("To sign in now, follow this link, valid for %(minutes)d minutes and once: %(link)s",
              minutes=cfg["MAIL_LINK_MAX_AGE_MINUTES"], link=mail_link("auth.sign_in_link", lang, sign_in_token(user))),
            _("If it was not you, your password held. You may still choose a new one from the sign-in page."),
        ])
        send_mail(user.email, _("Your sign-in link"), body)


def request_password_reset(email: str, lang: str) -> None:
    """Mail a reset link if an active account has this email; the view answers the same either way.

    How many links one email may receive is limited by the view (MAIL_LINK_LIMIT_PER_ACCOUNT).
    """
    user = find_user(email)
    if user is None or not user.active:
        return
    lang = user.locale or lang
    with force_locale(lang):
        body = "\n\n".join([
            _("Hello %(name)s,", name=user.name or user.email),
            _("To choose a new password, follow this link, valid for %(minutes)d minutes and once: %(link)s",
              minutes=current_app.config["MAIL_LINK_MAX_AGE_MINUTES"],
              link=mail_link("auth.reset_password", lang, reset_token(user))),
            _("If you did not ask for it, ignore this message: your password stays as it is."),
        ])
        send_mail(user.email, _("Choose a new password"), body)
    audit("user.reset_requested", user=user)


def set_new_password(user: User, password: str, action: str = "user.set_password") -> User:
    """Set the password, end every other session, and lift the lock-out the owner just got past."""
    user.set_password(password)
    user.end_sessions()
    user.last_login_at = utcnow()
    throttle.forget_failures(user.email)
    audit(action, user=user)
    return user


def sign_in_with_link(user: User, address: str) -> User:
    """Sign in the owner who followed a mailed sign-in link (the link then dies)."""
    user.last_login_at = utcnow()
    throttle.forget_failures(user.email, address)
    audit("user.sign_in_link", user=user)
    return user


def sign_out(user: User) -> None:
    """End every session of the user, on every device, remember-me cookies included."""
    user.end_sessions()


def change_password(user: User, current: str, new: str, address: str) -> User:
    """A signed-in user's new password, once the current one is proven; wrong guesses count as failed sign-ins."""
    wait = throttle.minutes_to_wait(user.email, address)
    if wait:
        raise DomainError(_wait_message(wait), "current")
    if not user.check_password(current or ""):
        throttle.record_failure(user.email, address)
        raise DomainError(_("This is not your current password."), "current")
    return set_new_password(user, new, "user.change_password")
