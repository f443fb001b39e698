"""Composing the outcome document: numbering, grouping, the translation report, publishing rules."""
import pytest
from sqlalchemy import func, select

from dialogue.extensions import db
from dialogue.jobs.models import Job
from dialogue.outcomes import document as outcome
from dialogue.outcomes import services
from dialogue.outcomes.jobs import request_publication
from dialogue.outcomes.services import OutcomeError

from .. import factories as f
from . import factories as of


@pytest.fixture
def reviewed(app):
    ev, s, org, rap = of.setting()
    reviewer = of.organiser(ev, name="Second organiser")
    return ev, s, org, rap, reviewer


def test_only_approved_messages_are_numbered_consecutively_across_parts(reviewed):
    ev, s, org, rap, reviewer = reviewed
    ws = f.session(ev, "WS1", start="2022-12-13 09:00")
    of.rapporteur(ws, rap)
    a = of.message(s, rap, status="approved", reviewer=reviewer)
    of.message(s, rap, status="returned", reviewer=reviewer)
    of.message(s, rap, status="submitted")
    b = of.message(ws, rap, status="approved", reviewer=reviewer)
    doc = of.document(ev, org, recommendations={"es": "Uno.\n\nDos.", "fr": "Un.\n\nDeux.", "en": "One.\n\nTwo."},
                      next_steps={"es": "Seguir.", "fr": "Suivre.", "en": "Follow up."})
    comp = outcome.compose(doc)
    assert [s.numeral for s in comp.sections] == ["I", "II", "III", "IV"]
    assert [(p.key, p.number) for p in comp.paragraphs] == [
        (f"km:{a.id}", 1), (f"km:{b.id}", 2), ("recommendations:1", 3), ("recommendations:2", 4), ("next_steps:1", 5)]


def test_grouping_by_theme_files_each_message_once_under_its_first_theme(reviewed):
    ev, s, org, rap, reviewer = reviewed
    gov, fin = services.set_themes(ev, {"en": "Governance\nFinance"}, org)
    m1 = of.message(s, rap, status="approved", reviewer=reviewer, themes=[fin.id, gov.id])
    m2 = of.message(s, rap, status="approved", reviewer=reviewer, themes=[gov.id])
    m3 = of.message(s, rap, status="approved", reviewer=reviewer)
    doc = of.document(ev, org, grouping="theme")
    comp = outcome.compose(doc)
    assert [sec.key for sec in comp.sections] == [f"theme:{gov.id}", f"theme:{fin.id}", "other"]
    assert [p.key for p in comp.paragraphs] == [f"km:{m2.id}", f"km:{m1.id}", f"km:{m3.id}"]
    assert [p.number for p in comp.paragraphs] == [1, 2, 3]


def test_paragraph_lists_must_have_the_same_length_in_every_language(reviewed):
    ev, s, org, rap, reviewer = reviewed
    with pytest.raises(OutcomeError) as error:
        of.document(ev, org, recommendations={"es": "Uno.\n\nDos.", "en": "One."})
    assert error.value.field == "recommendations"


def test_translation_report_lists_every_paragraph_missing_a_language(reviewed):
    ev, s, org, rap, reviewer = reviewed
    of.message(s, rap, {"es": "Solo en español."}, status="approved", reviewer=reviewer)
    of.message(s, rap, status="approved", reviewer=reviewer)
    doc = of.document(ev, org, preamble={"es": "Preámbulo."})
    gaps = outcome.translation_report(outcome.compose(doc))
    assert [(g.key.split(":")[0], g.number, g.missing) for g in gaps] == [
        ("preamble", None, ["fr", "en"]), ("km", 1, ["fr", "en"])]


def test_publishing_needs_all_languages_or_an_explicit_original_language_choice(reviewed, jobs):
    ev, s, org, rap, reviewer = reviewed
    m = of.message(s, rap, {"es": "Solo en español."}, status="approved", reviewer=reviewer)
    doc = of.document(ev, org)
    with pytest.raises(OutcomeError) as error:
        request_publication(doc, org)
    assert "Paragraph 1" in error.value.message
    db.session.rollback()
    outcome.set_original_only(doc, [f"km:{m.id}"], org)
    published = of.publish(doc, org, jobs)
    assert {p.language for p in published} == {"fr", "es", "en"}
    english = next(p for p in published if p.language == "en")
    assert english.original_only == [1]
    assert "Published in the original language only (Spanish)" in english.html
    assert '<div class="body" lang="es">' in english.html
    spanish = next(p for p in published if p.language == "es")
    assert spanish.original_only == []


def test_publishing_needs_a_symbol_and_a_paragraph(reviewed):
    ev, s, org, rap, reviewer = reviewed
    doc = of.document(ev, org, symbol="")
    with pytest.raises(OutcomeError):
        request_publication(doc, org)
    doc = of.document(ev, org)
    with pytest.raises(OutcomeError):
        request_publication(doc, org)
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_symbol_cannot_carry_markup(reviewed):
    ev, s, org, rap, reviewer = reviewed
    with pytest.raises(OutcomeError):
        of.document(ev, org, symbol='A/"; } @page { x')


def test_document_form_saves_and_detects_a_concurrent_save(app, client, auth, reviewed):
    ev, s, org, rap, reviewer = reviewed
    auth.login(org.email)
    url = f"/en/manage/events/{ev.slug}/outcome/"
    assert client.get(url).status_code == 200
    doc = outcome.get_document(ev)
    version = doc.version
    data = {"symbol": "ECS/2022/1", "title-en": "Outcome", "original_language": "en", "grouping": "session",
            "issued_on": "2022-12-14", "version": version}
    assert client.post(url, data=data).status_code == 302
    stale = client.post(url, data={**data, "title-en": "Other"})
    assert stale.status_code == 422
    assert "Someone else saved the document" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert outcome.get_document(ev).title == {"en": "Outcome"}


def test_translation_report_leads_to_where_translations_are_added(reviewed, client, auth):
    """Each missing paragraph links to the form that takes its translations; French keeps its spacing."""
    ev, s, org, rap, reviewer = reviewed
    m = of.message(s, rap, {"es": "Solo en español."}, status="approved", reviewer=reviewer)
    of.document(ev, org, preamble={"es": "Preámbulo."})
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/outcome/translations").get_data(as_text=True)
    assert f'href="/en/manage/events/{ev.slug}/key-messages/{m.id}/edit"' in page
    assert f'href="/en/manage/events/{ev.slug}/outcome/"' in page
    queue = of.message(s, rap, {"es": "Por revisar."}, status="submitted")
    review = client.get(f"/en/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert f'href="/en/manage/events/{ev.slug}/key-messages/{queue.id}/edit"' in review
    refused = client.post(f"/fr/manage/events/{ev.slug}/outcome/translations",
                          data={"publish": "1"}).get_data(as_text=True)
    assert "Paragraphe 1 (RD-LAC) : français, anglais" in refused.replace("\u202f", " ").replace("&#39;", "'")
