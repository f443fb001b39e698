"""Logging in and out, invitation links, throttled failures, and role checks."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .extensions import db
from .labels import EVENT_ROLE_LABELS
from .models import EventRole, User, audit, utcnow
from .permissions import PermissionDenied, can_organise, ensure, has_role, organised_event_ids  # noqa: F401  (re-exported)

bp = Blueprint("auth", __name__, url_prefix="/<lang>/account")


def grant_role(user: User, event, role: str) -> EventRole:
    existing = db.session.scalar(select(EventRole).where(
        EventRole.user_id == user.id, EventRole.event_id == event.id, EventRole.role == role))
    if existing:
        return existing
    granted = EventRole(user=user, event=event, role=role)
    db.session.add(granted)
    return granted


# --- invitation links -------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_token(user: User) -> str:
    """A signed link token; it dies once the password it sets changes the hash it carries."""
    return _serializer().dumps({"u": user.id, "h": (user.password_hash or "")[-12:]})


def user_from_token(token: str) -> User:
    """The invited user, or a clear error when the link is forged, expired or already used."""
    max_age = current_app.config["INVITATION_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise PermissionDenied(_("This invitation link has expired. Ask the organisers for a new one.")) from None
    except BadSignature:
        raise PermissionDenied(_("This invitation link is not valid.")) from None
    user = db.session.get(User, data.get("u"))
    if user is None or (user.password_hash or "")[-12:] != data.get("h"):
        raise PermissionDenied(_("This invitation link has already been used."))
    return user


def invitation_url(user: User, lang: str) -> str:
    base = current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/")
    return base + url_for("auth.set_password", lang=lang, token=invitation_token(user))


def get_or_create_user(email: str, name: str = "") -> User:
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name.strip())
        db.session.add(user)
        db.session.flush()
    elif name and not user.name:
        user.name = name.strip()
    return user


# --- forms and views --------------------------------------------------------------------------

class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Sign in"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=10, message=_l("Use at least 10 characters."))])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Set password"))


def authenticate(email: str, password: str) -> tuple[User | None, str | None]:
    """The user for these credentials, or an error message; failures lock the account a while."""
    cfg = current_app.config
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return None, _("Too many failed attempts. Try again in %(minutes)d minutes.", minutes=minutes)
    if user is None or not user.active or not user.check_password(password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
                user.failed_logins = 0
                audit("user.locked", user=user)
        return None, _("Wrong email or password.")
    user.failed_logins = 0
    user.locked_until = None
    return user, None


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user, error = authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            form.password.errors.append(error)
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        flash(_("Welcome, %(name)s.", name=user.name or user.email), "success")
        return redirect(_safe_next(request.args.get("next")) or url_for("sessions.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("sessions.index"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    try:
        user = user_from_token(token)
    except PermissionDenied as exc:
        return render_template("errors/error.html", code=400, message=str(exc)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        user.failed_logins = 0
        user.locked_until = None
        audit("user.set_password", user=user)
        db.session.commit()
        login_user(user)
        flash(_("Your password is set. Welcome."), "success")
        return redirect(url_for("sessions.index"))
    return render_template("auth/set_password.html", form=form, user=user)


def invite(event, email: str, name: str, role: str, by, lang: str, *, subject: str | None = None,
           intro: str | None = None) -> User:
    """Give `email` a role in `event` and mail them: a set-password link if they have no password yet.

    Used for co-organisers here and by the other domains for focal points and rapporteurs.
    """
    from flask_babel import force_locale

    from .formatting import tr_text
    from .mail import send_mail

    ensure(can_organise, by, event)
    user = get_or_create_user(email, name)
    grant_role(user, event, role)
    with force_locale(lang):
        title = tr_text(event.title, event.original_language)
        base = current_app.config["SERVER_NAME_FOR_MAIL"].rstrip("/")
        if user.password_hash:
            link = base + url_for("auth.login", lang=lang)
            action = _("Sign in with your usual password: %(link)s", link=link)
        else:
            link = invitation_url(user, lang)
            days = current_app.config["INVITATION_MAX_AGE_DAYS"]
            action = _("Choose your password with this link, valid for %(days)d days: %(link)s", days=days, link=link)
        body = "\n\n".join(filter(None, [
            _("Hello %(name)s,", name=user.name or user.email),
            intro or _("You are invited to %(event)s as %(role)s.", event=title, role=EVENT_ROLE_LABELS[role]),
            action,
        ]))
        send_mail(user.email, subject or _("Invitation: %(event)s", event=title), body, event)
    audit("user.invite", user=by, event=event, target=f"user:{user.id}", role=role, email=user.email)
    return user
