"""Publishing the outcome document: immutable versions in every language, and reading them back.

Never in a request: a worker publishes (jobs.py), or the CLI. Each version after the first bears
the revision mark the organiser chose (versions.py); a version with the same content as the
current one is refused.
"""
from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable

from cachetools import LRUCache
from flask_babel import force_locale
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import undefer

from ..cache import head_row
from ..extensions import db
from ..i18n import LANGUAGES, pick
from ..models import audit
from ..permissions import can_organise, ensure
from ..sessions.models import Event
from . import rendering, versions, word
from .document import Composition, compose, ensure_publishable
from .models import OutcomeDocument, Publication


def content_sha256(comp: Composition) -> str:
    """What the document says in every language, without any mark: equal means nothing to republish."""
    return versions.content_hash([rendering.render_html(comp, lang, draft=False) for lang in LANGUAGES])


def ensure_new_content(document: OutcomeDocument, comp: Composition | None = None) -> str:
    """The content hash of the document, after refusing it when the current version already says the same."""
    digest = content_sha256(comp or compose(document))
    versions.ensure_changed(document, digest)
    return digest


def publish(document: OutcomeDocument, by, progress: Callable[[int, int], None] | None = None,
            *, check: bool = True, mark: str = "rev") -> list[Publication]:
    """Render and store the document in every language as a new, immutable version.

    `mark` is "rev" (a new version, Rev.n) or "corr" (a correction, Corr.n); the first
    publication has none. The version number is allocated in the caller's transaction; the
    unique constraint settles a race.
    """
    if check:
        ensure(can_organise, by, document.event)
    comp = compose(document)
    ensure_publishable(comp)
    digest = ensure_new_content(document, comp)
    edition = versions.next_edition(document, mark)
    rendered = []
    for done, lang in enumerate(LANGUAGES, start=1):
        rendered.append((lang, rendering.render_pdf(comp, lang, draft=False, edition=edition),
                         rendering.render_html(comp, lang, draft=False, edition=edition),
                         word.render_docx(comp, lang, edition)))
        if progress is not None:
            progress(done, len(LANGUAGES))
    version = (latest_version(document) or 0) + 1
    published = []
    for lang, pdf, html, docx in rendered:
        numbers = [p.number for p in comp.paragraphs if not (p.text.get(lang) or "").strip()]
        with force_locale(lang):
            title = pick(document.title, lang, document.original_language).text
        publication = Publication(document=document, version=version, language=lang, symbol=edition.symbol[:60],
                                  mark=edition.mark, issued_on=document.issued_on, content_sha256=digest,
                                  title=title[:500], html=html, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                                  size=len(pdf), original_only=numbers, by=by, docx=docx,
                                  docx_sha256=hashlib.sha256(docx).hexdigest(), docx_size=len(docx))
        db.session.add(publication)
        published.append(publication)
    document.status = "published"
    db.session.flush()
    audit("outcome.publish", user=by, event=document.event, target=f"outcome_document:{document.id}",
          version=version, mark=edition.mark, sha256={p.language: p.sha256 for p in published})
    return published


def latest_version(document: OutcomeDocument) -> int | None:
    """The number of the current publication, None before the first."""
    return db.session.scalar(select(func.max(Publication.version)).where(Publication.document_id == document.id))


def published_version(slug: str, lang: str, version: int | None = None) -> tuple[Publication, Event] | None:
    """The current (or a given) publication of an event by slug, with the event, in one query."""
    query = (select(Publication, Event).join(OutcomeDocument, OutcomeDocument.id == Publication.document_id)
             .join(Event, Event.id == OutcomeDocument.event_id)
             .where(Event.slug == slug, Publication.language == lang))
    if version is not None:
        query = query.where(Publication.version == version)
    row = db.session.execute(query.order_by(Publication.version.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


_HEAD_COLUMNS = select(Publication.id, Publication.version, Publication.sha256, Publication.size,
                      Publication.docx_sha256, Publication.docx_size, Event.status)
_PUBLISHED_HEAD = {
    # Built once (a per-request where() cost as much as the query): the current version, or a given one.
    False: (_HEAD_COLUMNS.join(OutcomeDocument, OutcomeDocument.id == Publication.document_id)
            .join(Event, Event.id == OutcomeDocument.event_id)
            .where(Event.slug == bindparam("slug"), Publication.language == bindparam("lang"))
            .order_by(Publication.version.desc()).limit(1)),
    True: (_HEAD_COLUMNS.join(OutcomeDocument, OutcomeDocument.id == Publication.document_id)
           .join(Event, Event.id == OutcomeDocument.event_id)
           .where(Event.slug == bindparam("slug"), Publication.language == bindparam("lang"),
                  Publication.version == bindparam("version"))),
}


def published_head(slug: str, lang: str, version: int | None = None):
    """What serving a publication needs (id, version, sha256, size, docx_sha256, docx_size and the
    event's status), by slug, in one column query (cache.head_row: kept per worker for SERVE_HEAD_TTL,
    forgotten when this process commits, e.g. a new version); None if there is none."""
    params = {"slug": slug, "lang": lang} if version is None else {"slug": slug, "lang": lang, "version": version}
    return head_row(_PUBLISHED_HEAD[version is not None], params)


def stored_bytes(sha256: str, publication_id: int, docx: bool = False) -> bytes:
    """The PDF (or Word file) of a publication by its SHA-256: from memory, else one query."""
    column = Publication.docx if docx else Publication.pdf
    return _cached(sha256, lambda: db.session.scalar(select(column).where(Publication.id == publication_id)))


#: Published PDFs by SHA-256, kept in memory: content-addressed, so never stale.
_pdf_cache: LRUCache = LRUCache(maxsize=64 * 1024 * 1024, getsizeof=len)
_pdf_lock = threading.Lock()


def publication_pdf(publication: Publication) -> bytes:
    """The bytes of a publication, from memory after the first download (the column is deferred)."""
    return _cached(publication.sha256, lambda: publication.pdf)


def publication_docx(publication: Publication) -> bytes:
    """The Word file of a publication, like publication_pdf."""
    return _cached(publication.docx_sha256, lambda: publication.docx)


def _cached(sha256: str, load: Callable[[], bytes]) -> bytes:
    with _pdf_lock:
        body = _pdf_cache.get(sha256)
    if body is None:
        body = load()  # one query
        with _pdf_lock, contextlib.suppress(ValueError):  # larger than the whole cache: not kept
            _pdf_cache[sha256] = body
    return body


def all_versions(event: Event) -> list[Publication]:
    """Every publication of the event, newest version first."""
    return list(db.session.scalars(
        select(Publication).join(OutcomeDocument).where(OutcomeDocument.event_id == event.id)
        .order_by(Publication.version.desc(), Publication.language)))


def pair(event: Event, lang: str, old: int, new: int) -> tuple[Publication, Publication] | None:
    """Two versions of the event's document in `lang`, with their HTML, in one query; None if either is missing."""
    rows = {p.version: p for p in db.session.scalars(
        select(Publication).join(OutcomeDocument)
        .where(OutcomeDocument.event_id == event.id, Publication.language == lang,
               Publication.version.in_((old, new)))
        .options(undefer(Publication.html)))}
    return (rows[old], rows[new]) if old in rows and new in rows else None

