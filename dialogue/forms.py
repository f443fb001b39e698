"""Form pieces shared by the domains: text normalised to NFC, a field with a version per language,
limits of text and dates."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, FormField, PasswordField, StringField, TextAreaField
from wtforms import IntegerField as _IntegerField
from wtforms.validators import Length, ValidationError

from .i18n import LANGUAGE_LABELS, LANGUAGES

#: Longest text of a one-line translated field and of a translated text area, per language.
LINE_MAX = 500
TEXT_MAX = 20_000
#: Years a meeting date may have: the time-zone arithmetic and the databases need a sane range.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def nfc(value):
    """WTForms filter: text in Unicode normalisation form C, so that "José" typed with a combining
    accent ("Jose\\u0301", as some keyboards and macOS file names give it) is the "José" typed with é."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class NFCMeta:
    """Form options that add the `nfc` filter to every text field (StringField and its kinds:
    text areas, emails, hidden fields), after the field's own filters. Passwords are left as
    typed: their hashes were made from exactly that."""

    def bind_field(self, form, unbound_field, options):
        kind = unbound_field.field_class
        if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
            options = {**options, "filters": (*unbound_field.kwargs.get("filters", ()), nfc)}
        return super().bind_field(form, unbound_field, options)


class NFCForm(FlaskForm):
    """Base of the app's forms: a FlaskForm (CSRF) whose text fields come in NFC."""

    class Meta(NFCMeta):
        pass


class NFCSubForm(Form):
    """Base of forms nested in others (FormField, FieldList): text fields come in NFC."""

    class Meta(NFCMeta):
        pass


def translated_field(label, *, textarea: bool = False, description: str | None = None,
                     max_length: int | None = None) -> FormField:
    """A FormField with one input per language, named `<field>-fr`, `<field>-es`, `<field>-en`."""
    field_class = TextAreaField if textarea else StringField
    limit = max_length or (TEXT_MAX if textarea else LINE_MAX)

    class _Translations(NFCSubForm):
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
