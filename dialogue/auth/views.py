"""Account pages: sign in and out, forgotten password, invitation, reset and sign-in links."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ..actions import perform
from ..extensions import limiter
from . import accounts
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm, SignInLinkForm
from .redirects import safe_next
from .roles import PermissionDenied
from .session import no_store_when_signed_in
from .tokens import user_from_reset_token, user_from_sign_in_token, user_from_token

bp = Blueprint("auth", __name__, url_prefix="/<lang>/account")
bp.after_app_request(no_store_when_signed_in)


def _limit(key: str):
    """The configured limit string `key`, read per request so tests and deployments can change it."""
    return lambda: current_app.config[key]


def _refused(response) -> bool:
    return response.status_code in (401, 429)


def _posted_email() -> str:
    return "email:" + accounts.normalise_email(request.form.get("email", ""))[:254]


def _token() -> str:
    return "token:" + (request.view_args or {}).get("token", "")[:64]


# Per client address: failed sign-ins only, so a venue's shared address is not slowed by success.
_login_limit = limiter.limit(_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_refused)
_mail_limit = limiter.limit(_limit("MAIL_LINK_LIMIT_PER_ADDRESS"), methods=["POST"])
_mail_account_limit = limiter.limit(_limit("MAIL_LINK_LIMIT_PER_ACCOUNT"), methods=["POST"], key_func=_posted_email)
_link_limit = limiter.limit(_limit("LINK_LIMIT_PER_ADDRESS"), methods=["POST"])
_link_account_limit = limiter.limit(_limit("LINK_LIMIT_PER_LINK"), methods=["POST"], key_func=_token)


def _lang() -> str:
    return g.get("lang") or "en"


@bp.route("/login", methods=["GET", "POST"])
@_login_limit
def login():
    """Sign in with email and password; a wrong guess or a lock-out reads the same for any email."""
    form = LoginForm()
    if form.validate_on_submit():
        _ok, attempt = perform(lambda: accounts.authenticate(
            form.email.data, form.password.data, get_remote_address(), _lang()))
        if attempt.user is None:
            form.password.errors.append(attempt.error)
            return render_template("auth/login.html", form=form), attempt.status
        login_user(attempt.user, remember=form.remember.data)
        flash(_("Welcome, %(name)s.", name=attempt.user.name or attempt.user.email), "success")
        return redirect(safe_next(request.args.get("next")) or url_for("sessions.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Sign out here and end every other session of the account."""
    perform(lambda: accounts.sign_out(current_user._get_current_object()))
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("sessions.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@_login_limit
def change_password():
    """Change the password with the current one; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        ok, _user = perform(lambda: accounts.change_password(
            user, form.current.data, form.password.data, get_remote_address()), form=form)
        if not ok:
            return render_template("auth/change_password.html", form=form), 401
        login_user(user)
        flash(_("Your password is changed. Your other sessions are signed out."), "success")
        return redirect(url_for("manage.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@_mail_limit
@_mail_account_limit
def forgot_password():
    """Ask for a password-reset link; the answer is the same whether the email has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        perform(lambda: accounts.request_password_reset(form.email.data, _lang()))
        flash(_("If an account uses this email, a link to choose a new password is on its way. It is valid for "
                "%(minutes)d minutes.", minutes=current_app.config["MAIL_LINK_MAX_AGE_MINUTES"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _new_password_page(load, action: str, template_title: str):
    """The set-password page behind a signed link (`load` turns the token into its user)."""
    try:
        user = load()
    except PermissionDenied as exc:
        return render_template("errors/error.html", code=400, message=str(exc)), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        perform(lambda: accounts.set_new_password(user, form.password.data, action))
        login_user(user)
        flash(_("Your password is set. Welcome."), "success")
        return redirect(url_for("sessions.index"))
    return render_template("auth/set_password.html", form=form, user=user, title=template_title)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@_link_limit
@_link_account_limit
def set_password(token: str):
    """Choose a first password from an invitation link."""
    return _new_password_page(lambda: user_from_token(token), "user.set_password", _("Set your password"))


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@_link_limit
@_link_account_limit
def reset_password(token: str):
    """Choose a new password from a "forgot password" link."""
    return _new_password_page(lambda: user_from_reset_token(token), "user.reset_password", _("Choose a new password"))


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
@_link_limit
@_link_account_limit
def sign_in_link(token: str):
    """Sign in with the link mailed on lock-out: a button (GET), then the sign-in (POST)."""
    try:
        user = user_from_sign_in_token(token)
    except PermissionDenied as exc:
        return render_template("errors/error.html", code=400, message=str(exc)), 400
    form = SignInLinkForm()
    if form.validate_on_submit():
        perform(lambda: accounts.sign_in_with_link(user, get_remote_address()))
        login_user(user)
        flash(_("Welcome, %(name)s.", name=user.name or user.email), "success")
        return redirect(url_for("sessions.index"))
    return render_template("auth/sign_in_link.html", form=form, user=user)
