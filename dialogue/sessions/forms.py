"""Forms of the agenda: events and sessions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import IntegerField, YearRange, translated_field
from ..i18n import LANGUAGE_LABELS, LANGUAGES

KIND_LABELS = {
    "plenary": _l("Plenary session"),
    "working": _l("Working session"),
    "regional_dialogue": _l("Regional dialogue"),
    "side_event": _l("Side event"),
}
KIND_PLURALS = {
    "plenary": _l("Plenary sessions"),
    "working": _l("Working sessions"),
    "regional_dialogue": _l("Regional dialogues"),
    "side_event": _l("Side events"),
}
ROLE_LABELS = {
    "chair": _l("Chair"),
    "moderator": _l("Moderator"),
    "speaker": _l("Speaker"),
    "panelist": _l("Panellist"),
    "contact": _l("Contact"),
}
GENDER_LABELS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "undisclosed": _l("Not stated"),
}
STATUS_LABELS = {"draft": _l("Draft (hidden from the public)"), "published": _l("Published")}


def language_choices():
    return [(code, LANGUAGE_LABELS[code]) for code in LANGUAGES]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(FlaskForm):
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(max=80)],
                       description=_l("Part of the public address, e.g. effective-cooperation-2022."))
    title = translated_field(_l("Title"))
    description = translated_field(_l("Description"), textarea=True)
    venue = translated_field(_l("Venue"))
    original_language = SelectField(_l("Original language"), choices=language_choices)
    starts_on = DateField(_l("First day"), validators=[DataRequired(), YearRange()])
    ends_on = DateField(_l("Last day"), validators=[DataRequired(), YearRange()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)],
                           description=_l("IANA name of the venue's time zone, e.g. Europe/Zurich."),
                           render_kw={"list": "timezones", "autocomplete": "off"})
    status = SelectField(_l("Status"), choices=lambda: list(STATUS_LABELS.items()))
    submit = SubmitField(_l("Save"))


class PersonForm(Form):
    role = SelectField(_l("Role"), choices=lambda: list(ROLE_LABELS.items()))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Function and organisation"), validators=[Optional(), Length(max=300)])
    gender = SelectField(_l("Gender"), choices=lambda: list(GENDER_LABELS.items()), default="undisclosed")
    email = StringField(_l("Email (contacts only, shown publicly)"), validators=[Optional(), Length(max=254)])


class SessionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Short and unique in the event, e.g. PL1 or WS07."))
    kind = SelectField(_l("Kind"), choices=lambda: list(KIND_LABELS.items()))
    title = translated_field(_l("Title"))
    original_language = SelectField(_l("Original language"), choices=language_choices)
    room = StringField(_l("Room"), validators=[Optional(), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Start"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), YearRange()])
    ends_at = DateTimeLocalField(_l("End"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), YearRange()])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, max=100000)])
    interpretation = MultiCheckboxField(_l("Interpretation"), choices=language_choices)
    context = translated_field(_l("Context"), textarea=True)
    purpose = translated_field(_l("Purpose"), textarea=True)
    objectives = translated_field(_l("Objectives"), textarea=True)
    expected_results = translated_field(_l("Expected results"), textarea=True)
    deliverable = translated_field(_l("Deliverable"), textarea=True)
    people = FieldList(FormField(PersonForm), min_entries=0)
    submit = SubmitField(_l("Save"))
