"""Versions in United Nations form: Rev. and Corr. marks, what a version replaces, refusal of an unchanged
document, and what changed between two versions."""
import hashlib
import re
import shutil
import subprocess
import tempfile

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.outcomes import versions
from dialogue.outcomes.jobs import request_publication
from dialogue.outcomes.models import Publication
from dialogue.outcomes.review import organisers
from dialogue.outcomes.services import OutcomeError

from . import factories as of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdftotext(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(out.replace("\u2010\n", "").split())


def pdf_title(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        info = subprocess.run(["pdfinfo", tmp.name], capture_output=True, text=True, check=True).stdout
    return re.search(r"^Title:\s+(.*)$", info, re.M).group(1)


def publish(doc, org, jobs, mark="rev"):
    job = request_publication(doc, org, mark)
    db.session.commit()
    jobs.wait()
    db.session.expire_all()
    assert job.status == "done", (job.error, job.error_detail)


@pytest.fixture
def first(app, jobs):
    ev, _s, org, _rap, _reviewer = of.reviewed({"es": "La cooperación debe apoyarse en los sistemas nacionales.",
                                                "fr": "La coopération doit s'appuyer sur les systèmes nationaux.",
                                                "en": "Co-operation should rely on national systems."})
    doc = of.document(ev, org, next_steps=of.NEXT_STEPS)
    of.publish(doc, org, jobs)
    return ev, doc, org


def _change(doc, word):
    of.edit_document(doc, organisers(doc.event)[0],
                     next_steps=[{"es": f"Presentar los mensajes {word}.", "fr": f"Présenter les messages {word}.",
                                  "en": f"Present the messages {word}."}])


def test_marks_follow_united_nations_practice():
    assert versions.next_mark(None, "rev") == ""
    assert versions.next_mark("", "rev") == "Rev.1"
    assert versions.next_mark("", "corr") == "Corr.1"
    assert versions.next_mark("Corr.1", "corr") == "Corr.2"
    assert versions.next_mark("Corr.2", "rev") == "Rev.1"
    assert versions.next_mark("Rev.1", "rev") == "Rev.2"
    assert versions.next_mark("Rev.2", "corr") == "Rev.2/Corr.1"
    assert versions.next_mark("Rev.2/Corr.1", "corr") == "Rev.2/Corr.2"
    assert versions.next_mark("Rev.2/Corr.1", "rev") == "Rev.3"


def test_second_publication_is_rev_1_in_masthead_title_and_metadata_and_the_first_is_unchanged(first, client, jobs):
    ev, doc, org = first
    v1 = {p.language: (p.sha256, client.get(f"/{p.language}/events/{ev.slug}/outcome/v1.pdf").data)
          for p in db.session.scalars(select(Publication).where(Publication.version == 1))}
    _change(doc, "pronto")
    publish(doc, org, jobs, "rev")
    for lang, replaces in (("en", "This document replaces ECS/2022/1 of 14 December 2022."),
                           ("fr", "Le présent document remplace le document ECS/2022/1 du 14 décembre 2022."),
                           ("es", "El presente documento sustituye al documento ECS/2022/1 de 14 de diciembre de 2022.")):
        pdf = client.get(f"/{lang}/events/{ev.slug}/outcome.pdf").data
        text = pdftotext(pdf)
        assert "ECS/2022/1/Rev.1" in text and replaces in text, text
        assert pdf_title(pdf).startswith("ECS/2022/1/Rev.1 · ")
        stored = db.session.scalar(select(Publication).where(Publication.version == 1, Publication.language == lang))
        assert stored.sha256 == v1[lang][0] == hashlib.sha256(stored.pdf).hexdigest()
        assert client.get(f"/{lang}/events/{ev.slug}/outcome/v1.pdf").data == v1[lang][1]
        assert "Rev.1" not in pdftotext(v1[lang][1])
    data = client.get(f"/api/v1/events/{ev.slug}/outcome").get_json()
    assert [(v["version"], v["mark"], v["symbol"]) for v in data["versions"]] == [
        (2, "Rev.1", "ECS/2022/1/Rev.1"), (1, "", "ECS/2022/1")]
    assert data["versions"][0]["files"]["fr"]["docx"]["url"].endswith(f"/fr/events/{ev.slug}/outcome/v2.docx")
    _change(doc, "ya")
    publish(doc, org, jobs, "corr")
    third = client.get(f"/en/events/{ev.slug}/outcome.pdf").data
    assert "ECS/2022/1/Rev.1/Corr.1" in pdftotext(third)
    assert "replaces ECS/2022/1/Rev.1 of 14 December 2022" in pdftotext(third)


def test_publishing_an_unchanged_document_is_refused_with_a_translated_message(first, client, auth):
    ev, doc, org = first
    with pytest.raises(OutcomeError, match="Nothing changed since version 1"):
        request_publication(doc, org, "rev")
    db.session.rollback()
    auth.login(org.email, lang="fr")
    response = client.post(f"/fr/manage/events/{ev.slug}/outcome/translations", data={"publish": "1", "mark": "rev"})
    assert response.status_code == 422
    assert "Rien n’a changé depuis la version 1" in response.get_data(as_text=True)
    assert db.session.scalar(select(Publication.version).order_by(Publication.version.desc()).limit(1)) == 1


def test_publish_page_offers_revision_or_correction_with_the_next_symbol(first, client, auth):
    ev, doc, org = first
    auth.login(org.email, lang="es")
    page = client.get(f"/es/manage/events/{ev.slug}/outcome/translations").get_data(as_text=True)
    assert "ECS/2022/1/Rev.1" in page and "ECS/2022/1/Corr.1" in page
    assert 'name="mark"' in page
    assert "Nada ha cambiado desde la versión 1" in page  # said before the button is pressed
    _change(doc, "pronto")
    assert "Nada ha cambiado" not in client.get(f"/es/manage/events/{ev.slug}/outcome/translations").get_data(
        as_text=True)


def test_public_page_lists_versions_and_shows_what_changed(first, client, jobs, count_queries):
    ev, doc, org = first
    _change(doc, "pronto")
    publish(doc, org, jobs, "rev")
    page = client.get(f"/en/events/{ev.slug}/outcome/").get_data(as_text=True)
    assert "ECS/2022/1/Rev.1" in page and "What changed from version 1" in page
    with count_queries() as counter:
        response = client.get(f"/en/events/{ev.slug}/outcome/changes?from=1&to=2")
    assert response.status_code == 200 and counter.count <= 6
    html = response.get_data(as_text=True)
    assert "Paragraph 2 changed" in html
    assert re.search(r"Present the messages<ins><span class=\"visually-hidden\">\[inserted:</span> pronto<span", html)
    assert "<del>" not in html
    assert "Co-operation should rely" not in html  # unchanged paragraphs are not repeated
    french = client.get(f"/fr/events/{ev.slug}/outcome/changes?from=1&to=2").get_data(as_text=True)
    assert "Paragraphe 2 modifié" in french and "[inséré :" in french
    for hostile in ("from=99&to=1", "from=x&to=y", "from=2&to=2", "from=-1"):
        assert client.get(f"/en/events/{ev.slug}/outcome/changes?{hostile}").status_code in (200, 404)


def test_compare_pairs_paragraphs_and_marks_additions_and_deletions():
    old = ('<div class="preamble"><p>We adopt.</p></div><div class="para ok"><span class="num">1.</span>'
           '<div class="body"><p>Alpha beta.</p></div></div><div class="para ok"><span class="num">2.</span>'
           '<div class="body"><p>Gamma.</p><ul><li>one</li><li>two</li></ul></div></div>')
    new = ('<div class="preamble"><p>We adopt.</p></div><div class="para ok"><span class="num">1.</span>'
           '<div class="body"><p>Alpha delta.</p></div></div>')
    changes = versions.compare(old, new)
    assert [(c.old_number, c.new_number, c.state) for c in changes] == [("1", "1", "changed"), ("2", "", "deleted")]
    assert "Gamma. one two" in str(changes[1].html)


def test_comparison_keeps_french_no_break_spaces_with_their_punctuation():
    html = str(versions.words("Est-ce possible\u202f? Oui\u202f!", "Est-ce possible\u202f? Non\u202f!"))
    assert "possible\u202f? " in html and "Non</span>" not in html and "\u202f!" in html
    assert re.search(r"<del>.*Oui.*</del><ins>.*Non.*</ins>\u202f!", html)
