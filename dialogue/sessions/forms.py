"""Forms of the agenda: events and sessions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import IntegerField, NFCForm, NFCSubForm, YearRange, translated_field
from ..i18n import LANGUAGE_LABELS, LANGUAGES
from .labels import GENDER_LABELS, KIND_LABELS, PERSON_ROLE_LABELS, STATUS_LABELS
from .localtime import fold_choices

#: The values of the fold choices; their labels, with the UTC offsets, come from `offer_folds`.
FOLD_CHOICES = [("", ""), ("0", _l("first")), ("1", _l("second"))]


def language_choices():
    return [(code, LANGUAGE_LABELS[code]) for code in LANGUAGES]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EventForm(NFCForm):
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


class PersonForm(NFCSubForm):
    role = SelectField(_l("Role"), choices=lambda: list(PERSON_ROLE_LABELS.items()))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Function and organisation"), validators=[Optional(), Length(max=300)])
    gender = SelectField(_l("Gender"), choices=lambda: list(GENDER_LABELS.items()), default="undisclosed")
    email = StringField(_l("Email (told of changes; shown publicly for contacts only)"), validators=[Optional(), Length(max=254)])


class SessionForm(NFCForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Short and unique in the event, e.g. PL1 or WS07."))
    kind = SelectField(_l("Kind"), choices=lambda: list(KIND_LABELS.items()))
    title = translated_field(_l("Title"))
    original_language = SelectField(_l("Original language"), choices=language_choices)
    room = StringField(_l("Room"), validators=[Optional(), Length(max=120)])
    starts_at = DateTimeLocalField(_l("Start"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), YearRange()])
    ends_at = DateTimeLocalField(_l("End"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(), YearRange()])
    #: Which reading of a start or end the clocks show twice (the night they go back): "0" the first,
    #: "1" the second. Shown only for such a time: see `offer_folds`.
    starts_at_fold = SelectField(_l("Start: which of the two?"), choices=lambda: FOLD_CHOICES, default="")
    ends_at_fold = SelectField(_l("End: which of the two?"), choices=lambda: FOLD_CHOICES, default="")
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, max=100000)])
    interpretation = MultiCheckboxField(_l("Interpretation"), choices=language_choices)
    context = translated_field(_l("Context"), textarea=True)
    purpose = translated_field(_l("Purpose"), textarea=True)
    objectives = translated_field(_l("Objectives"), textarea=True)
    expected_results = translated_field(_l("Expected results"), textarea=True)
    deliverable = translated_field(_l("Deliverable"), textarea=True)
    people = FieldList(FormField(PersonForm), min_entries=0)
    submit = SubmitField(_l("Save"))
    #: The fold fields to show: those of a start or end that the clocks of the event show twice.
    ambiguous_folds: tuple = ()

    def offer_folds(self, tz: str) -> None:
        """For a start or end that the clocks of `tz` show twice, label its two readings with their
        UTC offsets and mark its choice to be shown; call before validating, with the event's zone."""
        shown = []
        for name in ("starts_at", "ends_at"):
            choices = fold_choices(self[name].data, tz)
            if choices:
                self[name + "_fold"].choices = [("", _l("Choose")), *choices]
                shown.append(self[name + "_fold"])
        self.ambiguous_folds = tuple(shown)
