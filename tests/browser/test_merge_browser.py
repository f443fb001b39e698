"""Two people edit one key message at once in two browsers and neither loses a word; then the original changes
and the translation report shows its translations out of date."""
import pytest

from .helpers import ORGANISER, SLUG, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

RAPPORTEUR = "rapporteur@example.org"
ES = "Las ciudades deben compartir sus datos.\n\nLa financiación debe ser previsible."
FR = "Les villes doivent partager leurs données.\n\nLe financement doit être prévisible."
EN = "Cities should share their data.\n\nFunding should be predictable."


def _message(live_app) -> int:
    """A submitted message of the rapporteur's session, in three languages, made through the services."""
    from sqlalchemy import select

    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.outcomes import services
    from dialogue.outcomes.models import SessionRapporteur
    with live_app.app_context():
        rapporteur = db.session.scalar(select(User).where(User.email == RAPPORTEUR))
        link = db.session.scalar(select(SessionRapporteur).where(SessionRapporteur.user_id == rapporteur.id))
        message = services.create_message(link.session, {"text": {"es": ES, "fr": FR, "en": EN},
                                                         "original_language": "es"}, rapporteur)
        services.submit_message(message, rapporteur)
        db.session.commit()
        return message.id


def _text(live_app, message_id) -> dict:
    from dialogue.extensions import db
    from dialogue.outcomes.models import KeyMessage
    with live_app.app_context():
        return dict(db.session.get(KeyMessage, message_id).text)


def test_two_people_edit_two_languages_at_once_then_the_original_changes(browser, live_server, live_app):
    message_id = _message(live_app)
    edit = f"/{{}}/manage/events/{SLUG}/key-messages/{message_id}/edit"
    contexts = [browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}) for _ in range(2)]
    try:
        rapporteur, organiser = (c.new_page() for c in contexts)
        for page in (rapporteur, organiser):
            page.set_default_timeout(15_000)
        login(rapporteur, RAPPORTEUR, lang="fr")
        login(organiser, ORGANISER)
        # Both open the form before either saves.
        rapporteur.goto(edit.format("fr"))
        organiser.goto(edit.format("en"))
        organiser.fill("#text-en", EN.replace("Funding", "Public funding"))
        rapporteur.fill("#text-fr", FR.replace("Le financement", "Le financement public"))
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Save draft").click()
        with rapporteur.expect_navigation():
            rapporteur.get_by_role("button", name="Enregistrer le brouillon").click()
        assert "sont tous conservés" in rapporteur.locator(".flash.success").first.inner_text()
        assert _text(live_app, message_id) == {"es": ES, "fr": FR.replace("Le financement", "Le financement public"),
                                               "en": EN.replace("Funding", "Public funding")}

        # The rapporteur changes the original and submits it; the organiser approves it.
        rapporteur.goto(edit.format("fr"))
        rapporteur.fill("#text-es", ES.replace("sus datos", "sus datos abiertos"))
        with rapporteur.expect_navigation():
            rapporteur.get_by_role("button", name="Enregistrer et soumettre pour examen").click()
        organiser.goto(f"/en/manage/events/{SLUG}/review")
        organiser.locator(f"#pick-{message_id}").check()
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Approve the selected messages").click()
        assert "1 key message is approved." in organiser.locator(".flash.success").inner_text()

        # Its French and English versions are now out of date in the organisers' translation report.
        organiser.goto(f"/en/manage/events/{SLUG}/outcome/translations")
        rows = organiser.locator("#outdated-report tbody tr", has_text="RD-LAC")
        assert rows.count() == 2
        assert "French" in rows.nth(0).inner_text() and "English" in rows.nth(1).inner_text()
        # The changed sentence, with the added word marked; the unchanged one after it for context.
        assert "abiertos" in rows.nth(0).locator("ins").inner_text()
        assert "Las ciudades deben compartir sus datos" in rows.nth(0).locator(".diff .changed").inner_text()
        assert rows.nth(0).locator(".diff .same").inner_text() == "La financiación debe ser previsible."
        screenshot(organiser, "outcomes-outdated-report-en")
        assert axe_violations(organiser) == [], describe(axe_violations(organiser))
        rapporteur.goto(edit.format("fr"))
        assert rapporteur.locator("#box-en .badge").inner_text() == "Obsolète"
        screenshot(rapporteur, "outcomes-outdated-form-fr")
    finally:
        for c in contexts:
            c.close()


def test_a_changed_recommendation_shows_its_translations_out_of_date_with_the_words_changed(page):
    login(page, ORGANISER)
    form = f"/en/manage/events/{SLUG}/outcome/"
    page.goto(form)
    original = page.locator("#original_language").input_value()
    box = page.locator(f"#recommendations-{original}")
    before = box.input_value()
    first, *rest = before.replace("\r\n", "\n").split("\n\n")
    box.fill("\n\n".join([first.rstrip(".") + ", sin demora." if original == "es" else first + " (2027)", *rest]))
    with page.expect_navigation():
        page.get_by_role("button", name="Save the document").click()
    assert "The outcome document is saved." in page.locator(".flash.success").inner_text()
    assert "translations out of date" in page.locator("main").inner_text()
    page.goto(f"/en/manage/events/{SLUG}/outcome/translations")
    rows = page.locator("#outdated-report tbody tr", has_text="(Recommendations)")
    assert rows.count() == 2  # the two other languages of that paragraph, and of no other
    assert "sin demora" in rows.nth(0).locator(".diff .changed ins").inner_text() or original != "es"
    assert "Update the translation" in rows.nth(0).inner_text()
    screenshot(page, "outcomes-outdated-recommendation-en")
    assert axe_violations(page) == [], describe(axe_violations(page))
    # Put back as it was, the original matches what the translations were made from again.
    page.goto(form)
    page.locator(f"#recommendations-{original}").fill(before.replace("\r\n", "\n"))
    with page.expect_navigation():
        page.get_by_role("button", name="Save the document").click()
    page.goto(f"/en/manage/events/{SLUG}/outcome/translations")
    assert page.locator("#outdated-report tbody tr", has_text="(Recommendations)").count() == 0
