"""The outcome document rendered: HTML for the public page, the HTML handed to WeasyPrint, and the PDF.

The language's typography is applied here (typography.py), never to the stored text; the PDF
gets its languages in the XMP metadata (dc:language) and each paragraph in another language keeps
its `lang` down to the structure tree (pdf.py tags structure elements with it).
"""
from __future__ import annotations

import hashlib
import io
import re

import pikepdf
from flask import render_template
from flask_babel import force_locale

from ..i18n import LANGUAGES, language_name
from ..pdf import SafeFetcher, html_to_pdf
from . import typography
from .document import Composition
from .versions import Edition


def context(comp: Composition, lang: str, draft: bool, edition: Edition | None = None) -> dict:
    doc = comp.document
    return {"comp": comp, "doc": doc, "event": comp.event, "lang": lang, "draft": draft,
            "original_only": set(doc.original_only or []), "original_name": language_name(doc.original_language, lang),
            "language_name": language_name, "edition": edition or Edition(doc.symbol)}


def render_html(comp: Composition, lang: str, draft: bool, edition: Edition | None = None) -> str:
    """The document body as HTML (the public page shows it; the PDF wraps it)."""
    with force_locale(lang):
        html = render_template("outcomes/_document.html", **context(comp, lang, draft, edition))
    return typography.apply_html(html, lang)


#: A space just before an inline element of the light markup.
_SPACE_BEFORE_INLINE = re.compile(r"[ \t\u00a0\u202f]+<(em|strong|i|b)>")


def _weasyprint_safe(html: str) -> str:
    """Work around a WeasyPrint (70) line-breaking bug.

    When a justified line would end on the space right before an inline element, WeasyPrint may
    break the paragraph after its first word instead ("Les" alone, then "pays de la région ...
    leurs propres", then "**institutions**"). The same space inside the element looks the same in
    print and lays out correctly.
    """
    return _SPACE_BEFORE_INLINE.sub(lambda m: f"<{m.group(1)}>{m.group(0)[:-len(m.group(1)) - 2]}", html)


def render_pdf_html(comp: Composition, lang: str, draft: bool, edition: Edition | None = None) -> str:
    """The complete HTML handed to WeasyPrint (for the benchmark and tests)."""
    with force_locale(lang):
        html = render_template("pdf/outcome.html", **context(comp, lang, draft, edition))
    return _weasyprint_safe(typography.apply_html(html, lang))


def render_pdf(comp: Composition, lang: str, draft: bool, fetcher: SafeFetcher | None = None,
               edition: Edition | None = None) -> bytes:
    return with_languages(html_to_pdf(render_pdf_html(comp, lang, draft, edition), fetcher),
                          languages_of(comp, lang))


def languages_of(comp: Composition, lang: str) -> list[str]:
    """The document's language first, then those of paragraphs shown in another language."""
    others = {p.original_language for p in comp.paragraphs if not (p.text.get(lang) or "").strip()}
    return [lang] + sorted(others - {lang})


def with_languages(pdf: bytes, languages: list[str]) -> bytes:
    """The PDF with its languages in the XMP metadata (dc:language), saved deterministically."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:language"] = languages
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
        return out.getvalue()


def fingerprint(comp: Composition, draft: bool) -> str:
    """A hash of what the document's PDFs would show in every language (the HTML handed to WeasyPrint)."""
    digest = hashlib.sha256()
    for lang in LANGUAGES:
        digest.update(render_pdf_html(comp, lang, draft).encode())
    return digest.hexdigest()
