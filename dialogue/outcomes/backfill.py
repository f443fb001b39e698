"""Publications made before Word files and content hashes existed: their DOCX, its SHA-256 and their content
hash, filled in once (`dialogue outcomes backfill`).

A publication never changes what it published: its PDF and HTML stay byte for byte. The DOCX is made from
the stored HTML of that version (word.docx_from_html), so it says what was published then, whatever the
document says now. Only empty columns are written, by a plain UPDATE (the ORM refuses any change to a
publication), so running it again changes nothing.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

import click
from flask.cli import with_appcontext
from sqlalchemy import or_, select, update
from sqlalchemy.orm import undefer

from ..extensions import db
from ..i18n import LANGUAGES
from . import publications, rendering, versions, word
from .document import compose
from .models import OutcomeDocument, Publication


def incomplete() -> list[Publication]:
    """Publications without a DOCX or a content hash, with their HTML, oldest first."""
    return list(db.session.scalars(
        select(Publication).where(or_(Publication.docx_sha256.is_(None), Publication.content_sha256.is_(None)))
        .options(undefer(Publication.html)).order_by(Publication.document_id, Publication.version,
                                                      Publication.language)))


def backfill() -> int:
    """Fill in what the publications made before the DOCX and hashes lack; the number of rows completed."""
    versions_of: dict[tuple[int, int], list[Publication]] = defaultdict(list)
    for publication in incomplete():
        versions_of[(publication.document_id, publication.version)].append(publication)
    done = 0
    for (document_id, version), pubs in versions_of.items():
        content = _content_hash(db.session.get(OutcomeDocument, document_id), version, pubs)
        for p in pubs:
            values = {}
            if p.docx_sha256 is None:
                issued = p.issued_on or p.published_at.date()
                body = word.docx_from_html(p.html, p.language, mark=p.mark or "", issued_on=issued)
                values.update(docx=body, docx_sha256=hashlib.sha256(body).hexdigest(), docx_size=len(body))
            if p.content_sha256 is None:
                values["content_sha256"] = content
            db.session.execute(update(Publication).where(Publication.id == p.id)
                               .values(**values).execution_options(synchronize_session=False))
            done += 1
    db.session.expire_all()
    return done


def _content_hash(document: OutcomeDocument, version: int, pubs: list[Publication]) -> str:
    """The content hash of a version: that of the document now when the latest version says the same in every
    language (so republishing it unchanged is refused), else one of its stored HTML."""
    stored = {p.language: p.html for p in pubs}
    if version == publications.latest_version(document) and set(stored) == set(LANGUAGES):
        comp = compose(document)
        now = {lang: rendering.render_html(comp, lang, draft=False) for lang in LANGUAGES}
        if all(versions.paragraphs(now[lang]) == versions.paragraphs(stored[lang]) for lang in LANGUAGES):
            return versions.content_hash([now[lang] for lang in LANGUAGES])
    return versions.content_hash([stored[lang] for lang in LANGUAGES if lang in stored])


@click.group("outcomes")
def outcomes_cli():
    """Outcome documents."""


@outcomes_cli.command("backfill")
@with_appcontext
def backfill_command():
    """Give publications made before Word files existed their DOCX and hashes (their PDF is left as it is)."""
    count = backfill()
    db.session.commit()
    click.echo(f"{count} publication(s) completed.")
