"""Typographic conventions of a language applied when a document is rendered, never to the stored text.

French: the typographic apostrophe (’), a no-break space before a colon and a narrow no-break
space before ; ! ? and inside « » (Lexique des règles typographiques de l'Imprimerie nationale).
Only text in French is touched: a paragraph's `lang` decides, so an English paragraph in the French
document keeps its own rules, and a French one in the English document gets them.
"""
from __future__ import annotations

import re

import lxml.html

NBSP, NNBSP = "\u00a0", "\u202f"
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)|(?<=\w)'(?=\s|$)")
_BEFORE_HIGH = re.compile(r"(?:(?<=[^\s;!?:\u202f\u00a0«(\[])|^)[ \u00a0]?([;!?]+)(?=\s|$|[»)\]”.,])")
_BEFORE_COLON = re.compile(r"(?:(?<=[^\s:\u202f\u00a0«(\[/\d])|^)[ \u202f]?:(?=\s|$)")
_AFTER_OPEN = re.compile(r"«[ \u00a0]?")
_BEFORE_CLOSE = re.compile(r"[ \u00a0]?»")
_SKIP = {"style", "script", "code", "pre"}


def french(text: str) -> str:
    """French typography of a plain text."""
    if not text:
        return text
    text = _APOSTROPHE.sub("\u2019", text)
    text = _BEFORE_HIGH.sub(NNBSP + r"\1", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _AFTER_OPEN.sub("«" + NNBSP, text)
    return _BEFORE_CLOSE.sub(NNBSP + "»", text)


RULES = {"fr": french}


def apply_text(text: str, lang: str) -> str:
    rule = RULES.get(lang)
    return rule(text) if rule else text


def apply_html(html: str, lang: str) -> str:
    """`html` with the typography of the language of each text (its element's `lang`, else `lang`).

    A whole document (starting with <!doctype) keeps its doctype; a fragment stays a fragment.
    """
    if lang not in RULES and not any(f'lang="{code}"' in html for code in RULES):
        return html  # nothing in a language with rules: the HTML stays as it is
    whole = html.lstrip().lower().startswith("<!doctype")
    if whole:
        root = lxml.html.document_fromstring(html)
    else:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    _walk(root, lang)
    if whole:
        return "<!doctype html>\n" + lxml.html.tostring(root, encoding="unicode", method="html")
    return (root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode", method="html")
                                       for child in root)


def _walk(element, inherited: str) -> None:
    lang = element.get("lang") or inherited
    if element.tag in _SKIP or not isinstance(element.tag, str):
        return
    rule = RULES.get(lang)
    if rule and element.text:
        element.text = rule(element.text)
    for child in element:
        _walk(child, lang)
        if rule and child.tail:
            child.tail = rule(child.tail)
