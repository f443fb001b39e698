"""Versions of the outcome document in United Nations form: revision marks, what a version replaces, and
what changed between two versions.

The first publication bears the document's symbol (ECS/2022/1). Each later one carries a mark the
organiser chooses: a new version ("Rev.1", "Rev.2"...) or a correction of the current one ("Corr.1";
after a revision, "Rev.1/Corr.1"), printed after the symbol, with a line naming the version it replaces.
"""
from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from datetime import date

import lxml.html
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from ..formatting import to_zone
from .models import OutcomeDocument, Publication
from .services import OutcomeError

MARK_KINDS = {"rev": _l("A new version (Rev.)"), "corr": _l("A correction of the current version (Corr.)")}
_REV = re.compile(r"^Rev\.(\d+)")
_CORR = re.compile(r"Corr\.(\d+)$")


@dataclass(frozen=True)
class Edition:
    """How a version is named: its full symbol, its mark, and what it replaces."""

    symbol: str
    mark: str = ""
    replaces_symbol: str = ""
    replaces_date: date | None = None


def latest(document: OutcomeDocument) -> Publication | None:
    """The current publication in the document's original language (every language shares its mark)."""
    return db.session.scalar(
        select(Publication).where(Publication.document_id == document.id)
        .order_by(Publication.version.desc(), (Publication.language == document.original_language).desc())
        .limit(1))


def next_mark(previous_mark: str | None, kind: str) -> str:
    """The mark of the next version: "" first; then "Rev.n+1", or "Corr.n+1" of the current revision."""
    if previous_mark is None:
        return ""
    rev = _REV.match(previous_mark)
    revision = int(rev.group(1)) if rev else 0
    if kind == "corr":
        corr = _CORR.search(previous_mark)
        number = int(corr.group(1)) + 1 if corr else 1
        return f"Rev.{revision}/Corr.{number}" if revision else f"Corr.{number}"
    return f"Rev.{revision + 1}"


def full_symbol(symbol: str, mark: str) -> str:
    return f"{symbol}/{mark}" if symbol and mark else symbol or mark


def next_edition(document: OutcomeDocument, kind: str) -> Edition:
    """The name the next publication will bear, and the version it replaces."""
    previous = latest(document)
    if previous is None:
        return Edition(document.symbol)
    mark = next_mark(previous.mark or "", kind if kind in MARK_KINDS else "rev")
    when = previous.issued_on or to_zone(previous.published_at, document.event.timezone).date()
    return Edition(full_symbol(document.symbol, mark), mark, previous.symbol, when)


def ensure_changed(document: OutcomeDocument, content_sha256: str) -> None:
    """Refuse to publish a version whose content is the same, in every language, as the current one."""
    previous = latest(document)
    if previous is not None and previous.content_sha256 == content_sha256:
        raise OutcomeError(_("Nothing changed since version %(version)d (%(symbol)s): the text is the same in "
                             "every language. Change the document before publishing a new version.",
                             version=previous.version, symbol=previous.symbol))


def content_hash(parts: list[str]) -> str:
    """SHA-256 of the document's rendering in every language, without any mark."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


# --- what changed between two versions ----------------------------------------------------------

@dataclass
class Change:
    """One paragraph of a comparison: its numbers in each version and how it changed."""

    old_number: str
    new_number: str
    state: str  # "changed" | "added" | "deleted"
    html: Markup


def paragraphs(html: str) -> list[tuple[str, str]]:
    """(number, text) of the numbered paragraphs of a stored publication's HTML, the preamble first."""
    if not html.strip():
        return []
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    out = []
    for pre in tree.xpath('//div[contains(concat(" ", @class, " "), " preamble ")]'):
        out.append(("", _text(pre)))
    for para in tree.xpath('//div[contains(concat(" ", @class, " "), " para ")]'):
        number = "".join(para.xpath('./span[@class="num"]//text()')).strip().rstrip(".")
        body = para.xpath('./div[contains(concat(" ", @class, " "), " body ")]')
        out.append((number, _text(body[0]) if body else ""))
    return out


def _text(element) -> str:
    """The text of an element, blocks separated by a space (no "prévisible.Un second")."""
    for block in element.iter("p", "li", "br"):
        block.tail = " " + (block.tail or "")
        if block.tag != "br":
            block.text = " " + (block.text or "")
    return re.sub(r"[ \t\r\n\f\v]+", " ", element.text_content()).strip(" ")  # no-break spaces stay


def compare(old_html: str, new_html: str) -> list[Change]:
    """The paragraphs that differ between two renderings, words inserted and deleted marked inside."""
    old, new = paragraphs(old_html), paragraphs(new_html)
    matcher = difflib.SequenceMatcher(None, [t for _n, t in old], [t for _n, t in new], autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            (on, ot), (nn, nt) = old[i1 + k], new[j1 + k]
            changes.append(Change(on, nn, "changed", words(ot, nt)))
        for on, ot in old[i1 + pairs:i2]:
            changes.append(Change(on, "", "deleted", _deleted(ot)))
        for nn, nt in new[j1 + pairs:j2]:
            changes.append(Change("", nn, "added", _inserted(nt)))
    return changes


def _inserted(text: str) -> Markup:
    return Markup('<ins><span class="visually-hidden">{}</span>{}<span class="visually-hidden">{}</span></ins>').format(
        _("[inserted:"), text, _("]"))


def _deleted(text: str) -> Markup:
    return Markup('<del><span class="visually-hidden">{}</span>{}<span class="visually-hidden">{}</span></del>').format(
        _("[deleted:"), text, _("]"))


def words(old: str, new: str) -> Markup:
    """`new`, with words deleted from `old` in <del> and words added in <ins>, each announced in words."""
    token = re.compile(r"\w+|[ \t\n]+|[^\w \t\n]+")  # a no-break space stays with its punctuation
    a, b = token.findall(old), token.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1 and "".join(a[i1:i2]).strip():
            out.append(_deleted("".join(a[i1:i2])))
        if j2 > j1 and "".join(b[j1:j2]).strip():
            out.append(_inserted("".join(b[j1:j2])))
        elif j2 > j1:
            out.append(escape("".join(b[j1:j2])))
    return Markup("").join(out)
