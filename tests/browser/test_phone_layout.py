"""Every organiser page on a phone (375 px wide) in fr, es and en: nothing scrolls sideways and axe
finds no serious or critical violation. The pages are found in the app's URL map, so a new
`/manage/` page is checked as soon as it exists (or the test asks how to fill its address)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from .helpers import LANGS, SLUG, axe_violations, describe, login, screenshot

pytestmark = pytest.mark.browser

WIDTH = 375
#: Addresses that give a file (a job starts, then the file is served) or data for a script (the pickers'
#: suggestions), not a page to lay out.
FILE_RULE = re.compile(r"\.(pdf|csv|xlsx|zip|ics|xlf|docx|jpg)$|<any\(|/suggestions/")


def _values(app) -> dict:
    """How to fill each part of an organiser address with the demo event's data."""
    from dialogue.delegates.models import Delegate, Delegation
    from dialogue.outcomes.models import KeyMessage
    from dialogue.sessions.models import Event, MeetingSession, Person, Room

    with app.app_context():
        from dialogue.extensions import db
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        session = db.session.scalar(select(MeetingSession).where(
            MeetingSession.event_id == event.id, MeetingSession.code == "RD-LAC"))
        delegation = db.session.scalar(select(Delegation.id).where(Delegation.event_id == event.id)
                                       .order_by(Delegation.id))
        badge = db.session.scalar(select(Delegate.badge_code).where(
            Delegate.event_id == event.id, Delegate.badge_code.is_not(None)).order_by(Delegate.id))
        message = db.session.scalar(select(KeyMessage.id).where(KeyMessage.session_id == session.id)
                                    .order_by(KeyMessage.id)) or db.session.scalar(
            select(KeyMessage.id).join(MeetingSession).where(MeetingSession.event_id == event.id))
        room = db.session.scalar(select(Room.id).where(Room.event_id == event.id).order_by(Room.id))
        person = db.session.scalar(select(Person.id).where(Person.event_id == event.id).order_by(Person.id))
    return {"slug": SLUG, "code": session.code, "delegation_id": delegation, "message_id": message,
            "room_id": room, "person_id": person,
            ("delegates_manage.verify_badge", "code"): badge or "UNKNOWN"}


def organiser_pages(app) -> dict[str, str]:
    """{endpoint: address with {lang}} of every organiser page, from the URL map."""
    values = _values(app)
    pages, unknown = {}, []
    for rule in app.url_map.iter_rules():
        if "/manage/" not in rule.rule or "GET" not in rule.methods or FILE_RULE.search(rule.rule):
            continue
        args = {}
        for name in rule.arguments - {"lang"}:
            value = values.get((rule.endpoint, name), values.get(name))
            if value is None:
                unknown.append(f"{rule.rule}: {name}")
            args[name] = value
        if not any(v is None for v in args.values()):
            with app.test_request_context():
                from flask import url_for
                pages[rule.endpoint] = url_for(rule.endpoint, lang="LANG", **args).replace("/LANG/", "/{lang}/", 1)
    assert not unknown, "say in _values() how to fill: " + ", ".join(unknown)
    return pages


@pytest.fixture(scope="module")
def phone(browser, live_server):
    """One phone-sized page for the whole module, signed in as the demo organiser."""
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 740},
                                  locale="en-GB", timezone_id="Europe/Zurich", is_mobile=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page)
    yield page
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_every_organiser_page_fits_a_phone(phone, live_app, lang):
    pages = organiser_pages(live_app)
    assert len(pages) >= 25, sorted(pages)
    failures = []
    for endpoint, address in sorted(pages.items()):
        url = address.format(lang=lang)
        response = phone.goto(url)
        assert response is not None and response.status < 500, f"{url}: {response and response.status}"
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide = phone.evaluate("""(limit) => [...document.querySelectorAll('main *')]
                .filter(el => el.getBoundingClientRect().right > limit + 1)
                .slice(0, 3).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))""",
                                  WIDTH)
            screenshot(phone, f"phone-{endpoint}-{lang}")
            failures.append(f"{url} is {width} px wide: {wide}")
        violations = axe_violations(phone)
        if violations:
            failures.append(f"{url}: {describe(violations)}")
    assert not failures, "\n".join(failures)


def test_organiser_agenda_is_a_list_of_cards_on_a_phone(phone):
    phone.goto(f"/fr/manage/events/{SLUG}/")
    row = phone.locator("#s-RD-LAC")
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    assert phone.locator("table.agenda-table thead").first.evaluate("el => el.getBoundingClientRect().height") <= 1
    box = row.bounding_box()
    assert box["width"] <= WIDTH and box["height"] > 60
    screenshot(phone, "phone-agenda-fr")


def test_delete_confirm_and_restore_work_without_javascript(browser, live_server):
    """On a phone with scripts off: delete asks first, the session waits in the bin, restore brings it back."""
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 740},
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, lang="es")
        page.goto(f"/es/manage/events/{SLUG}/sessions/WS02/edit")
        page.get_by_role("link", name="Eliminar la sesión WS02").click()
        assert page.get_by_role("heading", name="¿Eliminar la sesión WS02?").is_visible()
        page.get_by_role("button", name="Mover a la papelera").click()
        assert "La sesión WS02 está en la papelera" in page.locator(".flash").inner_text()
        assert page.locator("#s-WS02").count() == 0
        page.get_by_role("navigation", name="Administración del evento").get_by_role("link", name="Papelera").click()
        page.get_by_role("button", name="Restaurar WS02").click()
        assert page.locator("#s-WS02").count() == 1
        page.goto(f"/es/manage/events/{SLUG}/sessions/WS02/history")
        assert "movió la sesión WS02 a la papelera" in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        context.close()
