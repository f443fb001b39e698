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
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..mail import send_mail
from ..models import User, audit, utcnow
from . import throttle
from .tokens import mail_link, reset_token, sign_in_token


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


def normalise_email(email: str) -> str:
    """The form in which emails are stored and compared."""
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str, address: str, lang: str) -> Attempt:
    """Check a password, slowing guesses per account and address; mail a sign-in link on lock-out."""
    email = normalise_email(email)
    wait = throttle.minutes_to_wait(email, address)
    if wait:
        return Attempt(None, _("Too many failed attempts. Try again in %(minutes)d minutes, or follow the sign-in "
                               "link we sent to the account's email address.", minutes=wait), 429)
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
