"""The public agenda of the demo summit in a real browser: languages, switcher, time zones."""
import re

import pytest

from .helpers import LANGS, SLUG, screenshot

pytestmark = pytest.mark.browser

EVENT_TITLE = {"fr": "Sommet sur une coopération efficace au service du développement 2022",
               "es": "Cumbre sobre la Cooperación Eficaz al Desarrollo 2022",
               "en": "2022 Effective Development Co-operation Summit"}
PL1_TITLE = {"fr": "Ouverture : un partenariat pour l'efficacité à l'heure des crises",
             "es": "Apertura: una alianza para la eficacia en tiempos de crisis",
             "en": "Opening: a partnership for effectiveness in a time of crises"}
RD_TITLE = {"fr": "Dialogue régional de haut niveau pour l'Amérique latine et les Caraïbes",
            "es": "Diálogo regional de alto nivel para América Latina y el Caribe",
            "en": "High-level Regional Dialogue for Latin America and the Caribbean"}
PL1_START = {"fr": "09:00", "es": "9:00", "en": "09:00"}
FIRST_DAY = {"fr": "lundi 12 décembre 2022", "es": "lunes, 12 de diciembre de 2022", "en": "Monday, 12 December 2022"}


def _normal(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.mark.parametrize("lang", LANGS)
def test_event_list_links_to_the_summit(page, lang):
    page.goto(f"/{lang}/")
    assert page.locator("html").get_attribute("lang") == lang
    # By its address: a browser test run before this one on the same worker may have copied the summit
    # under the same title (its copy is another event, at another address).
    link = page.locator(f'a[href="/{lang}/events/{SLUG}/"]')
    assert link.inner_text().strip() == EVENT_TITLE[lang]
    link.click()
    page.wait_for_url(f"**/{lang}/events/{SLUG}/")


@pytest.mark.parametrize("lang", LANGS)
def test_agenda_in_each_language(page, lang):
    page.goto(f"/{lang}/events/{SLUG}/")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == EVENT_TITLE[lang]
    assert EVENT_TITLE[lang] in page.title()
    pl1 = page.locator("#s-PL1")
    assert PL1_TITLE[lang] in pl1.locator("h4").inner_text()
    assert pl1.locator(".when time").first.inner_text().replace("\u202f", " ") == PL1_START[lang].replace("\u202f", " ")
    assert _normal(page.locator("section.day h3").first.inner_text()).lower() == FIRST_DAY[lang].lower()
    # 9 plenary and 13 working sessions and the regional dialogue (other tests may add sessions).
    assert page.locator("article.session").count() >= 23
    # Parallel working sessions are grouped and marked.
    assert page.locator(".parallel #s-WS01").count() == 1
    screenshot(page, f"agenda-{lang}")


def test_fallback_to_the_original_language_is_marked(page):
    page.goto(f"/fr/events/{SLUG}/sessions/WS02")
    note = page.locator("section.note [lang=es]")
    assert "Compartir experiencias" in note.inner_text()
    assert page.locator(".fallback-note").first.is_visible()
    assert "espagnol" in page.locator(".fallback-note").first.inner_text()


def test_language_switcher_keeps_the_page(page):
    page.goto(f"/fr/events/{SLUG}/sessions/RD-LAC")
    assert RD_TITLE["fr"] in page.locator("h1").inner_text()
    switcher = page.get_by_role("navigation", name="Langue")
    switcher.get_by_role("link", name="Español").click()
    page.wait_for_url(f"**/es/events/{SLUG}/sessions/RD-LAC")
    assert page.locator("html").get_attribute("lang") == "es"
    assert RD_TITLE["es"] in page.locator("h1").inner_text()
    # The current language is marked, not linked.
    current = page.get_by_role("navigation", name="Idioma").locator("[aria-current]")
    assert current.inner_text() == "Español"
    screenshot(page, "session-RD-LAC-es")
    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English").click()
    page.wait_for_url(f"**/en/events/{SLUG}/sessions/RD-LAC")
    assert RD_TITLE["en"] in page.locator("h1").inner_text()


def test_language_switcher_keeps_the_time_zone(page):
    page.goto(f"/fr/events/{SLUG}/?tz=America/Lima")
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(rf"/en/events/{SLUG}/\?tz=America%2FLima$|/en/events/{SLUG}/\?tz=America/Lima$"))
    assert "12:15" in page.locator("#s-RD-LAC .when").inner_text()


def test_times_in_the_viewers_time_zone(page):
    page.goto(f"/en/events/{SLUG}/")
    assert "18:15" in page.locator("#s-RD-LAC .when").inner_text()  # in Geneva
    page.goto(f"/en/events/{SLUG}/?tz=America/Lima")
    when = _normal(page.locator("#s-RD-LAC .when").inner_text())
    assert when.startswith("12:15–13:30"), when
    assert "America/Lima" in page.locator(".tz-note").inner_text()
    # The session page keeps the zone and says what time it is at the venue.
    page.locator("#s-RD-LAC h4 a").click()
    page.wait_for_url(re.compile(r"/sessions/RD-LAC\?tz=America"))
    facts = _normal(page.locator("dl.facts").inner_text())
    assert "12:15" in facts and "America/Lima" in facts and "18:15" in facts
    screenshot(page, "session-RD-LAC-lima-en")


def test_time_zone_chosen_in_the_form(page):
    page.goto(f"/es/events/{SLUG}/")
    page.get_by_label("Zona horaria").select_option("America/Lima")
    page.locator("form.filters [type=submit]").click()
    page.wait_for_url(re.compile(r"tz=America%2FLima"))
    assert page.locator("#s-RD-LAC .when time").first.inner_text() == "12:15"


def test_filter_by_kind(page):
    page.goto(f"/en/events/{SLUG}/")
    page.get_by_label("Regional dialogues").check()
    page.locator("form.filters [type=submit]").click()
    page.wait_for_url(re.compile(r"kind=regional_dialogue"))
    assert page.locator("article.session").count() == 1
    assert page.locator("#s-RD-LAC").count() == 1
    # Two kinds, then the switcher keeps both.
    page.get_by_label("Plenary sessions").check()
    page.locator("form.filters [type=submit]").click()
    page.wait_for_url(re.compile(r"kind=plenary.*kind=regional_dialogue"))
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/fr/.*kind=plenary.*kind=regional_dialogue"))
    assert page.locator("article.session").count() == 10
    assert page.get_by_label("Sessions plénières").is_checked()
    assert page.get_by_label("Dialogues régionaux").is_checked()


def test_use_my_time_zone_button(browser, live_server, page):
    # Same zone as the event: no button.
    page.goto(f"/en/events/{SLUG}/")
    assert not page.locator("#use-my-tz").is_visible()
    context = browser.new_context(base_url=live_server, timezone_id="America/Lima", locale="es-PE")
    try:
        lima = context.new_page()
        lima.goto(f"/es/events/{SLUG}/")
        button = lima.locator("#use-my-tz")
        assert button.is_visible()
        assert "America/Lima" in button.inner_text()
        button.click()
        lima.wait_for_url(re.compile(r"tz=America%2FLima"))
        assert lima.locator("#s-RD-LAC .when time").first.inner_text() == "12:15"
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_agenda_on_a_phone(browser, live_server, lang):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740},
                                  device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(f"/{lang}/events/{SLUG}/")
        # Nothing overflows horizontally.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(phone, f"phone-agenda-{lang}")
        phone.goto(f"/{lang}/events/{SLUG}/sessions/RD-LAC")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(phone, f"phone-session-{lang}")
    finally:
        context.close()
