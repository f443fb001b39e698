"""Publications made before Word files and content hashes existed get them from `dialogue outcomes backfill`:
a DOCX of what they published, never a changed PDF, and a second run changes nothing."""
import io
import re
from datetime import date, datetime, timedelta

import docx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import undefer

from dialogue.extensions import db
from dialogue.outcomes.jobs import request_publication
from dialogue.outcomes.models import Publication
from dialogue.outcomes.services import OutcomeError

from . import factories as of
from .test_word import _numbered_docx, _numbered_pdf, published  # noqa: F401  (`published` is a fixture)


@pytest.fixture
def old(published):  # noqa: F811  (the imported fixture, by name)
    """A document published in every language (test_word's fixture)."""
    return published


def _as_before_the_migration():
    """The rows as the DOCX and hash migration left older publications: those columns empty."""
    db.session.execute(update(Publication).values(docx=None, docx_sha256=None, docx_size=None, content_sha256=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()


def _rows():
    return {(p.version, p.language): (p.pdf, p.sha256, p.html, p.docx, p.docx_sha256, p.content_sha256)
            for p in db.session.scalars(select(Publication))}


def test_backfill_gives_old_publications_their_docx_and_hashes_and_leaves_their_pdf(old, app, client):
    ev, doc, org, s, rap = old
    before = _rows()
    _as_before_the_migration()
    assert client.get(f"/en/events/{ev.slug}/outcome.docx").status_code == 404
    # The document changed since it was published: the DOCX still says what version 1 said.
    of.edit_document(doc, org, next_steps=[{"es": "Otro paso.", "fr": "Une autre étape.", "en": "Another step."}])
    result = app.test_cli_runner().invoke(args=["outcomes", "backfill"])
    assert result.exit_code == 0 and "3 publication(s) completed." in result.output, result.output
    after = _rows()
    for key, (pdf, sha256, html, *_rest) in before.items():
        assert after[key][:3] == (pdf, sha256, html)  # the published bytes never change
        body, docx_sha256, content = after[key][3:]
        assert body and len(docx_sha256) == 64 and content
    for lang in ("fr", "es", "en"):
        body = client.get(f"/{lang}/events/{ev.slug}/outcome/v1.docx").data
        numbered = _numbered_docx(docx.Document(io.BytesIO(body)))
        assert numbered == _numbered_pdf(after[(1, lang)][0])
        assert not any("Another step" in text or "Otro paso" in text for _n, text in numbered)
    again = app.test_cli_runner().invoke(args=["outcomes", "backfill"])
    assert "0 publication(s) completed." in again.output
    assert _rows() == after


def test_after_backfill_republishing_the_unchanged_document_is_refused(old, app):
    ev, doc, org, s, rap = old
    _as_before_the_migration()
    app.test_cli_runner().invoke(args=["outcomes", "backfill"])
    with pytest.raises(OutcomeError, match="Nothing changed since version 1"):
        request_publication(doc, org)


def _dates():
    return {(p.version, p.language): p.issued_on for p in db.session.scalars(select(Publication))}


def test_backfill_gives_each_version_the_date_its_masthead_printed(old, app, client):
    ev, doc, org, s, rap = old
    printed = doc.issued_on
    assert set(_dates().values()) == {printed}
    _as_before_the_migration()
    db.session.execute(update(Publication).values(issued_on=None).execution_options(synchronize_session=False))
    db.session.commit()
    # The document's date changed since: version 1 still bears the date it was published with.
    of.edit_document(doc, org, issued_on=printed + timedelta(days=40))
    published_on = db.session.scalars(select(Publication)).first().published_at.date()
    assert printed != published_on  # so the date below comes from the masthead, not from the day of publication
    result = app.test_cli_runner().invoke(args=["outcomes", "backfill"])
    assert result.exit_code == 0 and "3 publication(s) completed." in result.output, result.output
    db.session.expire_all()
    assert _dates() == {(1, lang): printed for lang in ("fr", "es", "en")}
    for lang in ("fr", "es", "en"):  # the Word file made in the same pass bears it too
        body = client.get(f"/{lang}/events/{ev.slug}/outcome/v1.docx").data
        assert docx.Document(io.BytesIO(body)).core_properties.created.date() == printed
    rows = _rows()
    again = app.test_cli_runner().invoke(args=["outcomes", "backfill"])
    assert "0 publication(s) completed." in again.output
    assert _dates() == {(1, lang): printed for lang in ("fr", "es", "en")} and _rows() == rows


def test_a_version_whose_masthead_bears_no_date_gets_the_day_it_was_published_in_the_events_zone(old, app):
    ev, doc, org, s, rap = old
    for p in db.session.scalars(select(Publication).options(undefer(Publication.html))):
        html = re.sub(r'(<div class="un-meta">\s*<p>[^<]*</p>\s*)<p>[^<]*</p>', r"\1", p.html)
        assert html != p.html
        db.session.execute(update(Publication).where(Publication.id == p.id).values(issued_on=None, html=html)
                           .execution_options(synchronize_session=False))
    # Published at 23:30 UTC on the 1st: already the 2nd in Manila, the event's zone.
    db.session.execute(update(Publication).values(published_at=datetime(2031, 3, 1, 23, 30))
                       .execution_options(synchronize_session=False))
    ev.timezone = "Asia/Manila"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outcomes", "backfill"])
    assert result.exit_code == 0 and "3 publication(s) completed." in result.output, result.output
    db.session.expire_all()
    assert _dates() == {(1, lang): date(2031, 3, 2) for lang in ("fr", "es", "en")}
