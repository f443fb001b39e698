"""Forms of the delegations domain: field validation only; the rules live in services."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..auth.invite_block import InvitationForm, email_field
from ..formatting import current_lang, lang_name
from ..forms import IntegerField, NFCForm, YearRange
from ..i18n import LANGUAGES
from ..models import utcnow
from ..sessions.forms import MultiCheckboxField
from ..sessions.labels import GENDER_LABELS
from .labels import (
    ATTENDANCE_LABELS,
    CREDENTIALS_LABELS,
    DELEGATE_ROLE_LABELS,
    KIND_LABELS,
    NAME_ORDER_LABELS,
    SALUTATION_LABELS,
)


class DelegationForm(NFCForm):
    kind = SelectField(_l("Kind"), choices=lambda: list(KIND_LABELS.items()))
    country = SelectField(_l("Country (member and observer states)"), choices=[], validate_choice=False)
    name = StringField(_l("Name of the organisation (other kinds)"), validators=[Optional(), Length(max=200)])
    quota = IntegerField(_l("Quota of delegates"), validators=[DataRequired(), NumberRange(min=1, max=10000)], default=5)
    submit = SubmitField(_l("Save"))


class FocalPointForm(InvitationForm):
    email = email_field(_l("Email of the focal point"))
    submit = SubmitField(_l("Invite"))


class DelegateForm(NFCForm):
    salutation = SelectField(_l("Salutation"), choices=lambda: list(SALUTATION_LABELS.items()), default="none")
    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=120)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=120)])
    name_order = SelectField(_l("Name order"), default="",
                             choices=lambda: [("", _l("As usual for the name's script"))] + list(NAME_ORDER_LABELS.items()),
                             description=_l("How the person writes their name; lists and badges print it so, the "
                                            "family name in capitals. By default, family name first for Chinese, "
                                            "Japanese and Korean names."))
    native_name = StringField(_l("Name in own script"), validators=[Optional(), Length(max=240)],
                              description=_l("Optional, e.g. 李明 or محمد علي, printed under the name on the badge."))
    photo = FileField(_l("Photo for the badge"),
                      description=_l("JPEG or PNG, at most 6 MB: a portrait, cropped to the badge's frame. "
                                     "Location and camera data are removed."))
    remove_photo = BooleanField(_l("Remove the photo"))
    function = StringField(_l("Function"), validators=[Optional(), Length(max=300)],
                           description=_l("Title and institution, e.g. Minister of Foreign Affairs."))
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    gender = SelectField(_l("Gender"), choices=lambda: list(GENDER_LABELS.items()), default="undisclosed")
    role = SelectField(_l("Role in the delegation"), choices=lambda: list(DELEGATE_ROLE_LABELS.items()), default="member")
    attendance = SelectField(_l("Attendance"), choices=lambda: list(ATTENDANCE_LABELS.items()), default="in_person")
    sessions = MultiCheckboxField(_l("Sessions to attend"), choices=[], validate_choice=False)
    #: Only when nominating: the first mail (with the details link) goes out at once, in this language.
    language = SelectField(_l("Language of mails"), default=current_lang,
                           choices=lambda: [(code, lang_name(code)) for code in LANGUAGES],
                           description=_l("Mails to the delegate, the first one as soon as they are nominated, are in this language."))
    submit = SubmitField(_l("Save"))


class ImportForm(NFCForm):
    file = FileField(_l("CSV or Excel file"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file."))])
    submit = SubmitField(_l("Import"))


class RejectForm(NFCForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Reject"))


class TokenForm(NFCForm):
    label = StringField(_l("What the token is for"), validators=[DataRequired(), Length(max=100)],
                        description=_l("e.g. the ministry's registration system"))
    access = SelectField(_l("Access"), choices=lambda: [("write", _l("Read and write: list, nominate, change, withdraw")),
                                                        ("read", _l("Read only: list the delegates"))], default="write")
    expires_on = DateField(_l("Expires on"), validators=[DataRequired(), YearRange()],
                           default=lambda: utcnow().date() + timedelta(days=90),
                           description=_l("At the end of this day (UTC); at most a year from today."))
    submit = SubmitField(_l("Create a token"))


class WindowForm(NFCForm):
    opens_at = DateTimeLocalField(_l("Nominations open"), format="%Y-%m-%dT%H:%M", validators=[Optional(), YearRange()],
                                  description=_l("In the event's time zone; empty: open now."))
    closes_at = DateTimeLocalField(_l("Deadline for nominations"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional(), YearRange()],
                                   description=_l("In the event's time zone; empty: no deadline."))
    reminder_days = IntegerField(_l("Remind delegations without nominations, days before the deadline"),
                                 validators=[Optional(), NumberRange(min=0, max=365)], default=7,
                                 description=_l("0: no reminder."))
    submit = SubmitField(_l("Save"))


class ExtensionForm(NFCForm):
    until = DateTimeLocalField(_l("New deadline for this delegation"), format="%Y-%m-%dT%H:%M",
                               validators=[DataRequired(), YearRange()], description=_l("In the event's time zone."))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Extend the deadline"))


class CredentialsForm(NFCForm):
    file = FileField(_l("Letter of credentials (PDF, PNG or JPEG)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class CredentialsDecisionForm(NFCForm):
    status = SelectField(_l("State of the letter"), choices=lambda: [
        (k, v) for k, v in CREDENTIALS_LABELS.items() if k != "submitted"], default="received")
    reason = TextAreaField(_l("What is missing, or a note"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record"))
