"""Form pieces shared by the domains: a field with a version per language, limits of text and dates."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import Form, FormField, StringField, TextAreaField
from wtforms import IntegerField as _IntegerField
from wtforms.validators import Length, ValidationError

from .i18n import LANGUAGE_LABELS, LANGUAGES

#: Longest text of a one-line translated field and of a translated text area, per language.
LINE_MAX = 500
TEXT_MAX = 20_000
#: Years a meeting date may have: the time-zone arithmetic and the databases need a sane range.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def translated_field(label, *, textarea: bool = False, description: str | None = None,
                     max_length: int | None = None) -> FormField:
    """A FormField with one input per language, named `<field>-fr`, `<field>-es`, `<field>-en`."""
    field_class = TextAreaField if textarea else StringField
    limit = max_length or (TEXT_MAX if textarea else LINE_MAX)

    class _Translations(Form):
        pass

    for code in LANGUAGES:
        setattr(_Translations, code, field_class(LANGUAGE_LABELS[code], validators=[Length(max=limit)],
                                                 render_kw={"lang": code}))
    return FormField(_Translations, label=label, description=description or "")


class IntegerField(_IntegerField):
    """WTForms' IntegerField, but a number of more than 12 digits is "not a valid integer", not a 500
    (NumberRange compares through float(), which overflows on a 400-digit number)."""

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip()) > 12:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class YearRange:
    """A date or date-time between FIRST_YEAR and LAST_YEAR, with a translated message."""

    def __call__(self, form, field) -> None:
        value = field.data
        if isinstance(value, date | datetime) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(_l("Enter a date between the years %(first)s and %(last)s.",
                                     first=FIRST_YEAR, last=LAST_YEAR))


TRANSLATION_HINT = _l("Fill in the languages you have; a missing language shows the original text, marked as such.")
