"""Form pieces shared by the domains: text normalised to NFC, a field with a version per language."""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, FormField, PasswordField, StringField, TextAreaField

from .i18n import LANGUAGE_LABELS, LANGUAGES


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


def translated_field(label, *, textarea: bool = False, description: str | None = None) -> FormField:
    """A FormField with one input per language, named `<field>-fr`, `<field>-es`, `<field>-en`."""
    field_class = TextAreaField if textarea else StringField

    class _Translations(NFCSubForm):
        pass

    for code in LANGUAGES:
        setattr(_Translations, code, field_class(LANGUAGE_LABELS[code], render_kw={"lang": code}))
    return FormField(_Translations, label=label, description=description or "")


TRANSLATION_HINT = _l("Fill in the languages you have; a missing language shows the original text, marked as such.")
