"""The day grid shows a session that runs past midnight on both days, leaves the bin out, and warns
(with the session form and the agenda) when more delegates are registered than the room seats;
the duplicate page says what it duplicates."""
import re
from html import unescape

import pytest

from dialogue.delegates.models import SessionRegistration
from dialogue.extensions import db
from dialogue.sessions import bin as session_bin

from .. import factories as f
from ..delegates import factories as df


@pytest.fixture
def org(auth):
    user = f.user("org@example.org")
    auth.login(user.email)
    return user


def _grid(client, ev, day, lang="en"):
    response = client.get(f"/{lang}/manage/events/{ev.slug}/grid?day={day}")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def _cell_of(page, code):
    """The text of the grid cell that holds session `code`."""
    return re.search(rf"<td rowspan=\"\d+\"[^>]*>(?:(?!</td>).)*>{code}</strong>(?:(?!</td>).)*</td>", page, re.S).group(0)


def test_a_session_past_midnight_stands_on_both_days_marked_as_continued(client, app, org):
    ev = f.event(organiser=org)
    f.session(ev, "NIGHT", start="2022-12-12 23:00", minutes=120, room="Room A")  # to 01:00 on the 13th
    f.session(ev, "PL1", start="2022-12-13 09:00", minutes=60, room="Room A")
    first = _grid(client, ev, "2022-12-12")
    assert "1 session this day" in first
    assert '<th scope="row">23:45</th>' in first and '<th scope="row">00:00</th>' not in first
    night = _cell_of(first, "NIGHT")
    assert 'rowspan="4"' in night and "Continues until 13 Dec 2022" in night and "Continued from" not in night
    second = _grid(client, ev, "2022-12-13")
    assert "2 sessions this day" in second
    night = _cell_of(second, "NIGHT")
    # 00:00 to 01:00 on the 13th: four quarter hours, the grid starting at midnight
    assert '<th scope="row">00:00</th>' in second and 'rowspan="4"' in night
    assert "Continued from 12 Dec 2022" in night and "Continues until" not in night
    assert "23:00–01:00" in night
    fr = _grid(client, ev, "2022-12-13", "fr")
    assert "Suite du 12 déc. 2022" in fr
    # a session that ends at midnight sharp is not on the next day
    f.session(ev, "LATE", start="2022-12-13 23:00", minutes=60, room="Room A")
    assert ">LATE</strong>" in _grid(client, ev, "2022-12-13") and ">LATE</strong>" not in _grid(client, ev, "2022-12-14")


def test_a_session_over_several_days_fills_the_days_between(client, app, org):
    ev = f.event(organiser=org)
    f.session(ev, "EXPO", start="2022-12-12 18:00", minutes=48 * 60, room="Hall")  # to the 14th, 18:00
    middle = _grid(client, ev, "2022-12-13")
    expo = _cell_of(middle, "EXPO")
    assert 'rowspan="96"' in expo and "Continued from 12 Dec 2022" in expo and "Continues until 14 Dec 2022" in expo


def test_the_grid_and_the_clash_check_leave_out_the_bin(client, app, org):
    ev = f.event(organiser=org)
    gone = f.session(ev, "GONE", start="2022-12-13 10:00", room="Room A")
    session_bin.bin_session(gone, org)
    db.session.commit()
    assert ">GONE</strong>" not in _grid(client, ev, "2022-12-13")
    saved = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data={
        "code": "WS1", "kind": "working", "original_language": "en", "title-en": "Same room, same time",
        "starts_at": "2022-12-13T10:00", "ends_at": "2022-12-13T11:00", "room": "Room A"})
    assert saved.status_code == 302  # no clash with a session in the bin


def _crowded(ev, org, registered=3):
    """PL1 in Room A (10 seats) with `registered` delegates, and the smaller Room B (2 seats)."""
    s = f.session(ev, "PL1", start="2022-12-13 10:00", room="Room A")
    f.session(ev, "PL0", start="2022-12-12 10:00", room="Room B")
    s.room.capacity = 10
    small = next(r for r in ev.rooms if r.name.get("en") == "Room B")
    small.capacity = 2
    _user, d = df.focal_point(ev, quota=10)
    for i in range(registered):
        df.delegate(d, f"Ana{i}", commit=False, registrations=[SessionRegistration(session=s)])
    df.delegate(d, "Gone", status="withdrawn", commit=False, registrations=[SessionRegistration(session=s)])
    db.session.commit()
    return s


def _edit(**overrides):
    data = {"code": "PL1", "kind": "plenary", "original_language": "en", "title-en": "Opening",
            "starts_at": "2022-12-13T10:00", "ends_at": "2022-12-13T11:30", "room": "Room B"}
    return {**data, **overrides}


def test_moving_a_session_to_a_room_too_small_warns_at_save_and_on_the_agenda_and_grid(client, app, org):
    ev = f.event(organiser=org)
    _crowded(ev, org)
    url = f"/en/manage/events/{ev.slug}/sessions/PL1/edit"
    warned = client.post(url, data=_edit())
    page = unescape(warned.get_data(as_text=True))
    assert warned.status_code == 409
    # three delegates hold a place (the withdrawn one does not count)
    assert "3 delegates are registered for this session, more than Room B seats (2)." in page
    assert "This change would create 1 conflict" in page
    fr = unescape(client.post(f"/fr/manage/events/{ev.slug}/sessions/PL1/edit", data=_edit()).get_data(as_text=True))
    assert "3 délégués sont inscrits à cette séance, plus que les places de Room B (2)." in fr
    signature = re.search(r'name="save_anyway" value="(\w+)"', page).group(1)
    assert client.post(url, data={**_edit(), "save_anyway": signature}).status_code == 302
    # known now: changing the title does not ask again
    assert client.post(url, data=_edit(**{"title-en": "Opening plenary"})).status_code == 302
    agenda = unescape(client.get(f"/en/manage/events/{ev.slug}/").get_data(as_text=True))
    assert "3 delegates are registered for PL1, more than Room B seats (2)." in agenda
    es = unescape(client.get(f"/es/manage/events/{ev.slug}/grid?day=2022-12-13").get_data(as_text=True))
    assert "3 delegados están inscritos en PL1, más que las plazas de Room B (2)." in es
    assert "Más delegados que plazas" in _cell_of(es, "PL1")


def test_a_room_that_seats_everyone_or_has_no_capacity_gives_no_warning(client, app, org):
    ev = f.event(organiser=org)
    s = _crowded(ev, org, registered=2)
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/edit", data=_edit()).status_code == 302
    s.room.capacity = None
    db.session.commit()
    df.delegate(df.delegation(ev, "CL"), "Third", registrations=[SessionRegistration(session=s)])
    agenda = unescape(client.get(f"/en/manage/events/{ev.slug}/").get_data(as_text=True))
    assert "registered for PL1" not in agenda
    assert "More delegates than seats" not in _grid(client, ev, "2022-12-13")


def test_the_duplicate_page_says_which_session_it_duplicates(client, app, org):
    ev = f.event(organiser=org)
    f.session(ev, "PL2", room="Sala A")
    page = unescape(client.get(f"/es/manage/events/{ev.slug}/sessions/PL2/duplicate").get_data(as_text=True))
    assert "<h1>Duplicado de PL2</h1>" in page and "Nueva sesión" not in page
    sent = client.post(f"/en/manage/events/{ev.slug}/sessions/PL2/duplicate", data={"code": ""})
    assert sent.status_code == 422 and "<h1>Duplicate of PL2</h1>" in sent.get_data(as_text=True)
    new = client.get(f"/en/manage/events/{ev.slug}/sessions/new").get_data(as_text=True)
    assert "<h1>New session</h1>" in new
