"""Three-way merge of a key message after an edit conflict: per language, then per paragraph.

Two people opened the same revision (the common ancestor, "base") and saved in turn. What only
one of them changed is kept as they left it; what both changed in the same paragraph is a clash
that the second person settles by hand. A language box nobody touched keeps the saved text.

Paragraphs are aligned with merge3 (the three-way merge of Breezy and Dulwich). Plain diff3 calls
two edits of neighbouring paragraphs a conflict; when such a region has the same number of
paragraphs on all three sides, it is settled paragraph by paragraph instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from merge3 import Merge3

from ..i18n import LANGUAGES


@dataclass
class Clash:
    """Paragraphs of one language that both people changed, differently."""

    lang: str
    base: str
    theirs: str
    mine: str


@dataclass
class MessageMerge:
    """The merged message: what can be saved as it is, and the clashes left to settle."""

    text: dict
    original_language: str
    themes: list
    position: int
    clashes: list[Clash] = field(default_factory=list)
    #: Both people changed the original language, each to another one.
    language_clash: bool = False
    #: Languages whose text the other person changed and this merge kept.
    kept_theirs: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.clashes and not self.language_clash

    def clashes_in(self, lang: str) -> list[Clash]:
        return [c for c in self.clashes if c.lang == lang]


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a text (separated by a blank line), stripped."""
    return [p.strip() for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if p.strip()]


def merge_text(lang: str, base: str, theirs: str, mine: str) -> tuple[str, list[Clash]]:
    """One language: the merged text (with my version of each clash) and the clashes."""
    if mine == base or mine == theirs:
        return theirs, []
    if theirs == base:
        return mine, []
    b, t, m = paragraphs(base), paragraphs(theirs), paragraphs(mine)
    out: list[str] = []
    clashes: list[Clash] = []
    for region in Merge3(b, m, t).merge_regions():
        kind = region[0]
        if kind == "unchanged":
            out += b[region[1]:region[2]]
        elif kind in ("a", "same"):
            out += m[region[1]:region[2]]
        elif kind == "b":
            out += t[region[1]:region[2]]
        else:
            _kind, zs, ze, ms, me, ts, te = region
            bb, mm, tt = b[zs:ze], m[ms:me], t[ts:te]
            if len(bb) == len(mm) == len(tt):
                for x, y, z in zip(bb, mm, tt, strict=True):
                    if y in (x, z):
                        out.append(z)
                    elif z == x:
                        out.append(y)
                    else:
                        out.append(y)
                        clashes.append(Clash(lang, x, z, y))
            else:
                out += mm
                clashes.append(Clash(lang, "\n\n".join(bb), "\n\n".join(tt), "\n\n".join(mm)))
    return "\n\n".join(out), clashes


def _lf(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n")


def _pick(base, theirs, mine):
    """A single value: whoever changed it; mine when both did."""
    return theirs if mine == base else mine


def merge_message(base, current, text: dict, original: str, themes: list, position: int) -> MessageMerge:
    """Merge what a user typed (`text`, ...) from revision `base` with the saved message `current`.

    `base` is None when the revision the user started from is unknown: every language where the
    two texts differ is then a clash, and a box left empty takes the saved text.
    """
    theirs_text = {code: _lf(value) for code, value in (current.text or {}).items()}
    text = {code: _lf(value) for code, value in text.items()}
    merged: dict = {}
    result = MessageMerge({}, original, list(themes), position)
    for code in LANGUAGES:
        theirs, mine = theirs_text.get(code, ""), text.get(code, "")
        if base is None:
            if mine == theirs or not mine:
                value, clashes = theirs, []
            else:
                value, clashes = mine, ([Clash(code, "", theirs, mine)] if theirs else [])
        else:
            value, clashes = merge_text(code, _lf(base.text.get(code, "")), theirs, mine)
        if value:
            merged[code] = value
        result.clashes += clashes
        if theirs != (_lf(base.text.get(code, "")) if base is not None else mine) and value == theirs and theirs != mine:
            result.kept_theirs.append(code)
    result.text = merged
    if base is None:
        result.original_language = original
        result.language_clash = original != current.original_language
    else:
        result.original_language = _pick(base.original_language, current.original_language, original)
        result.language_clash = (original != base.original_language
                                 and current.original_language != base.original_language
                                 and original != current.original_language)
        result.themes = _pick(list(base.themes), list(current.themes), list(themes))
    return result
