"""Languages, locale selection and translated text.

Translated text is stored as a dict mapping a language code to a string (the pattern of
django-i18nfield in pretalx and pretix). `pick` reads it with a fallback to the original
language and says which language it actually returned, so pages can say so.
"""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from flask import g, request
from flask_babel import lazy_gettext as _l

LANGUAGES = ("fr", "es", "en")
DEFAULT_LANGUAGE = "en"

#: The name of each language in itself, for the language switcher.
AUTONYMS = {code: Locale.parse(code).get_display_name(code).capitalize() for code in LANGUAGES}


def language_name(code: str, in_lang: str) -> str:
    """Name of language `code` in language `in_lang` ("espagnol" for es in fr)."""
    return Locale.parse(code).get_display_name(in_lang) or code


def get_locale() -> str:
    """Flask-Babel locale selector: the language of the URL, else the request's best match."""
    lang = getattr(g, "lang", None)
    if lang in LANGUAGES:
        return lang
    if request:
        return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def best_language() -> str:
    """The language a visitor's browser prefers among ours."""
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


_TIMEZONES: frozenset[str] | None = None


def valid_timezone(name: str | None) -> str | None:
    """`name` if it is an IANA time zone known to this machine, else None."""
    global _TIMEZONES
    if not name:
        return None
    if _TIMEZONES is None:
        _TIMEZONES = frozenset(available_timezones())
    return name if name in _TIMEZONES else None


def common_timezones() -> list[str]:
    """Sorted IANA time zones with a region, for select boxes."""
    valid_timezone("UTC")
    return sorted(
        tz for tz in _TIMEZONES or ()
        if "/" in tz and not tz.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    )


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Picked:
    """A text chosen from its translations, and the language it is really in."""

    text: str
    lang: str | None
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def pick(value: dict | None, lang: str, original: str | None = None) -> Picked:
    """The text of `value` in `lang`, else in `original`, else in any language that has one."""
    if not value:
        return Picked("", None, False)
    text = (value.get(lang) or "").strip()
    if text:
        return Picked(text, lang, False)
    order = ([original] if original else []) + [code for code in LANGUAGES if code != original]
    for code in order:
        text = (value.get(code) or "").strip()
        if text:
            return Picked(text, code, True)
    return Picked("", None, False)


def missing_languages(value: dict | None) -> list[str]:
    """Languages of LANGUAGES for which `value` has no text."""
    value = value or {}
    return [code for code in LANGUAGES if not (value.get(code) or "").strip()]


def clean_translations(value: dict | None) -> dict:
    """Keep only our languages, stripped, dropping empty ones."""
    value = value or {}
    return {code: value[code].strip() for code in LANGUAGES if (value.get(code) or "").strip()}


#: Labels of the languages in forms, translated into the interface language.
LANGUAGE_LABELS = {"fr": _l("French"), "es": _l("Spanish"), "en": _l("English")}
