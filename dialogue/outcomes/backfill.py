"""Publications made before Word files, content hashes and version dates existed: their DOCX, its SHA-256, their
content hash and the date the version bears, filled in once (`dialogue outcomes backfill`).

A publication never changes what it published: its PDF and HTML stay byte for byte. The DOCX is made from
the stored HTML of that version (word.docx_from_html), so it says what was published then, whatever the
document says now. The version's date is the one its stored HTML prints in the masthead (the document's
date then), else the day it was published in the event's time zone. Only empty columns are written, by a
plain UPDATE (the ORM refuses any change to a publication), so running it again changes nothing.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from datetime import date, timedelta

import click
import lxml.html
from babel.dates import format_date
from flask.cli import with_appcontext
from sqlalchemy import or_, select, update
from sqlalchemy.orm import undefer

from ..extensions import db
from ..formatting import FORMAT_LOCALES, to_zone
from ..i18n import LANGUAGES
from . import publications, rendering, versions, word
from .document import compose
from .models import OutcomeDocument, Publication


def incomplete() -> list[Publication]:
    """Publications without a DOCX, a content hash or a date, with their HTML, oldest first."""
    return list(db.session.scalars(
        select(Publication).where(or_(Publication.docx_sha256.is_(None), Publication.content_sha256.is_(None),
                                      Publication.issued_on.is_(None)))
        .options(undefer(Publication.html)).order_by(Publication.document_id, Publication.version,
                                                      Publication.language)))


def backfill() -> int:
    """Fill in what the publications made before the DOCX and hashes lack; the number of rows completed."""
    versions_of: dict[tuple[int, int], list[Publication]] = defaultdict(list)
    for publication in incomplete():
        versions_of[(publication.document_id, publication.version)].append(publication)
    done = 0
    for (document_id, version), pubs in versions_of.items():
        document = db.session.get(OutcomeDocument, document_id)
        content = _content_hash(document, version, pubs)
        issued = next((p.issued_on for p in pubs if p.issued_on), None) or _version_date(document, pubs)
        for p in pubs:
            values = {}
            if p.issued_on is None:
                values["issued_on"] = issued
            if p.docx_sha256 is None:
                body = word.docx_from_html(p.html, p.language, mark=p.mark or "", issued_on=issued)
                values.update(docx=body, docx_sha256=hashlib.sha256(body).hexdigest(), docx_size=len(body))
            if p.content_sha256 is None:
                values["content_sha256"] = content
            db.session.execute(update(Publication).where(Publication.id == p.id)
                               .values(**values).execution_options(synchronize_session=False))
            done += 1
    db.session.expire_all()
    return done


def _version_date(document: OutcomeDocument, pubs: list[Publication]) -> date:
    """The date a version bears: the one its masthead printed (read back from the stored HTML of any language),
    else the day its first language was published, in the event's time zone."""
    published = to_zone(min(p.published_at for p in pubs), document.event.timezone).date()
    for p in pubs:
        root = lxml.html.fragment_fromstring(p.html, create_parent="div")
        printed = {" ".join(node.text_content().split()) for node in root.xpath(
            '//*[contains(concat(" ", normalize-space(@class), " "), " un-meta ")]/p')}
        for text in printed:  # a long date has its year in digits: the days of that year, as printed
            for year in {int(y) for y in re.findall(r"\b(\d{4})\b", text) if 1900 < int(y) < 2200}:
                day = date(year, 1, 1)
                while day.year == year:
                    if " ".join(format_date(day, "long", locale=FORMAT_LOCALES.get(p.language, p.language))
                                .split()) == text:
                        return day
                    day += timedelta(days=1)
    return published


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
