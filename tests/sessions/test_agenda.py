"""The public agenda: languages, time zones, drafts, filters, query counts."""
import re

from dialogue.extensions import db
from dialogue.sessions import directory

from .. import factories as f


def test_root_redirects_by_accept_language(client):
    response = client.get("/", headers={"Accept-Language": "es-PE,es;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/es/")


def test_unknown_language_is_404(client, app):
    ev = f.event()
    assert client.get(f"/de/events/{ev.slug}/").status_code == 404


def test_agenda_shows_titles_in_each_language(client, app):
    ev = f.event()
    f.session(ev, "PL1", title={"fr": "Ouverture", "es": "Apertura", "en": "Opening"})
    for lang, word in (("fr", "Ouverture"), ("es", "Apertura"), ("en", "Opening")):
        page = client.get(f"/{lang}/events/{ev.slug}/").get_data(as_text=True)
        assert f'<html lang="{lang}">' in page
        assert word in page


def test_missing_translation_falls_back_to_original_and_says_so(client, app):
    ev = f.event()
    s = f.session(ev, "WS2", title={"es": "Cooperación Sur-Sur"}, original_language="es",
                  purpose={"es": "Compartir experiencias."})
    page = client.get(f"/fr/events/{ev.slug}/sessions/{s.code}").get_data(as_text=True)
    assert '<span lang="es">Cooperación Sur-Sur</span>' in page
    assert "langue originale" in page or "original" in page
    assert "espagnol" in page


def test_times_in_event_zone_and_in_viewers_zone(client, app):
    ev = f.event(tz="Europe/Zurich")
    f.session(ev, "RD", start="2022-12-12 18:15", minutes=75)
    venue = client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    assert "18:15" in venue
    lima = client.get(f"/en/events/{ev.slug}/?tz=America/Lima").get_data(as_text=True)
    assert "12:15" in lima
    assert "America/Lima" in lima


def test_invalid_time_zone_is_ignored(client, app):
    ev = f.event()
    f.session(ev, "RD", start="2022-12-12 18:15")
    page = client.get(f"/en/events/{ev.slug}/?tz=Mars/Olympus").get_data(as_text=True)
    assert "Europe/Zurich" in page


def test_drafts_are_hidden_from_the_public(client, app):
    ev = f.event(status="draft")
    f.session(ev, "PL1")
    assert client.get(f"/en/events/{ev.slug}/").status_code == 404
    assert client.get(f"/events/{ev.slug}/agenda.ics").status_code == 404
    assert client.get(f"/api/v1/events/{ev.slug}/sessions").status_code == 404
    assert ev.slug not in client.get("/en/").get_data(as_text=True)


def test_draft_is_visible_to_its_organiser(client, app, auth):
    org = f.user()
    ev = f.event(status="draft", organiser=org)
    auth.login(org.email)
    page = client.get(f"/en/events/{ev.slug}/")
    assert page.status_code == 200
    assert "draft" in page.get_data(as_text=True).lower()


def test_filter_by_kind(client, app):
    ev = f.event()
    f.session(ev, "PL1", kind="plenary", title={"en": "Plenary opening"})
    f.session(ev, "WS1", kind="working", start="2022-12-12 11:00", title={"en": "Working on data"})
    page = client.get(f"/en/events/{ev.slug}/?kind=working").get_data(as_text=True)
    assert "Working on data" in page
    assert "Plenary opening" not in page


def test_parallel_sessions_are_marked(client, app):
    ev = f.event()
    f.session(ev, "WS1", kind="working", start="2022-12-12 14:00", room="A")
    f.session(ev, "WS2", kind="working", start="2022-12-12 14:00", room="B")
    page = client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    assert "In parallel" in page
    assert page.index("WS1") < page.index("WS2")


def test_session_page_shows_concept_note_and_people(client, app):
    ev = f.event()
    s = f.session(ev, "RD", people=[("chair", "Rosa Quispe", "APCI")],
                  objectives={"en": "- Reflect\n- Exchange"}, deliverable={"en": "A final document"})
    page = client.get(f"/en/events/{ev.slug}/sessions/{s.code}").get_data(as_text=True)
    assert "<li>Reflect</li>" in page
    assert "A final document" in page
    assert "Rosa Quispe" in page


def test_user_text_is_escaped(client, app):
    ev = f.event()
    s = f.session(ev, "X1", title={"en": "<script>alert(1)</script>"}, purpose={"en": "<img src=x onerror=alert(1)>"})
    for url in (f"/en/events/{ev.slug}/", f"/en/events/{ev.slug}/sessions/{s.code}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_repeated_request_gets_304_and_change_gives_new_etag(client, app):
    ev = f.event()
    s = f.session(ev, "PL1")
    url = f"/en/events/{ev.slug}/"
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    s.room = directory.room_or_new(ev, "Room 9")
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Room 9" in changed.get_data(as_text=True)


def _agenda_queries(client, count_queries, ev):
    from dialogue.cache import cache
    cache.clear()
    url = f"/en/events/{ev.slug}/"  # outside the count: reading ev.slug may refresh ev
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_agenda_page_query_count_does_not_grow_with_sessions(client, app, count_queries):
    small = f.event()
    f.many_sessions(small, 10)
    large = f.event()
    f.many_sessions(large, 500)
    small_count = _agenda_queries(client, count_queries, small)
    large_count = _agenda_queries(client, count_queries, large)
    assert small_count == large_count
    assert large_count <= 5  # event head, event, whether its agenda PDF is being made again, sessions, their people


def test_cached_agenda_costs_one_query(client, app, count_queries):
    ev = f.event()
    f.many_sessions(ev, 50)
    url = f"/en/events/{ev.slug}/"
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
        assert client.get(url, headers={"If-None-Match": client.get(url).headers["ETag"]}).status_code == 304
    assert counter.count == 3  # one light query (id, status, revision, time zone) per request


def test_language_home_lists_the_events(client, app):
    f.event(title={"fr": "Sommet visible", "es": "Cumbre visible", "en": "Visible summit"})
    response = client.get("/fr/")
    assert response.status_code == 200
    assert "Sommet visible" in response.get_data(as_text=True)
    assert client.get("/fr").status_code in (301, 308)


def test_language_switcher_keeps_every_filter(client, app):
    ev = f.event()
    f.session(ev, "PL1")
    page = client.get(f"/en/events/{ev.slug}/?kind=plenary&kind=working&tz=America/Lima").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" lang="fr"', page).group(1).replace("&amp;", "&")
    assert link.startswith(f"/fr/events/{ev.slug}/?")
    assert "kind=plenary" in link and "kind=working" in link and "tz=America" in link


def test_cached_exports_cost_one_query_and_follow_changes(client, app, count_queries):
    ev = f.event()
    f.many_sessions(ev, 20)
    slug = ev.slug
    urls = [f"/en/events/{slug}/", f"/api/v1/events/{slug}/sessions", f"/events/{slug}/agenda.ics"]
    first = {url: client.get(url).data for url in urls}
    with count_queries() as counter:
        for url in urls:
            assert client.get(url).data == first[url]
    assert counter.count == len(urls)
    f.session(ev, "NEW1", title={"fr": "Nouvelle", "es": "Nueva", "en": "Brand new"})
    for url in urls:
        assert client.get(url).data != first[url]
    assert "Brand new" in client.get(f"/en/events/{slug}/").get_data(as_text=True)
    # Drafts never take the fast path.
    ev.status = "draft"
    db.session.commit()
    for url in urls:
        assert client.get(url).status_code == 404


def test_english_dates_follow_international_usage(client, app):
    ev = f.event()
    f.session(ev, "RD", start="2022-12-12 18:15")
    page = client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    assert "12 December 2022" in page
    assert "18:15" in page and "PM" not in page


def test_event_list_queries_do_not_grow_with_drafts(client, app, auth, count_queries):
    org = f.user("lister@example.org")
    auth.login(org.email)

    def queries():
        with count_queries() as counter:
            assert client.get("/en/").status_code == 200
            assert client.get("/en/manage/").status_code == 200
        return counter.count
    f.event(status="draft", organiser=org)
    few = queries()
    for _ in range(6):
        f.event(status="draft", organiser=org)
    assert queries() == few
