"""The invitation block of the pages that give someone a role in an event (co-organisers and badge
checkers on the team page, focal points on a delegation's page): its form fields and what happens when
it is sent."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..actions import perform
from ..forms import NFCForm

#: Longest email address (RFC 5321) and name an invitation takes.
EMAIL_MAX, NAME_MAX = 254, 200


def email_field(label=None) -> EmailField:
    """The invitee's email address, under the label the page gives it ("Email" by default)."""
    return EmailField(label or _l("Email"), validators=[DataRequired(), Email(), Length(max=EMAIL_MAX)])


def team_role_field() -> SelectField:
    """The role a team member is invited to (organiser when the form does not say): co-organiser, or
    badge checker (door staff, who may open the page a badge's QR code leads to and nothing else)."""
    return SelectField(_l("Role"), default="organiser", choices=lambda: [
        ("organiser", _l("Organiser: everything in the event")),
        ("badge_checker", _l("Badge checker: checks badges at the door, sees nothing else"))])


class InvitationForm(NFCForm):
    """Who is invited: an email address and, optionally, the name the mail greets them with."""

    email = email_field()
    name = StringField(_l("Name"), validators=[Optional(), Length(max=NAME_MAX)])


def send_invitation(form: InvitationForm, invite: Callable[[str, str], Any], done: Callable[[Any], str]) -> bool:
    """When `form` is sent and valid, call `invite(email, name)` as the view's one transaction (its
    errors shown on the form, which keeps what was typed) and flash `done(result)`, which says that
    the message is in the outbox. True when the invitation went out: the view then redirects; False:
    it shows the form again (with 422 when it was sent)."""
    if not form.validate_on_submit():
        return False
    ok, result = perform(lambda: invite(form.email.data, form.name.data or ""), form=form)
    if ok:
        flash(done(result), "success")
    return ok
