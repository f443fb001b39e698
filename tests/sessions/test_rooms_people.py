"""Rooms and people are records of the event: organisers keep them, sessions pick them, every
output shows them in the reader's language, and conflicts compare records, not typed names."""
import subprocess
from html import unescape

from icalendar import Calendar
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.sessions import directory
from dialogue.sessions.models import MeetingSession, Person, Room
from dialogue.sessions.services import conflicts

from .. import factories as f
from ..workers import fetch


def _organiser(auth):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    auth.login(org.email)
    return org, ev


def _room(ev, fr, es, en, capacity=None, booths=0):
    room = Room(event=ev, name={k: v for k, v in (("fr", fr), ("es", es), ("en", en)) if v},
                capacity=capacity, booths=booths)
    db.session.add(room)
    db.session.commit()
    return room


def _form(**overrides):
    data = {"code": "WS1", "kind": "working", "original_language": "en", "title-en": "Financing",
            "starts_at": "2022-12-13T14:00", "ends_at": "2022-12-13T15:30", "room": "", "capacity": ""}
    data.update(overrides)
    return data


def test_organiser_adds_edits_and_deletes_rooms(client, app, auth):
    org, ev = _organiser(auth)
    page = client.get(f"/es/manage/events/{ev.slug}/rooms")
    assert page.status_code == 200 and "Aún no hay salas" in page.get_data(as_text=True)
    added = client.post(f"/en/manage/events/{ev.slug}/rooms/new", data={
        "name-fr": "Salle XVIII", "name-es": "Sala XVIII", "name-en": "Room XVIII", "capacity": "300", "booths": "6"})
    assert added.status_code == 302
    room = db.session.scalar(select(Room).where(Room.event_id == ev.id))
    assert (room.name, room.capacity, room.booths) == (
        {"fr": "Salle XVIII", "es": "Sala XVIII", "en": "Room XVIII"}, 300, 6)
    listed = unescape(client.get(f"/fr/manage/events/{ev.slug}/rooms").get_data(as_text=True))
    assert "Salle XVIII" in listed and "1 salle" in listed and "Cabines d'interprétation" in listed
    # the same name again (in any language, any case) is refused, with the input kept
    twice = client.post(f"/en/manage/events/{ev.slug}/rooms/new", data={"name-en": "room xviii", "capacity": "10"})
    assert twice.status_code == 422
    assert "already called room xviii" in twice.get_data(as_text=True) and 'value="10"' in twice.get_data(as_text=True)
    edited = client.post(f"/en/manage/events/{ev.slug}/rooms/{room.id}/edit",
                         data={"name-en": "Room 18", "name-fr": "Salle 18", "booths": "2"})
    assert edited.status_code == 302
    db.session.refresh(room)
    assert room.name == {"fr": "Salle 18", "en": "Room 18"} and room.booths == 2 and room.capacity is None
    # a used room cannot be deleted; an unused one can
    f.session(ev, "PL1", room="Room 18")
    used = client.post(f"/en/manage/events/{ev.slug}/rooms/{room.id}/delete", follow_redirects=True)
    assert "Sessions use this room" in used.get_data(as_text=True)
    assert db.session.get(Room, room.id) is not None
    spare = _room(ev, None, None, "Spare room")
    assert client.post(f"/en/manage/events/{ev.slug}/rooms/{spare.id}/delete").status_code == 302
    assert db.session.get(Room, spare.id) is None


def test_organiser_keeps_the_people_directory(client, app, auth):
    org, ev = _organiser(auth)
    added = client.post(f"/en/manage/events/{ev.slug}/people/new", data={
        "name": "  Rosa   Quispe ", "title": "Directora ejecutiva", "organisation": "APCI", "gender": "female",
        "email": "rosa@example.org", "delegation": ""})
    assert added.status_code == 302
    rosa = db.session.scalar(select(Person).where(Person.event_id == ev.id))
    assert (rosa.name, rosa.title, rosa.organisation, rosa.gender) == ("Rosa Quispe", "Directora ejecutiva", "APCI", "female")
    page = client.get(f"/es/manage/events/{ev.slug}/people?q=apci").get_data(as_text=True)
    assert "Rosa Quispe" in page and "Directora ejecutiva, APCI" in page and "1 persona" in page
    assert "Nadie en el directorio" in client.get(f"/es/manage/events/{ev.slug}/people?q=zzz").get_data(as_text=True)
    bad = client.post(f"/en/manage/events/{ev.slug}/people/new", data={"name": "X", "email": "not an email"})
    assert bad.status_code == 422 and 'value="not an email"' in bad.get_data(as_text=True)
    twin = client.post(f"/en/manage/events/{ev.slug}/people/new", data={"name": "rosa quispe", "organisation": "apci"})
    assert twin.status_code == 422 and "already in the directory" in twin.get_data(as_text=True)
    edited = client.post(f"/en/manage/events/{ev.slug}/people/{rosa.id}/edit",
                         data={"name": "Rosa Quispe Mamani", "organisation": "APCI", "gender": "female"})
    assert edited.status_code == 302
    db.session.refresh(rosa)
    assert rosa.name == "Rosa Quispe Mamani" and rosa.title == ""
    f.session(ev, "PL1", people=[("chair", "Rosa Quispe Mamani", "APCI")])
    refused = client.post(f"/en/manage/events/{ev.slug}/people/{rosa.id}/delete", follow_redirects=True)
    assert "is on sessions" in refused.get_data(as_text=True)
    other = directory.person_or_new(ev, "Nobody Yet")
    db.session.commit()
    assert client.post(f"/en/manage/events/{ev.slug}/people/{other.id}/delete").status_code == 302
    assert db.session.get(Person, other.id) is None


def test_another_events_records_are_not_found(client, app, auth):
    org, ev = _organiser(auth)
    elsewhere = f.event()
    room = _room(elsewhere, None, None, "Their room")
    person = directory.person_or_new(elsewhere, "Their person")
    db.session.commit()
    assert client.get(f"/en/manage/events/{ev.slug}/rooms/{room.id}/edit").status_code == 404
    assert client.get(f"/en/manage/events/{ev.slug}/people/{person.id}/edit").status_code == 404
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_form(room="Their room")).status_code == 422
    assert client.get(f"/en/manage/events/{elsewhere.slug}/rooms").status_code == 403


def test_session_form_offers_rooms_and_people_in_a_datalist_and_picks_them_without_script(client, app, auth):
    org, ev = _organiser(auth)
    _room(ev, "Salle 2", "Sala 2", "Room 2", capacity=120)
    directory.person_or_new(ev, "Ana Souza", "ABC")
    directory.person_or_new(ev, "Juan Pérez", "Cancillería")
    directory.person_or_new(ev, "Juan Pérez", "Banco")
    db.session.commit()
    page = client.get(f"/es/manage/events/{ev.slug}/sessions/new").get_data(as_text=True)
    assert 'list="room-options"' in page and '<option value="Sala 2">Sala 2 (120 plazas)</option>' in page
    assert 'list="people-options"' in page and '<option value="Ana Souza">' in page
    # namesakes are offered with their organisation, so each can be picked
    assert '<option value="Juan Pérez (Banco)">' in page and '<option value="Juan Pérez (Cancillería)">' in page
    # a plain form post (no script): the room in any language, people by their picker label, in order
    saved = client.post(f"/es/manage/events/{ev.slug}/sessions/new", data=_form(**{
        "room": "room 2", "people-0-role": "chair", "people-0-name": "Juan Pérez (Banco)",
        "people-1-role": "speaker", "people-1-name": "ana souza", "people-2-role": "speaker", "people-2-name": ""}))
    assert saved.status_code == 302, saved.get_data(as_text=True)
    s = db.session.scalar(select(MeetingSession).where(MeetingSession.code == "WS1"))
    assert s.room.name["en"] == "Room 2"
    assert [(p.role, p.person.name, p.person.organisation) for p in s.people] == [
        ("chair", "Juan Pérez", "Banco"), ("speaker", "Ana Souza", "ABC")]
    # the edit form shows them as the picker writes them, in the page's language
    edit = client.get(f"/fr/manage/events/{ev.slug}/sessions/WS1/edit").get_data(as_text=True)
    assert 'value="Salle 2"' in edit and 'value="Juan Pérez (Banco)"' in edit


def test_unknown_or_ambiguous_names_are_refused_on_their_row_and_the_input_is_kept(client, app, auth):
    org, ev = _organiser(auth)
    directory.person_or_new(ev, "Juan Pérez", "Cancillería")
    directory.person_or_new(ev, "Juan Pérez", "Banco")
    db.session.commit()
    unknown_room = client.post(f"/fr/manage/events/{ev.slug}/sessions/new", data=_form(room="Salle 99"))
    assert unknown_room.status_code == 422
    assert "n'a pas de salle nommée Salle 99" in unescape(unknown_room.get_data(as_text=True))
    ambiguous = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_form(**{
        "people-0-role": "chair", "people-0-name": "Juan Pérez", "title-en": "Kept title"}))
    page = ambiguous.get_data(as_text=True)
    assert ambiguous.status_code == 422
    assert "Juan Pérez is not in the people directory (or is there twice)" in page
    assert 'id="people-0-name-err"' in page and 'value="Kept title"' in page
    assert db.session.scalar(select(MeetingSession.id)) is None


def test_public_pages_and_exports_show_room_and_people_from_the_records(jobs, client, app, tmp_path):
    ev = f.event()
    room = _room(ev, "Salle des Assemblées", "Sala de Asambleas", None, capacity=900, booths=6)
    s = f.session(ev, "PL1", room=None, people=[("chair", "Rosa Quispe", "APCI")])
    s.room = room
    rosa = s.people[0].person
    rosa.title = "Directora"
    db.session.commit()
    es = client.get(f"/es/events/{ev.slug}/").get_data(as_text=True)
    assert "Sala de Asambleas" in es and "Rosa Quispe" in es
    # no English name: another language's, marked as a fallback in that language
    en = client.get(f"/en/events/{ev.slug}/sessions/PL1").get_data(as_text=True)
    assert '<dd><span lang="fr">Salle des Assemblées</span></dd>' in en
    assert "Directora, APCI" in en
    api = client.get(f"/api/v1/events/{ev.slug}/sessions").get_json()
    assert api["rooms"] == [{"id": room.id, "name": {"fr": "Salle des Assemblées", "es": "Sala de Asambleas"},
                             "capacity": 900, "booths": 6}]
    data = api["sessions"][0]
    assert (data["room"], data["room_id"]) == ("Salle des Assemblées", room.id)  # the event's language: English, missing
    assert data["people"] == [{"id": rosa.id, "role": "chair", "name": "Rosa Quispe", "organisation": "Directora, APCI"}]
    cal = Calendar.from_ical(client.get(f"/events/{ev.slug}/agenda.ics?lang=es").data)
    assert [str(e["location"]) for e in cal.walk("VEVENT")] == ["Sala de Asambleas"]
    path = tmp_path / "agenda.pdf"
    path.write_bytes(fetch(client, jobs, f"/es/events/{ev.slug}/agenda.pdf").data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Sala de Asambleas" in text and "Rosa Quispe" in text


def test_room_name_falls_back_with_the_mark_in_the_readers_language(client, app):
    ev = f.event()  # original language: English
    f.session(ev, "PL1", room="Plenary hall")
    page = client.get(f"/fr/events/{ev.slug}/sessions/PL1").get_data(as_text=True)
    assert '<dd><span lang="en">Plenary hall</span></dd>' in page


def test_renaming_a_room_changes_the_agenda_and_the_calendar_sequence(client, app, auth):
    org, ev = _organiser(auth)
    s = f.session(ev, "PL1", room="Room A")
    before = client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    assert "Room A" in before
    client.post(f"/en/manage/events/{ev.slug}/rooms/{s.room_id}/edit", data={"name-en": "Room B"})
    db.session.refresh(s)
    assert s.sequence == 1
    assert "Room B" in client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)


def test_conflicts_compare_records_not_typed_names(app):
    ev = f.event()
    hall = _room(ev, "Sala A", "Sala A", "Room A")
    a = f.session(ev, "A", room=None, people=[("chair", "M. López", "X")])
    b = f.session(ev, "B", room=None, people=[("chair", "María López", "X")])
    a.room = b.room = hall
    db.session.commit()
    # "Sala A" and "Room A" are one room; "M. López" and "María López" are two people
    assert [(c.kind, c.codes) for c in conflicts(ev)] == [("room", ("A", "B"))]
    # one person record on both sessions is one person in two places, whatever the spelling typed
    b.people[0].person = a.people[0].person
    b.room = _room(ev, None, None, "Room C")
    db.session.commit()
    assert [(c.kind, c.detail) for c in conflicts(ev)] == [("person", "M. López")]


def test_room_by_name_and_person_by_name_for_other_tools(app):
    ev = f.event()
    room = _room(ev, "Salle 2", "Sala 2", "Room 2")
    one = directory.person_or_new(ev, "Ana", "ABC")
    db.session.commit()
    assert directory.room_by_name(ev, "  sala   2 ") is room
    assert directory.room_by_name(ev, "Sala 3") is None
    assert directory.person_by_name(ev, "ANA") is one
    assert directory.person_or_new(ev, "ana", "abc") is one
    assert directory.room_or_new(ev, "ROOM 2") is room


def test_a_person_may_belong_to_one_of_the_event_s_delegations(client, app, auth):
    from dialogue.delegates.models import Delegation
    org, ev = _organiser(auth)
    peru = Delegation(event=ev, kind="member_state", country="PE")
    theirs = Delegation(event=f.event(), kind="member_state", country="CO")
    db.session.add_all([peru, theirs])
    db.session.commit()
    form = client.get(f"/fr/manage/events/{ev.slug}/people/new").get_data(as_text=True)
    assert f'<option value="{peru.id}">Pérou</option>' in form and f'value="{theirs.id}"' not in form
    refused = client.post(f"/en/manage/events/{ev.slug}/people/new", data={"name": "Ana", "delegation": str(theirs.id)})
    assert refused.status_code == 422 and "Choose a delegation from the list." in refused.get_data(as_text=True)
    client.post(f"/en/manage/events/{ev.slug}/people/new", data={"name": "Ana", "delegation": str(peru.id)})
    assert db.session.scalar(select(Person.delegation_id).where(Person.name == "Ana")) == peru.id
    assert "Delegación: Perú" in client.get(f"/es/manage/events/{ev.slug}/people").get_data(as_text=True)
