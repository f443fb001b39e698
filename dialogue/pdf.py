"""The one place PDFs are made: a Jinja template, CSS paged media and a locked-down WeasyPrint.

WeasyPrint's default fetcher reads file:// and any URL, so text injected into a document
(`<img src="file:///etc/passwd">`, a link to an internal server) could leak or probe the
server. Ours serves `data:` URLs and the files under static/, and refuses everything else.
"""
from __future__ import annotations

import base64
import hashlib
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import render_template
from flask_babel import force_locale
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .config import ROOT

STATIC = (ROOT / "static").resolve()
BASE_URL = STATIC.as_uri() + "/"
log = logging.getLogger(__name__)


class SafeFetcher(URLFetcher):
    """Fetch `data:` URLs and our own static files; refuse and remember everything else."""

    def __init__(self):
        super().__init__()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return _data_url(url)
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(STATIC) and path.is_file():
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
        self.refused.append(url)
        log.warning("PDF renderer refused to fetch %s", url[:200])
        raise ValueError(f"refused: {url[:200]}")

    __call__ = fetch


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".woff2": "font/woff2",
            ".ttf": "font/ttf", ".jpg": "image/jpeg"}.get(path.suffix, "application/octet-stream")


def _data_url(url: str) -> URLFetcherResponse:
    header, _, payload = url[5:].partition(",")
    mime = header.split(";")[0] or "text/plain"
    body = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
    return URLFetcherResponse(url, body, {"Content-Type": mime})


def html_to_pdf(html: str, fetcher: SafeFetcher | None = None) -> bytes:
    """Tagged PDF/UA-1 from HTML; the same input gives the same bytes."""
    fetcher = fetcher or SafeFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier, uncompressed_pdf=False,
                             font_config=_font_config())
    return scope_table_headers(pdf) if "<th" in html else pdf


_FONTS: FontConfiguration | None = None


def _font_config() -> FontConfiguration:
    """One font configuration per worker process: Pango keeps the fonts it found for a family list,
    which a fresh configuration per document looks up again (a third of a small badge PDF's time)."""
    global _FONTS
    if _FONTS is None:
        _FONTS = FontConfiguration()
    return _FONTS


def scope_table_headers(pdf: bytes) -> bytes:
    """Give every table header cell a /Scope (PDF/UA 7.5): headers in a /THead head columns, the first
    cell of a body row heads its row. WeasyPrint links data cells to headers by /Headers but gives
    the header cells themselves no scope, which checkers read as an undeterminable table."""
    import io

    import pikepdf
    with pikepdf.open(io.BytesIO(pdf)) as document:
        def kids(element):
            k = element.get("/K")
            if isinstance(k, pikepdf.Array):
                return [c for c in k if isinstance(c, pikepdf.Dictionary)]
            return [k] if isinstance(k, pikepdf.Dictionary) else []

        def visit(element, in_head: bool):
            role = element.get("/S")
            if role == "/TR":
                for position, cell in enumerate(kids(element)):
                    if cell.get("/S") == "/TH":
                        attributes = cell.get("/A")
                        if not isinstance(attributes, pikepdf.Dictionary):
                            attributes = cell.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
                        if "/Scope" not in attributes:
                            scope = "/Column" if in_head or position > 0 else "/Row"
                            attributes.Scope = pikepdf.Name(scope)
                return
            for child in kids(element):
                visit(child, in_head or role == "/THead")
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        for child in kids(root):
            visit(child, False)
        out = io.BytesIO()
        document.save(out, static_id=True, deterministic_id=False)
        return out.getvalue()


def _tag_languages() -> None:
    """Structure elements carry the `lang` of their HTML element as /Lang (PDF/UA 7.2: a title
    shown in another language is read in that language). WeasyPrint tags only the document's."""
    import pydyf
    from weasyprint.pdf import tags
    original = tags._build_box_tree
    if getattr(original, "tags_lang", False):
        return

    def build(box, parent, pdf, *args):
        element = getattr(getattr(box, "_box", box), "element", None)
        lang = element.get("lang") if element is not None and element.tag not in ("html", "body") else None
        for struct in original(box, parent, pdf, *args):
            if lang and "Lang" not in struct:
                struct["Lang"] = pydyf.String(lang)
            yield struct
    build.tags_lang = True
    tags._build_box_tree = build


_tag_languages()


class _KnownHarmless(logging.Filter):
    """Drops WeasyPrint's `Ignored `unicode-bidi: isolate` ..., property not supported yet`, logged once
    a render (every list and badge file) for the rule in static/participants.css that keeps a salutation's
    dot in a right-to-left line in browsers. WeasyPrint has no `unicode-bidi` and skips the declaration;
    the PDF's right-to-left names come from `dir` and the Arabic fonts (tests/delegates/test_rtl.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        message = record.getMessage()
        return not (message.startswith("Ignored `unicode-bidi:") and "isolate" in message)


def _quiet_weasyprint() -> None:
    """WeasyPrint's INFO "Step 1 - ..." to "Step 6" lines (weasyprint.progress) were nine lines in ten of a
    worker's log: keep its warnings and errors only, unless logging was configured for it already."""
    logger = logging.getLogger("weasyprint")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
    if not any(isinstance(f, _KnownHarmless) for f in logger.filters):
        logger.addFilter(_KnownHarmless())


_quiet_weasyprint()


def render_pdf(template: str, lang: str, fetcher: SafeFetcher | None = None, **context) -> bytes:
    """Render templates/pdf/<template> in `lang` and return the PDF bytes."""
    with force_locale(lang):
        html = render_template(template, lang=lang, **context)
    return html_to_pdf(html, fetcher)
