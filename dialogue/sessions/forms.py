"""Forms of the agenda: events and sessions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional
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
    """A row of a session's programme: a role and a person picked from the directory."""

    role = SelectField(_l("Role"), choices=lambda: list(PERSON_ROLE_LABELS.items()))
    #: A name (or picker label) of the directory; the page offers them in a <datalist>.
    name = StringField(_l("Person"), validators=[Optional(), Length(max=300)],
                         render_kw={"list": "people-options", "autocomplete": "off"})


class SessionForm(NFCForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("Short and unique in the event, e.g. PL1 or WS07."))
    kind = SelectField(_l("Kind"), choices=lambda: list(KIND_LABELS.items()))
    title = translated_field(_l("Title"))
    original_language = SelectField(_l("Original language"), choices=language_choices)
    #: A room's name (in any of the three languages); the page offers them in a <datalist>.
    room = StringField(_l("Room"), validators=[Optional(), Length(max=200)],
                       description=_l("Type a name from the event's room list."),
                       render_kw={"list": "room-options", "autocomplete": "off"})
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


class RoomForm(NFCForm):
    """A room of the event's list."""

    name = translated_field(_l("Name"), max_length=120)
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=1, max=100000)])
    booths = IntegerField(_l("Interpretation booths"), validators=[Optional(), NumberRange(min=0, max=100)],
                          default=0)
    submit = SubmitField(_l("Save"))


class DirectoryPersonForm(NFCForm):
    """A person of the event's directory."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    title = StringField(_l("Title or function"), validators=[Optional(), Length(max=200)],
                        description=_l("For example: Executive Director."))
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=300)])
    gender = SelectField(_l("Gender"), choices=lambda: list(GENDER_LABELS.items()), default="undisclosed")
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)],
                       description=_l("Shown publicly only where the person is a session's contact."))
    delegation = SelectField(_l("Delegation"), choices=[], validate_choice=False, default="")
    submit = SubmitField(_l("Save"))

