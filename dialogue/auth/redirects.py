"""The `next` parameter of the sign-in page: only a plain path of this site passes."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

# C0 and C1 controls, space and DEL: browsers drop some of them (tab, newline) inside URLs.
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_MAX_DECODING = 4


def _plain_local_path(value: str) -> bool:
    if _CONTROL.search(value) or "\\" in value:
        return False
    parts = urlsplit(value)
    return value.startswith("/") and not value.startswith("//") and not parts.scheme and not parts.netloc


def safe_next(target: str | None) -> str | None:
    """`target` when it is a local path in every decoded and normalised form, else None."""
    if not target or len(target) > 2048:
        return None
    value = target
    for _round in range(_MAX_DECODING):
        if not (_plain_local_path(value) and _plain_local_path(unicodedata.normalize("NFKC", value))):
            return None
        decoded = unquote(value)
        if decoded == value:
            return target
        value = decoded
    return None  # still encoded after several rounds: nobody sends that in good faith
