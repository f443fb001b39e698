"""The session form's pickers ask the server for names as the organiser types: people and rooms
matched whatever the case, accents or script, for organisers only, bounded, in a fixed number of
queries; the form keeps working without the script (the <datalist> stays)."""
import pytest

from dialogue.extensions import db
from dialogue.sessions import directory
from dialogue.sessions.models import Room

from .. import factories as f


@pytest.fixture
def org(auth):
    user = f.user("org@example.org")
    auth.login(user.email)
    return user


@pytest.fixture
def ev(org):
    ev = f.event(organiser=org)
    for name, organisation in (("María López", "APCI"), ("JOSÉ LOPEZ", "CEPAL"), ("Łukasz Nowak", "MSZ"),
                               ("王小明", "外交部"), ("Ana Pérez", "OECD"), ("Ana Pérez", "UNDP"),
                               ("Lopezia 100%_x", "")):
        directory.person_or_new(ev, name, organisation)
    db.session.add(Room(event=ev, name={"en": "Main hall", "fr": "Salle plénière", "es": "Salón principal"},
                        capacity=300))
    db.session.add(Room(event=ev, name={"en": "Room Ñandú"}))
    db.session.commit()
    return ev


def _suggest(client, ev, kind, q, lang="en"):
    response = client.get(f"/{lang}/manage/events/{ev.slug}/suggestions/{kind}", query_string={"q": q})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["options"]


def test_people_are_found_without_accents_or_case(client, ev):
    assert [o["value"] for o in _suggest(client, ev, "people", "lopez")] == ["JOSÉ LOPEZ", "Lopezia 100%_x",
                                                                             "María López"]
    assert [o["value"] for o in _suggest(client, ev, "people", "MARIA lóp")] == ["María López"]
    assert _suggest(client, ev, "people", "lopez")[2]["hint"] == "APCI"
    assert [o["value"] for o in _suggest(client, ev, "people", "lukasz")] == ["Łukasz Nowak"]
    assert [o["value"] for o in _suggest(client, ev, "people", "王")] == ["王小明"]
    assert [o["value"] for o in _suggest(client, ev, "people", "wang")] == ["王小明"]
    # by organisation too; LIKE's wildcards are plain characters
    assert [o["value"] for o in _suggest(client, ev, "people", "cepal")] == ["JOSÉ LOPEZ"]
    assert [o["value"] for o in _suggest(client, ev, "people", "100%_")] == ["Lopezia 100%_x"]
    assert _suggest(client, ev, "people", "") == [] and _suggest(client, ev, "people", "nobody") == []


def test_namesakes_come_with_the_labels_the_form_takes(client, ev):
    found = _suggest(client, ev, "people", "ana")
    assert [o["value"] for o in found] == ["Ana Pérez (OECD)", "Ana Pérez (UNDP)"]
    assert [o["hint"] for o in found] == ["", ""]
    # a namesake the words do not match still makes the label tell them apart
    assert [o["value"] for o in _suggest(client, ev, "people", "ana oecd")] == ["Ana Pérez (OECD)"]
    assert directory.person_by_name(ev, "Ana Pérez (OECD)").organisation == "OECD"


@pytest.mark.parametrize("lang,value,hint", [("fr", "Salle plénière", "300 places"),
                                             ("es", "Salón principal", "300 asientos"),
                                             ("en", "Main hall", "300 seats")])
def test_rooms_are_found_in_any_language_and_named_in_the_page_s(client, ev, lang, value, hint):
    for q in ("plenie", "SALON", "hall"):
        assert _suggest(client, ev, "rooms", q, lang) == [{"value": value, "hint": hint}]
    assert _suggest(client, ev, "rooms", "nandu", lang) == [{"value": "Room Ñandú", "hint": ""}]


def test_answers_are_bounded_and_take_a_fixed_number_of_queries(client, ev, count_queries):
    with count_queries() as few:
        assert len(_suggest(client, ev, "people", "lopez")) == 3
    for i in range(60):
        directory.person_or_new(ev, f"Delegate López {i:02d}", "Org")
    db.session.commit()
    with count_queries() as many:
        big = _suggest(client, ev, "people", "lopez")
    assert len(big) == 20 and big[0]["value"] == "Delegate López 00"
    # sign-in, the event, the role, the matches, their namesakes (and a savepoint or so)
    assert few.count == many.count <= 6, (few.count, many.count)
    with count_queries() as rooms:
        _suggest(client, ev, "rooms", "hall")
    assert rooms.count <= many.count


def test_only_organisers_get_suggestions(client, ev, auth):
    assert client.get(f"/en/manage/events/{ev.slug}/suggestions/teams?q=a").status_code == 404
    auth.logout()
    anonymous = client.get(f"/en/manage/events/{ev.slug}/suggestions/people?q=lopez")
    assert anonymous.status_code in (302, 401, 403) and b"L\xc3\xb3pez" not in anonymous.data
    other = f.user("other@example.org")
    auth.login(other.email)
    assert client.get(f"/en/manage/events/{ev.slug}/suggestions/people?q=lopez").status_code == 403


def test_the_form_names_the_suggestions_and_keeps_its_datalists(client, ev):
    page = client.get(f"/en/manage/events/{ev.slug}/sessions/new").get_data(as_text=True)
    assert f'data-suggest="/en/manage/events/{ev.slug}/suggestions/people"' in page
    assert f'data-suggest="/en/manage/events/{ev.slug}/suggestions/rooms"' in page
    assert '<option value="María López">' in page and "picker.js" in page
