"""Edit conflicts merged from the common revision; translations current or out of date since the original changed."""
import re

import pytest

from dialogue.extensions import db
from dialogue.outcomes import document as outcome
from dialogue.outcomes import freshness, merging, services
from dialogue.outcomes.models import KeyMessage

from . import factories as of


def _form(client, url) -> dict:
    """The hidden fields of an edit form as a user's browser has them when they open it."""
    page = client.get(url).get_data(as_text=True)
    return {name: re.search(rf'name="{name}" type="hidden" value="(\d+)"', page).group(1) for name in ("version", "base")}


def _post(client, url, opened, text, **extra):
    data = {"original_language": "es", "save": "1", **opened, **{f"text-{c}": v for c, v in text.items()}, **extra}
    return client.post(url, data=data)


def _fresh(message) -> KeyMessage:
    db.session.expire_all()
    return db.session.get(KeyMessage, message.id)


def _opened(client, auth, text, *, who="rapporteur", lang="en"):
    """A key message of `text`, whose edit form `who` (the rapporteur or the organiser) signs in and opens:
    (organiser, rapporteur, message, the form's address, its hidden fields)."""
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, text)
    url = f"/{lang}/manage/events/{ev.slug}/key-messages/{message.id}/edit"
    auth.login((rap if who == "rapporteur" else org).email)
    return org, rap, message, url, _form(client, url)


def _saved_meanwhile(message, text, opened, by):
    """`by` saves `text` from the revision the open form started from, before that form is sent."""
    services.save_message(message, {"text": text, "original_language": "es", "position": message.position,
                                    "base": opened["base"]}, by)
    db.session.commit()


# --- three-way merge --------------------------------------------------------------------------

def test_neighbouring_paragraphs_changed_by_each_side_are_both_kept():
    base = "Uno.\n\nDos.\n\nTres."
    merged, clashes = merging.merge_text("es", base, "Uno cambiado.\n\nDos.\n\nTres.", "Uno.\n\nDos cambiado.\n\nTres.")
    assert merged == "Uno cambiado.\n\nDos cambiado.\n\nTres." and clashes == []
    merged, clashes = merging.merge_text("es", base, "Uno.\n\nDos.\n\nTres.\n\nCuatro.", "Cero.\n\nUno.\n\nDos.\n\nTres.")
    assert merged == "Cero.\n\nUno.\n\nDos.\n\nTres.\n\nCuatro." and clashes == []
    merged, clashes = merging.merge_text("es", base, "Uno.\n\nDos de ellos.\n\nTres.", "Uno.\n\nDos mío.\n\nTres.")
    assert merged == "Uno.\n\nDos mío.\n\nTres."
    assert [(c.base, c.theirs, c.mine) for c in clashes] == [("Dos.", "Dos de ellos.", "Dos mío.")]


def test_two_people_editing_different_languages_at_once_both_keep_their_text(app, client, auth):
    org, rap, message, url, rap_opened = _opened(client, auth, {"es": "Texto.", "fr": "Texte.", "en": "Text."})
    auth.logout()
    auth.login(org.email)
    org_opened = _form(client, url)
    assert _post(client, url, org_opened, {"es": "Texto.", "fr": "Texte.", "en": "The text, in English."}).status_code == 302
    auth.logout()
    auth.login(rap.email)
    response = _post(client, url, rap_opened, {"es": "Texto corregido.", "fr": "Texte.", "en": "Text."})
    assert response.status_code == 302
    assert _fresh(message).text == {"es": "Texto corregido.", "fr": "Texte.", "en": "The text, in English."}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "their changes and yours are both kept" in page


def test_different_paragraphs_of_one_language_are_merged(app, client, auth):
    org, rap, message, url, opened = _opened(client, auth, {"es": "Primero.\n\nSegundo."})
    _saved_meanwhile(message, {"es": "Primero, corregido.\n\nSegundo."}, opened, org)
    assert _post(client, url, opened, {"es": "Primero.\n\nSegundo, ampliado."}).status_code == 302
    assert _fresh(message).text == {"es": "Primero, corregido.\n\nSegundo, ampliado."}


def test_the_same_paragraph_changed_by_both_is_shown_side_by_side_and_the_typed_text_is_kept(app, client, auth):
    org, rap, message, url, opened = _opened(client, auth, {"es": "Primero.\n\nSegundo.", "en": "First.\n\nSecond."})
    _saved_meanwhile(message, {"es": "Primero según el organizador.\n\nSegundo.", "en": "First.\n\nSecond!"}, opened, org)
    response = _post(client, url, opened, {"es": "Primero según la relatora.\n\nSegundo, ampliado.",
                                           "en": "First.\n\nSecond."})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    flat = " ".join(page.split())
    assert "1 paragraph changed by both of you" in flat
    clash = page[page.index('id="box-es"'):page.index('id="box-en"')]
    assert 'class="saved-text"' in clash and "Primero según el organizador." in clash
    assert 'class="saved-text mine"' in clash
    # The box holds the typed paragraph where both changed, and the merge elsewhere (their English kept).
    assert "Primero según la relatora.\n\nSegundo, ampliado.</textarea>" in page
    assert "First.\n\nSecond!</textarea>" in page
    assert _fresh(message).text["es"] == "Primero según el organizador.\n\nSegundo."
    settled = {name: re.search(rf'name="{name}" type="hidden" value="(\d+)"', page).group(1) for name in ("version", "base")}
    assert _post(client, url, settled, {"es": "Primero según ambos.\n\nSegundo, ampliado.",
                                        "en": "First.\n\nSecond!"}).status_code == 302
    assert _fresh(message).text == {"es": "Primero según ambos.\n\nSegundo, ampliado.", "en": "First.\n\nSecond!"}


def test_a_language_the_saver_did_not_touch_is_never_emptied(app, client, auth):
    org, rap, message, url, opened = _opened(client, auth, {"es": "Texto."})  # English is empty in the rapporteur's form
    _saved_meanwhile(message, {"es": "Texto.", "en": "Text."}, opened, org)
    assert _post(client, url, opened, {"es": "Texto nuevo.", "en": ""}).status_code == 302
    assert _fresh(message).text == {"es": "Texto nuevo.", "en": "Text."}


def test_emptying_a_language_needs_a_confirmation(app, client, auth):
    org, rap, message, url, opened = _opened(client, auth, {"es": "Texto.", "en": "Text."}, lang="fr")
    response = _post(client, url, opened, {"es": "Texto.", "en": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "supprime tout le texte en anglais" in page
    assert 'name="confirm_removal" value="en"' in page
    assert _fresh(message).text == {"es": "Texto.", "en": "Text."}
    with pytest.raises(services.RemovalUnconfirmed):
        services.save_message(message, {"text": {"es": "Texto."}, "original_language": "es"}, org)
    db.session.rollback()
    assert _post(client, url, opened, {"es": "Texto.", "en": ""}, confirm_removal="en").status_code == 302
    assert _fresh(message).text == {"es": "Texto."}


def test_a_review_in_between_is_said_before_the_edit_withdraws_it(app):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Texto."}, status="submitted")
    base = services.latest_revision(message)
    services.approve_message(message, org)
    with pytest.raises(services.EditConflict) as conflict:
        services.save_message(message, {"text": {"es": "Texto nuevo."}, "original_language": "es", "base": base}, rap)
    assert "reviewed this message" in conflict.value.message
    assert message.status == "approved"


# --- translation state ------------------------------------------------------------------------

def test_a_changed_original_puts_its_translations_out_of_date_until_updated_or_confirmed(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, {"es": "Primera frase. Segunda frase.", "fr": "Première phrase. Deuxième phrase.",
                                  "en": "First sentence. Second sentence."})
    assert freshness.state(message) == {"es": "original", "fr": "current", "en": "current"}
    services.save_message(message, {"text": {**message.text, "es": "Primera frase. Segunda frase, corregida."},
                                    "original_language": "es"}, rap)
    db.session.commit()
    assert freshness.state(message) == {"es": "original", "fr": "outdated", "en": "outdated"}
    auth.login(rap.email)
    url = f"/en/manage/events/{ev.slug}/key-messages/{message.id}/edit"
    page = client.get(url).get_data(as_text=True)
    box = page[page.index('id="box-en"'):]
    assert "Out of date: the original text changed since this translation was made (revision 1)." in box
    assert '<p class="same">Primera frase.</p>' in box
    assert '<p class="changed">Segunda frase<ins><span class="visually-hidden">[inserted:</span>, corregida' in box
    opened = _form(client, url)
    # The translator updates English and finds French still right.
    assert _post(client, url, opened, {**message.text, "en": "First sentence. Second sentence, corrected."},
                 confirm_current="fr").status_code == 302
    assert freshness.state(_fresh(message)) == {"es": "original", "fr": "current", "en": "current"}


def test_a_translation_made_while_the_original_changed_is_out_of_date(app, client, auth):
    """The translator worked from the original they opened: a newer original merged in makes it out of date."""
    org, rap, message, url, opened = _opened(client, auth, {"es": "Texto."}, who="organiser")
    services.save_message(message, {"text": {"es": "Texto nuevo."}, "original_language": "es"}, rap)
    db.session.commit()
    assert _post(client, url, opened, {"es": "Texto.", "en": "Text."}).status_code == 302
    message = _fresh(message)
    assert message.text == {"es": "Texto nuevo.", "en": "Text."}
    assert freshness.state(message)["en"] == "outdated"


def test_the_report_lists_out_of_date_translations_and_publishing_needs_a_choice(app, client, auth):
    ev, s, org, rap = of.setting()
    message = of.message(s, rap, status="approved", reviewer=org)
    doc = of.document(ev, org)
    outcome.ensure_publishable(outcome.compose(doc))
    services.save_message(message, {"text": {**message.text, "es": "Mensaje clave, corregido."},
                                    "original_language": "es"}, rap)
    services.submit_message(message, rap)
    services.approve_message(message, org)
    db.session.commit()
    auth.login(org.email)
    url = f"/en/manage/events/{ev.slug}/outcome/translations"
    page = client.get(url).get_data(as_text=True)
    report = page[page.index('id="outdated-report"'):]
    assert "Paragraph 1 (RD-LAC)" in report and "French" in report and "English" in report
    assert 'Mensaje clave<ins><span class="visually-hidden">[inserted:</span>, corregido' in report  # the words
    with pytest.raises(services.OutcomeError, match="out of date"):
        outcome.ensure_publishable(outcome.compose(doc))
    keys = [o.key for o in freshness.in_document(outcome.compose(doc))]
    assert keys == [f"km:{message.id}:fr:r6", f"km:{message.id}:en:r6"]
    response = client.post(url, data={"accept_outdated": keys, "save_choice": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    outcome.ensure_publishable(outcome.compose(doc))
    # A new change of the original needs a new choice.
    message = _fresh(message)
    services.save_message(message, {"text": {**message.text, "es": "Otra versión."}, "original_language": "es"}, rap)
    services.submit_message(message, rap)
    services.approve_message(message, org)
    with pytest.raises(services.OutcomeError, match="out of date"):
        outcome.ensure_publishable(outcome.compose(doc))


def test_the_report_costs_the_same_queries_whatever_the_number_of_messages(app, client, auth, count_queries):
    ev, s, org, rap = of.setting()
    of.document(ev, org)
    auth.login(org.email)

    def count():
        with count_queries() as counter:
            assert client.get(f"/en/manage/events/{ev.slug}/outcome/translations").status_code == 200
        return counter.count
    of.message(s, rap, status="approved", reviewer=org)
    few = count()
    for _ in range(5):
        m = of.message(s, rap, status="approved", reviewer=org)
        services.save_message(m, {"text": {**m.text, "es": "Cambiado."}, "original_language": "es"}, org)
        db.session.commit()
    assert count() == few
