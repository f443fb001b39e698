"""Saving a clashing session warns first ("Save anyway" or change it); the day grid by room marks
clashes; the grid and the agendas load in a fixed number of queries."""
import re
from html import unescape

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.sessions.clashes import Proposal, find_conflicts
from dialogue.sessions.models import MeetingSession

from .. import factories as f


@pytest.fixture
def planned(auth):
    """An organiser's event with PL1 (Room A, chaired by Rosa) on 13 December, 10:00–11:30."""
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    f.session(ev, "PL1", start="2022-12-13 10:00", room="Room A", people=[("chair", "Rosa Quispe", "APCI")],
              title={"fr": "Ouverture", "es": "Apertura", "en": "Opening"})
    f.session(ev, "PL0", room="Room B", start="2022-12-12 10:00")
    auth.login(org.email)
    return ev


def _form(**overrides):
    data = {"code": "WS1", "kind": "working", "original_language": "en", "title-en": "Financing, typed here",
            "starts_at": "2022-12-13T11:00", "ends_at": "2022-12-13T12:00", "room": "Room A",
            "people-0-role": "speaker", "people-0-name": "Rosa Quispe"}
    data.update(overrides)
    return data


def _save_anyway(client, url, data):
    """Post, see the warning, and press "Save anyway" (which sends the signature of what was shown)."""
    warned = client.post(url, data=data)
    assert warned.status_code == 409
    signature = re.search(r'name="save_anyway" value="(\w+)"', warned.get_data(as_text=True)).group(1)
    return client.post(url, data={**data, "save_anyway": signature})


def test_a_clashing_session_is_not_saved_but_shown_with_its_conflicts(client, app, planned):
    response = client.post(f"/fr/manage/events/{planned.slug}/sessions/new", data=_form())
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "Cette modification créerait 2 conflits" in page
    assert "Room A est aussi réservée pour PL1 (Ouverture) le mardi 13 décembre 2022, 10:00–11:30." in page
    assert "Rosa Quispe participe aussi à PL1 (Ouverture) le mardi 13 décembre 2022, 10:00–11:30." in page
    assert 'name="save_anyway"' in page and "Enregistrer quand même" in page and "Revenir et modifier" in page
    # what was typed is kept
    assert 'value="Financing, typed here"' in page and 'value="Room A"' in page and 'value="Rosa Quispe"' in page
    assert db.session.scalar(select(MeetingSession).where(MeetingSession.code == "WS1")) is None


def test_save_anyway_saves_the_clash(client, app, planned):
    response = _save_anyway(client, f"/es/manage/events/{planned.slug}/sessions/new", _form())
    assert response.status_code == 302
    assert db.session.scalar(select(MeetingSession).where(MeetingSession.code == "WS1")) is not None
    agenda = unescape(client.get(f"/en/manage/events/{planned.slug}/").get_data(as_text=True))
    assert "Sessions PL1 and WS1 use the room Room A at the same time." in agenda
    assert "Rosa Quispe is on sessions PL1 and WS1, which overlap." in agenda


def test_save_anyway_confirms_only_the_clashes_it_was_shown(client, app, planned):
    url = f"/en/manage/events/{planned.slug}/sessions/new"
    warned = client.post(url, data=_form(**{"people-0-name": ""}))  # the room clash only
    signature = re.search(r'name="save_anyway" value="(\w+)"', warned.get_data(as_text=True)).group(1)
    # Rosa added meanwhile: a clash not shown yet, so it is shown before anything is saved
    again = client.post(url, data={**_form(), "save_anyway": signature})
    assert again.status_code == 409 and "Rosa Quispe is also on PL1" in unescape(again.get_data(as_text=True))
    assert client.post(url, data={**_form(), "save_anyway": "forged"}).status_code == 409
    assert db.session.scalar(select(MeetingSession).where(MeetingSession.code == "WS1")) is None


def test_going_back_and_changing_the_time_saves_without_a_warning(client, app, planned):
    first = client.post(f"/en/manage/events/{planned.slug}/sessions/new", data=_form())
    assert first.status_code == 409 and 'href="#f-session-fields"' in first.get_data(as_text=True)
    moved = client.post(f"/en/manage/events/{planned.slug}/sessions/new",
                        data=_form(starts_at="2022-12-13T11:30", ends_at="2022-12-13T12:30"))
    assert moved.status_code == 302


def test_editing_warns_only_about_conflicts_the_change_creates(client, app, planned):
    _save_anyway(client, f"/en/manage/events/{planned.slug}/sessions/new", _form())
    # the clash is known: changing the title does not ask again
    retitled = client.post(f"/en/manage/events/{planned.slug}/sessions/WS1/edit",
                           data=_form(**{"title-en": "New title"}))
    assert retitled.status_code == 302
    # moving it onto PL0's room and time is a new clash: asked
    moved = client.post(f"/en/manage/events/{planned.slug}/sessions/WS1/edit", data=_form(
        room="Room B", starts_at="2022-12-12T10:30", ends_at="2022-12-12T11:00", **{"people-0-name": ""}))
    assert moved.status_code == 409 and "Room B is also booked for PL0" in unescape(moved.get_data(as_text=True))


def test_cancelled_sessions_and_contacts_do_not_clash(app):
    ev = f.event()
    s = f.session(ev, "PL1", start="2022-12-13 10:00", room="Room A", people=[("contact", "Nadia", "")])
    other = f.session(ev, "PL2", start="2022-12-14 10:00", room="Room A", people=[("contact", "Nadia", "")])
    nadia = s.people[0].person_id
    proposal = Proposal(other.id, s.starts_at, s.ends_at, s.room_id, frozenset())
    assert [c.code for c in find_conflicts(ev, proposal)] == ["PL1"]
    assert find_conflicts(ev, Proposal(other.id, s.starts_at, s.ends_at, None, frozenset())) == []
    s.status = "cancelled"
    db.session.commit()
    assert find_conflicts(ev, Proposal(other.id, s.starts_at, s.ends_at, s.room_id, frozenset({nadia}))) == []


def test_grid_shows_the_day_by_room_with_the_clash_marked_in_words(client, app, planned):
    _save_anyway(client, f"/en/manage/events/{planned.slug}/sessions/new", _form())
    f.session(planned, "WS2", start="2022-12-13 14:00", minutes=60, room="Room B")
    agenda = client.get(f"/en/manage/events/{planned.slug}/").get_data(as_text=True)
    assert f"/en/manage/events/{planned.slug}/grid" in agenda
    assert f"/en/manage/events/{planned.slug}/rooms" in agenda and f"/en/manage/events/{planned.slug}/people" in agenda
    response = client.get(f"/en/manage/events/{planned.slug}/grid?day=2022-12-13")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert '<th scope="col">Room A</th><th scope="col">Room B</th>' in page
    assert '<th scope="row">10:00</th>' in page and '<th scope="row">14:45</th>' in page
    assert page.count('class="booked clash"') == 1 and "Room clash" in page
    assert "Also elsewhere: Rosa Quispe" in page
    assert "3 sessions this day" in page and "Tuesday, 13 December 2022" in page
    # PL1 10:00–11:30 and WS1 11:00–12:00 share one cell, 10:00 to 12:00: eight quarter hours
    assert 'rowspan="8"' in page
    assert f'<a rel="prev" href="/en/manage/events/{planned.slug}/grid?day=2022-12-12">' in page
    es = unescape(client.get(f"/es/manage/events/{planned.slug}/grid?day=2022-12-13").get_data(as_text=True))
    assert "Sala ocupada dos veces" in es and "martes, 13 de diciembre de 2022" in es


@pytest.mark.parametrize("day", ["", "2022-12-31", "not-a-day", "9999-99-99", "2022-12-12T10:00"])
def test_grid_answers_any_day_with_the_event_s_first_day_or_the_one_asked(client, app, planned, day):
    response = client.get(f"/en/manage/events/{planned.slug}/grid", query_string={"day": day})
    assert response.status_code == 200
    assert "Monday, 12 December 2022" in response.get_data(as_text=True)


def test_grid_and_agendas_load_in_a_fixed_number_of_queries_at_a_thousand_sessions(client, app, auth, page_queries):
    org = f.user("org@example.org")
    small, large = f.event(organiser=org), f.event(organiser=org)
    f.many_sessions(small, 10)
    f.many_sessions(large, 1000)
    auth.login(org.email)
    counts = {}
    for name, path in (("grid", "/en/manage/events/{}/grid?day=2022-12-13"), ("manage", "/en/manage/events/{}/"),
                       ("form", "/en/manage/events/{}/sessions/G0001/edit"), ("rooms", "/en/manage/events/{}/rooms"),
                       ("people", "/en/manage/events/{}/people")):
        counts[name] = (page_queries(path.format(small.slug)), page_queries(path.format(large.slug)))
    auth.logout()
    for name, path in (("public", "/en/events/{}/"), ("json", "/api/v1/events/{}/sessions"),
                       ("ics", "/events/{}/agenda.ics")):
        counts[name] = (page_queries(path.format(small.slug)), page_queries(path.format(large.slug)))
    assert all(a == b for a, b in counts.values()), counts
    assert counts["public"][1] <= 5  # event head, event, sessions with their rooms, their people, the PDF job
    assert counts["grid"][1] <= 5, counts  # event, rooms, the day's sessions with rooms, their people (+ sign-in)


def test_find_conflicts_checks_data_before_it_is_saved(app, planned):
    from datetime import datetime

    from dialogue.sessions.services import find_conflicts as check
    data = {"starts_at": datetime(2022, 12, 13, 11, 0), "ends_at": datetime(2022, 12, 13, 12, 0), "room": "room a",
            "people": [{"role": "speaker", "name": "Rosa Quispe"}]}
    assert sorted((c.kind, c.code) for c in check(planned, data)) == [("person", "PL1"), ("room", "PL1")]
    later = {**data, "starts_at": datetime(2022, 12, 13, 11, 30)}
    assert check(planned, later) == []
    pl1 = db.session.scalar(select(MeetingSession).where(MeetingSession.code == "PL1"))
    assert check(planned, data, pl1) == []  # PL1 itself does not clash with PL1
