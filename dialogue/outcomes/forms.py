"""Forms of key messages, their review, rapporteurs and the outcome document."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import IntegerField, NFCForm, YearRange, translated_field
from ..sessions.forms import language_choices
from .labels import GROUPING_LABELS

MARKUP_HINT = _l("A blank line starts a new paragraph; lines starting with \"- \" make a list; "
                 "*emphasis* and **strong** are kept. Nothing else is.")


MESSAGE_LANGUAGES_HINT = _l("Write the message in its original language, chosen above; the other two boxes take "
                            "its versions in those languages. A version can be added later: the list of key "
                            "messages shows which languages are still missing.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class KeyMessageForm(NFCForm):
    original_language = SelectField(_l("Original language"), choices=language_choices)
    text = translated_field(_l("Text of the key message"), textarea=True, description=MARKUP_HINT)
    themes = MultiCheckboxField(_l("Themes"), coerce=int, choices=[])
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=1, max=9999)],
                            description=_l("Its place among the key messages of the session: 1 for the first. "
                                           "Left empty, it comes last. The others move to make room."))
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])  # the version the edit started from
    base = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])  # the revision the edit started from
    confirm_removal = MultiCheckboxField(_l("Remove the whole text in"), choices=language_choices)
    confirm_current = MultiCheckboxField(_l("These translations still match the original"), choices=language_choices)
    save = SubmitField(_l("Save draft"))
    save_submit = SubmitField(_l("Save and submit for review"))


class SubmitForm(NFCForm):
    submit = SubmitField(_l("Submit for review"))


class ApproveForm(NFCForm):
    approve = SubmitField(_l("Approve"))


class ReturnForm(NFCForm):
    comment = TextAreaField(_l("Comment for the rapporteur"), validators=[DataRequired(), Length(max=4000)])
    send_back = SubmitField(_l("Return with comment"))


class CommentForm(NFCForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=4000)])
    post = SubmitField(_l("Post the comment"))


class BulkApproveForm(NFCForm):
    messages = SelectMultipleField(_l("Messages to approve"), coerce=int, choices=[], validate_choice=False)
    approve_selected = SubmitField(_l("Approve the selected messages"))


class WordLimitForm(NFCForm):
    words = IntegerField(_l("Word limit of each key message, per language"),
                         validators=[Optional(), NumberRange(min=1, max=100000)],
                         description=_l("Left empty: no limit."))
    save_limit = SubmitField(_l("Save the limit"))


class RapporteurForm(NFCForm):
    session = SelectField(_l("Session"), coerce=int, choices=[])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language of the invitation"), choices=language_choices)
    submit = SubmitField(_l("Assign and invite"))


class ThemesForm(NFCForm):
    themes = translated_field(_l("Themes, one a line"), textarea=True,
                              description=_l("The same number of lines in each language; the order is kept."))
    submit = SubmitField(_l("Save themes"))


class OutcomeDocumentForm(NFCForm):
    symbol = StringField(_l("Symbol"), validators=[Optional(), Length(max=60)],
                         description=_l("As on United Nations documents, e.g. ECS/2022/1."))
    title = translated_field(_l("Title"))
    place = translated_field(_l("Place"))
    issued_on = DateField(_l("Date"), validators=[Optional(), YearRange()])
    original_language = SelectField(_l("Original language"), choices=language_choices)
    preamble = translated_field(_l("Preamble (not numbered)"), textarea=True, description=MARKUP_HINT)
    grouping = SelectField(_l("Group the key messages"), choices=lambda: list(GROUPING_LABELS.items()))
    session_ids = MultiCheckboxField(_l("Sessions included (none ticked: all)"), coerce=int, choices=[])
    recommendations = translated_field(_l("Recommendations (optional)"), textarea=True,
                                       description=_l("One paragraph each, separated by a blank line; the same "
                                                      "number of paragraphs in each language."))
    next_steps = translated_field(_l("Next steps (optional)"), textarea=True,
                                  description=_l("One paragraph each, separated by a blank line; the same "
                                                 "number of paragraphs in each language."))
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])  # the version the edit started from
    submit = SubmitField(_l("Save the document"))


class PublishForm(NFCForm):
    original_only = MultiCheckboxField(_l("Publish in the original language only"), choices=[])
    accept_outdated = MultiCheckboxField(_l("Publish this translation as it is"), choices=[])
    save_choice = SubmitField(_l("Save the choice"))
    publish = SubmitField(_l("Publish a new version"))
