"""Light markup of key messages: paragraphs, emphasis and lists, and nothing else.

Rapporteurs type plain text: a blank line starts a paragraph, lines starting with "- " make a
list ("1. " a numbered one), *emphasis* and **strong**. The few HTML tags that mean the same
are accepted too (text pasted from a word processor). Whatever the input, nh3 keeps only those
tags, without any attribute, so nothing can reach a page or the PDF renderer that fetches or runs.
"""
from __future__ import annotations

import html
import re

import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "em", "strong", "i", "b", "ul", "ol", "li"}
_BULLET = re.compile(r"^[-*•]\s+")
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s+")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")


def _inline(line: str) -> str:
    return _EM.sub(r"<em>\1</em>", _STRONG.sub(r"<strong>\1</strong>", line))


def to_html(source: str | None) -> str:
    """Sanitised HTML of light markup."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", (source or "").replace("\r\n", "\n")) if b.strip()]
    out = []
    for block in blocks:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if all(_BULLET.match(ln) for ln in lines):
            out.append("<ul>" + "".join(f"<li>{_inline(_BULLET.sub('', ln))}</li>" for ln in lines) + "</ul>")
        elif all(_NUMBERED.match(ln) for ln in lines):
            out.append("<ol>" + "".join(f"<li>{_inline(_NUMBERED.sub('', ln))}</li>" for ln in lines) + "</ol>")
        elif block.lstrip().startswith(("<p", "<ul", "<ol")):
            out.append(block)
        else:
            out.append("<p>" + "<br>".join(_inline(ln) for ln in lines) + "</p>")
    return sanitize("".join(out))


def sanitize(html: str) -> str:
    """Keep only paragraph, emphasis and list tags, with no attributes."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={}, url_schemes=set(), link_rel=None,
                     strip_comments=True)


def render(source: str | None) -> Markup:
    """Jinja filter: light markup as safe HTML."""
    return Markup(to_html(source))  # noqa: S704  (to_html escapes, then nh3 cleans)


def plain(source: str | None) -> str:
    """The text without markup, for short previews and diffs (paragraphs and list items apart by a space)."""
    return " ".join(paragraphs(source))


def paragraphs(source: str | None) -> list[str]:
    """The text without markup, one string per paragraph or list."""
    parts = re.split(r"</(?:p|ul|ol)>", to_html(source))
    return [text for text in (_flat(part) for part in parts) if text]


def _flat(fragment: str) -> str:
    fragment = re.sub(r"</li>|<br>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(nh3.clean(fragment, tags=set()))).strip()


def excerpt(source: str | None, limit: int = 200) -> list[str]:
    """The first paragraphs of a text, about `limit` characters in all, the last one cut with "…"."""
    out, left = [], limit
    for text in paragraphs(source):
        if left <= 0:
            break
        if len(text) > left:
            cut = text[:left].rsplit(" ", 1)[0] if " " in text[:left] else text[:left]
            out.append(cut.rstrip(" ,;:") + "…")
            break
        out.append(text)
        left -= len(text)
    return out
