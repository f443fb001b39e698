"""Names of countries and people: CLDR country names, collation in each language, French elision, agreement."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale
from markupsafe import Markup, escape

from ..models import Delegation

#: CLDR territory codes that are not countries of ISO 3166-1 (regions, reserved codes, unknown).
NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})


def is_country(code: str | None) -> bool:
    return bool(code) and len(code) == 2 and code.isalpha() and code.isupper() and code not in NOT_COUNTRIES \
        and code in Locale.parse("en").territories


def country_name(code: str, lang: str) -> str:
    """The name of a country in `lang`, from Babel's CLDR data."""
    return Locale.parse(lang).territories.get(code, code)


@lru_cache(maxsize=1)
def _collator():
    import pyuca
    return pyuca.Collator()


def collation_key(text: str, lang: str) -> tuple:
    """Sort key in the alphabet of `lang`: the Unicode Collation Algorithm (accents are secondary,
    so Pérou files under P in French), with Spanish's tailoring of ñ as a letter after n."""
    text = text.casefold()
    if lang == "es":
        text = text.replace("ñ", "n\U000ffffd")
    return _collator().sort_key(text)


@lru_cache(maxsize=3)
def countries(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every country, sorted in `lang`'s alphabet, for select boxes."""
    names = Locale.parse(lang).territories
    codes = [c for c in names if is_country(c)]
    return sorted(((c, names[c]) for c in codes), key=lambda item: collation_key(item[1], lang))


def elides(name: str) -> bool:
    """Whether French elides "de" before this name: "d’Ana", "d’Hélène", "d’Yves", "d’Œdipe" but
    "de Pedro", "de Yolanda", "de 王丽". Given names with an h are taken as mute h ("d’Henri")."""
    letters = [c.casefold() for c in unicodedata.normalize("NFD", name) if c.isalpha()]
    if not letters:
        return False
    first, rest = letters[0], letters[1:2]
    if first in "aeiouœæ" or first == "h":
        return True
    return first == "y" and bool(rest) and rest[0] not in "aeiouy"


def about(name: str, plain: str, elided: str) -> str:
    """Of two translations of one message around `name`, the one for it: the "elided" form (message
    context "elided") where French writes "d’Ana"; the same text as `plain` in other languages."""
    return elided if elides(name) else plain


def agree(gender: str, neutral: str, female: str, male: str) -> str:
    """Of three translations of one message about a person, the one that agrees with their gender:
    "est accréditée", "está acreditado"; "accrédité·e", "acreditado/a" when it is not stated."""
    return {"female": female, "male": male}.get(gender, neutral)


def delegation_name(delegation: Delegation, lang: str) -> str:
    if delegation.country:
        return country_name(delegation.country, lang)
    return delegation.name


def name_key(text: str, lang: str) -> str:
    """A fast sort key for people's names: accents and case count only to break ties (as in the
    alphabet of French, Spanish and English), with Spanish ñ as its own letter after n.

    Delegations are sorted with the full collation (`collation_key`); for tens of thousands of
    names that costs seconds, and this key orders Latin-script names the same way."""
    folded = text.casefold()
    if lang == "es":
        folded = folded.replace("ñ", "n\U0010fffd")
    base = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return base + "\x00" + folded


# --- people's names in their own order ------------------------------------------------------------

#: Scripts whose names are written family name first: Han (Chinese, Japanese kanji), kana, Hangul.
_FAMILY_FIRST_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "HANGUL")


def family_first_script(*texts: str) -> bool:
    """Whether a name is in a script whose names put the family name first (Chinese, Japanese, Korean)."""
    for text in texts:
        for ch in text or "":
            if ch.isalpha():
                name = unicodedata.name(ch, "")
                if name.startswith(_FAMILY_FIRST_SCRIPTS):
                    return True
    return False


def suggested_order(given_name: str, family_name: str, native_name: str = "") -> str:
    """The name order to suggest when none is chosen: family name first for CJK names, else given
    name first (Hungarian and Latin-script CJK names are chosen by hand)."""
    return "family_given" if family_first_script(native_name, family_name, given_name) else "given_family"


def name_parts(person) -> tuple[str, str]:
    """(first, second) part of a person's name as they write it, the family name in capitals as UN
    lists print it: ("María", "LÓPEZ") or ("LI", "Ming")."""
    family = (person.family_name or "").upper()
    if getattr(person, "name_order", "given_family") == "family_given":
        return family, person.given_name or ""
    return person.given_name or "", family


def person_name(person, salutation: str = "") -> str:
    """"María LÓPEZ", "LI Ming", "H.E. Ms. María LÓPEZ": the way the person writes their name."""
    return " ".join(part for part in (salutation, *name_parts(person)) if part)


def plain_name(person) -> str:
    """The name in its order without capitals, for sentences: "María López", "Li Ming"."""
    first, second = (person.given_name, person.family_name)
    if getattr(person, "name_order", "given_family") == "family_given":
        first, second = second, first
    return " ".join(part for part in (first, second) if part)


def person_html(person, salutation: str = "") -> Markup:
    """The name for pages: in the person's order, the family name marked so that CSS sets it in capitals
    (`.family-name`), while the text stays as typed for search, copy and screen readers."""
    first, second = person.given_name or "", person.family_name or ""
    family = Markup('<span class="family-name">%s</span>') % second
    parts = [family, escape(first)] if getattr(person, "name_order", "given_family") == "family_given" \
        else [escape(first), family]
    if salutation:
        parts.insert(0, escape(salutation))
    return Markup(" ").join(p for p in parts if p)
