"""Form pieces shared by the domains: a field with a version per language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, FormField, StringField, TextAreaField

from .i18n import LANGUAGE_LABELS, LANGUAGES


def translated_field(label, *, textarea: bool = False, description: str | None = None) -> FormField:
    """A FormField with one input per language, named `<field>-fr`, `<field>-es`, `<field>-en`."""
    field_class = TextAreaField if textarea else StringField

    class _Translations(Form):
        pass

    for code in LANGUAGES:
        setattr(_Translations, code, field_class(LANGUAGE_LABELS[code], render_kw={"lang": code}))
    return FormField(_Translations, label=label, description=description or "")


TRANSLATION_HINT = _l("Fill in the languages you have; a missing language shows the original text, marked as such.")
