"""The outcome document's own parts (title, preamble, recommendations, next steps): their translations are
current, or out of date since the original changed, listed with the diff; publishing needs a choice."""
import io

import pytest
from translate.storage.xliff2 import Xliff2File

from dialogue.extensions import db
from dialogue.outcomes import document as outcome
from dialogue.outcomes import freshness
from dialogue.outcomes.models import OutcomeDocument
from dialogue.outcomes.services import OutcomeError

from . import factories as of

RECOMMENDATIONS = {"es": "Recomendamos A.\n\nRecomendamos B. Con datos.",
                   "fr": "Nous recommandons A.\n\nNous recommandons B. Avec des données.",
                   "en": "We recommend A.\n\nWe recommend B. With data."}


def _save(doc, org, **changes):
    data = {"symbol": doc.symbol, "title": doc.title, "place": doc.place, "issued_on": doc.issued_on,
            "original_language": doc.original_language, "grouping": doc.grouping, "session_ids": [],
            "preamble": doc.preamble, "recommendations": outcome.joined(doc.recommendations),
            "next_steps": outcome.joined(doc.next_steps), **changes}
    outcome.save_document(doc, data, org)
    db.session.commit()


@pytest.fixture
def doc(app):
    ev, s, org, rap = of.setting()
    of.message(s, rap, status="approved", reviewer=org)
    return of.document(ev, org, recommendations=RECOMMENDATIONS), org


def _outdated(doc):
    return [(o.part, o.lang) for o in freshness.in_document(outcome.compose(doc))]


def test_a_new_document_has_every_translation_current(doc):
    doc, org = doc
    assert _outdated(doc) == []
    outcome.ensure_publishable(outcome.compose(doc))


def test_changing_an_original_paragraph_makes_its_translations_out_of_date_with_the_diff(doc, client, auth):
    doc, org = doc
    _save(doc, org, preamble={**doc.preamble, "es": "Nosotros adoptamos lo siguiente."},
          recommendations={**RECOMMENDATIONS, "es": "Recomendamos A.\n\nRecomendamos B. Con datos abiertos."})
    assert _outdated(doc) == [("preamble", "fr"), ("preamble", "en"), ("recommendations:2", "fr"),
                              ("recommendations:2", "en")]
    paragraph = [o for o in freshness.in_document(outcome.compose(doc)) if o.part == "recommendations:2"][0]
    assert paragraph.number == 3 and paragraph.label == "Paragraph 3 (Recommendations)"
    assert paragraph.original_diff() == [(" ", "Recomendamos B."), ("-", "Con datos."), ("+", "Con datos abiertos.")]
    with pytest.raises(OutcomeError, match="out of date"):
        outcome.ensure_publishable(outcome.compose(doc))
    auth.login(org.email)
    form = client.get(f"/en/manage/events/{doc.event.slug}/outcome/").get_data(as_text=True)
    assert "4 translations out of date</a>" in form
    url = f"/en/manage/events/{doc.event.slug}/outcome/translations"
    page = client.get(url).get_data(as_text=True)
    report = page[page.index('id="outdated-report"'):]
    assert "Paragraph 3 (Recommendations)" in report and "Preamble" in report
    # The changed sentence, its added words marked (and announced), the sentence before it for context.
    assert '<p class="same">Recomendamos B.</p>' in report
    assert ('<p class="changed">Con datos<ins><span class="visually-hidden">[inserted:</span> abiertos'
            '<span class="visually-hidden">]</span></ins>.</p>') in report
    assert f'/en/manage/events/{doc.event.slug}/outcome/"' in report  # where to update them
    # Publishing as they are is an explicit choice, for this state of the original only.
    keys = [o.key for o in freshness.in_document(outcome.compose(doc))]
    assert client.post(url, data={"accept_outdated": keys, "save_choice": "1"}).status_code == 302
    db.session.expire_all()
    doc = db.session.get(OutcomeDocument, doc.id)
    outcome.ensure_publishable(outcome.compose(doc))
    _save(doc, org, preamble={**doc.preamble, "es": "Nosotros, por fin, adoptamos lo siguiente."})
    with pytest.raises(OutcomeError, match="Preamble: French"):
        outcome.ensure_publishable(outcome.compose(doc))


def test_updating_the_translation_makes_it_current(doc):
    doc, org = doc
    _save(doc, org, title={**doc.title, "es": "Documento final de la cumbre"})
    assert _outdated(doc) == [("title", "fr"), ("title", "en")]
    _save(doc, org, title={**doc.title, "en": "Outcome document of the summit"})
    assert _outdated(doc) == [("title", "fr")]


def test_a_paragraph_inserted_before_others_leaves_their_translations_current(doc):
    doc, org = doc
    _save(doc, org, recommendations={"es": "Recomendamos Z.\n\n" + RECOMMENDATIONS["es"],
                                     "fr": "Nous recommandons Z.\n\n" + RECOMMENDATIONS["fr"],
                                     "en": "We recommend Z.\n\n" + RECOMMENDATIONS["en"]})
    assert _outdated(doc) == []
    # The moved paragraph keeps what its translation was made from: a later change still shows.
    _save(doc, org, recommendations={"es": "Recomendamos Z.\n\nRecomendamos A, ya.\n\nRecomendamos B. Con datos.",
                                     "fr": "Nous recommandons Z.\n\n" + RECOMMENDATIONS["fr"],
                                     "en": "We recommend Z.\n\n" + RECOMMENDATIONS["en"]})
    assert _outdated(doc) == [("recommendations:2", "fr"), ("recommendations:2", "en")]


def test_a_document_saved_before_the_record_existed_flags_the_next_change_of_an_original(doc):
    doc, org = doc
    doc.translated_from = {}  # as the migration leaves documents made before it
    db.session.commit()
    assert _outdated(doc) == []
    _save(doc, org, next_steps={"es": "Seguir.", "fr": "Suivre.", "en": "Follow."})
    assert _outdated(doc) == []
    _save(doc, org, preamble={**doc.preamble, "es": "Otro preámbulo."})
    assert _outdated(doc) == [("preamble", "fr"), ("preamble", "en")]


def test_an_xliff_translation_of_a_part_is_made_from_the_original_of_now(doc, client, auth):
    doc, org = doc
    _save(doc, org, recommendations={**RECOMMENDATIONS, "es": "Recomendamos A, cambiado.\n\nRecomendamos B. Con datos."})
    assert ("recommendations:1", "en") in _outdated(doc)
    auth.login(org.email)
    slug = doc.event.slug
    data = client.get(f"/en/manage/events/{slug}/outcome/translation.xlf?scope=document&source=es&target=en").data
    store = Xliff2File.parsestring(data)
    for unit in store.units:
        if unit.getid() == "recommendations-1":
            unit.target = "We recommend A, changed."
    response = client.post(f"/en/manage/events/{slug}/outcome/translation-files",
                           data={"file": (io.BytesIO(bytes(store)), "t.xlf"), "upload": "1"},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    doc = db.session.get(OutcomeDocument, doc.id)
    assert _outdated(doc) == [("recommendations:1", "fr")]


def test_the_form_as_a_browser_sends_it_with_crlf_keeps_paragraphs_apart_and_translations_current(doc, client, auth):
    doc, org = doc
    auth.login(org.email)
    url = f"/en/manage/events/{doc.event.slug}/outcome/"

    def post(recommendations, preamble):
        data = {"symbol": doc.symbol, "issued_on": doc.issued_on.isoformat(), "original_language": "es",
                "grouping": "session", "submit": "1", "version": str(doc.version),
                **{f"title-{c}": v for c, v in doc.title.items()}, **{f"place-{c}": v for c, v in doc.place.items()},
                **{f"preamble-{c}": v.replace("\n", "\r\n") for c, v in preamble.items()},
                **{f"recommendations-{c}": v.replace("\n", "\r\n") for c, v in recommendations.items()}}
        response = client.post(url, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        db.session.expire_all()
        return db.session.get(OutcomeDocument, doc.id)

    preamble = {**doc.preamble, "es": "Nosotros.\nParticipantes.", "fr": "Nous.\nParticipants."}
    doc = post(RECOMMENDATIONS, preamble)
    assert len(doc.recommendations) == 2 and doc.preamble["es"] == "Nosotros.\nParticipantes."
    assert _outdated(doc) == [("preamble", "en")]  # French typed anew with the original; English left as it was
    doc = post({**RECOMMENDATIONS, "es": "Recomendamos A, ya.\n\nRecomendamos B. Con datos."}, preamble)
    # Saved again as the browser sends it, the untouched translations still count as made from the old original.
    assert _outdated(doc) == [("preamble", "en"), ("recommendations:1", "fr"), ("recommendations:1", "en")]
