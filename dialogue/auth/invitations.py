"""Inviting people into an event: an account for the email, a role, and a mail with a link."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..formatting import tr_text
from ..labels import EVENT_ROLE_LABELS
from ..mail import send_mail
from ..models import User, audit
from ..permissions import can_organise, ensure
from .roles import grant_role
from .tokens import invitation_url, public_url
from .users import find_user, normalise_email


def get_or_create_user(email: str, name: str = "") -> User:
    """The account with this email, created (without a password) if there is none."""
    user = find_user(email)
    if user is None:
        user = User(email=normalise_email(email), name=name.strip())
        db.session.add(user)
        db.session.flush()
    elif name and not user.name:
        user.name = name.strip()
    return user


def invite(event, email: str, name: str, role: str, by, lang: str, *, subject: str | None = None,
           intro: str | None = None) -> User:
    """Give `email` a role in `event` and mail them: a set-password link if they have no password yet.

    Used for co-organisers here and by the other domains for focal points and rapporteurs.
    """
    ensure(can_organise, by, event)
    user = get_or_create_user(email, name)
    grant_role(user, event, role)
    with force_locale(lang):
        title = tr_text(event.title, event.original_language)
        if user.password_hash:
            link = public_url("auth.login", lang=lang)
            action = _("Sign in with your usual password: %(link)s", link=link)
        else:
            link = invitation_url(user, lang)
            days = current_app.config["INVITATION_MAX_AGE_DAYS"]
            action = _("Choose your password with this link, valid for %(days)d days: %(link)s", days=days, link=link)
        body = "\n\n".join(filter(None, [
            _("Hello %(name)s,", name=user.name or user.email),
            intro or _("You are invited to %(event)s as %(role)s.", event=title, role=EVENT_ROLE_LABELS[role]),
            _("At the entrance, scan a badge's QR code and sign in: the page shows whether the badge is valid.")
            if role == "badge_checker" and intro is None else "",
            action,
        ]))
        send_mail(user.email, subject or _("Invitation: %(event)s", event=title), body, event)
    audit("user.invite", user=by, event=event, target=f"user:{user.id}", role=role, email=user.email)
    return user
