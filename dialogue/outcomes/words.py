"""Word counts of key messages and the optional word limit of a session's messages."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import ngettext

from ..i18n import LANGUAGES, language_name
from .markup import plain

#: A word: letters or digits, with inner hyphens and apostrophes ("l'eau", "Asia-Pacific": one word each).
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def count(source: str | None) -> int:
    """Words of a text in light markup, markup left out."""
    return len(_WORD.findall(plain(source)))


def counts(text: dict | None) -> dict[str, int]:
    """Words per language, for the languages that have text."""
    return {code: count(text[code]) for code in LANGUAGES if (text or {}).get(code)}


def check(session, text: dict, changed: set[str] | None = None) -> None:
    """Raise OutcomeError when a language (among `changed`, or all) is over the session's limit."""
    from .services import OutcomeError
    limit = session.key_message_word_limit
    if not limit:
        return
    from ..formatting import current_lang
    for code, n in counts(text).items():
        if changed is not None and code not in changed:
            continue
        if n > limit:
            raise OutcomeError(
                ngettext("Key messages of this session have at most %(num)d word in each language.",
                         "Key messages of this session have at most %(num)d words in each language.", limit)
                + " " + _("The text in %(language)s has %(count)d: shorten it.",
                          language=language_name(code, current_lang()), count=n), "text")
