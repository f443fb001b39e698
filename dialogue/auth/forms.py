"""Account forms, with the `autocomplete` hints password managers need."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

#: Longest address (RFC 5321) and password accepted: hashing a megabyte of password costs the server.
EMAIL_MAX = 254
PASSWORD_MAX = 200


def _new_password_fields():
    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"}, validators=[
        DataRequired(), Length(min=10, message=_l("Use at least 10 characters.")),
        Length(max=PASSWORD_MAX)])
    confirm = PasswordField(_l("Repeat the password"), render_kw={"autocomplete": "new-password"}, validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
    return password, confirm


class LoginForm(FlaskForm):
    """Email and password, and whether to stay signed in on this device."""

    email = EmailField(_l("Email"), render_kw={"autocomplete": "username"}, validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"},
                             validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class SetPasswordForm(FlaskForm):
    """A new password, typed twice (invitation and reset links)."""

    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set password"))


class ForgotPasswordForm(FlaskForm):
    """The email to send a reset link to."""

    email = EmailField(_l("Email"), render_kw={"autocomplete": "username"}, validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])
    submit = SubmitField(_l("Send me a link"))


class SignInLinkForm(FlaskForm):
    """One button: a mailed link signs in on POST only, so mail scanners that open links do nothing."""

    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one twice."""

    current = PasswordField(_l("Current password"), render_kw={"autocomplete": "current-password"},
                            validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"))
