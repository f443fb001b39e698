"""Organisers build and edit the agenda; conflicts are flagged; others are kept out."""
import re

from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import AuditEntry
from dialogue.sessions import directory
from dialogue.sessions.models import Event, MeetingSession

from .. import factories as f


def _session_form(**overrides):
    data = {
        "code": "WS20", "kind": "working", "original_language": "es",
        "title-fr": "Financement du développement", "title-es": "Financiamiento del desarrollo", "title-en": "",
        "starts_at": "2022-12-13T14:00", "ends_at": "2022-12-13T15:30", "room": "Salle 5", "capacity": "80",
        "interpretation": ["fr", "es"],
        "context-es": "Contexto de la sesión.", "purpose-fr": "But de la session.",
        "people-0-role": "chair", "people-0-name": "María José Núñez", "people-0-organisation": "Cancillería",
        "people-0-gender": "female", "people-0-email": "",
        "people-1-role": "speaker", "people-1-name": "", "people-1-organisation": "", "people-1-gender": "undisclosed",
        "people-1-email": "",
    }
    data.update(overrides)
    return data


def _records(ev):
    """The rooms and people `_session_form` picks, in the event's records."""
    for name in ("Salle 5", "Salle 9"):
        directory.room_or_new(ev, name)
    directory.person_or_new(ev, "María José Núñez", "Cancillería", gender="female")
    db.session.commit()


def _organiser_with_event(auth):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    _records(ev)
    auth.login(org.email)
    return org, ev


def test_organiser_creates_a_session_in_the_event_time_zone(client, app, auth):
    org, ev = _organiser_with_event(auth)
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_session_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    s = db.session.scalar(select(MeetingSession).where(MeetingSession.code == "WS20"))
    assert s.title == {"fr": "Financement du développement", "es": "Financiamiento del desarrollo"}
    assert s.starts_at.hour == 13  # 14:00 in Zurich is 13:00 UTC in December
    assert [p.name for p in s.people] == ["María José Núñez"]
    assert s.interpretation == ["fr", "es"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.create"))
    assert entry.user_id == org.id


def test_session_ending_before_it_starts_is_refused_and_input_kept(client, app, auth):
    org, ev = _organiser_with_event(auth)
    response = client.post(f"/fr/manage/events/{ev.slug}/sessions/new",
                           data=_session_form(starts_at="2022-12-13T16:00", ends_at="2022-12-13T15:00"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "La session se termine avant de commencer" in page
    assert 'value="Financement du développement"' in page
    assert "María José Núñez" in page
    assert db.session.scalar(select(MeetingSession.id)) is None


def test_duplicate_code_is_refused(client, app, auth):
    org, ev = _organiser_with_event(auth)
    f.session(ev, "WS20")
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_session_form())
    assert response.status_code == 422
    assert "already has the code WS20" in response.get_data(as_text=True)


def test_organiser_edits_a_session_and_the_public_agenda_changes(client, app, auth):
    org, ev = _organiser_with_event(auth)
    f.session(ev, "PL1", start="2022-12-12 09:00")
    form = client.get(f"/en/manage/events/{ev.slug}/sessions/PL1/edit").get_data(as_text=True)
    assert 'value="2022-12-12T09:00"' in form
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/edit",
                           data=_session_form(code="PL1", kind="plenary", **{"title-en": "Opening, revised"}))
    assert response.status_code == 302
    auth.logout()
    assert "Opening, revised" in client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)


def test_conflicts_are_flagged_on_the_organisers_agenda(client, app, auth):
    org, ev = _organiser_with_event(auth)
    f.session(ev, "WS1", start="2022-12-12 14:00", room="Salle 2", people=[("chair", "Rosa Quispe", "APCI")])
    f.session(ev, "WS2", start="2022-12-12 14:30", room="Salle 2")
    f.session(ev, "WS3", start="2022-12-12 15:00", room="Salle 9", people=[("speaker", "rosa  quispe", "APCI")])
    f.session(ev, "LATE", start="2022-12-20 10:00", room="Salle 1")
    page = client.get(f"/en/manage/events/{ev.slug}/").get_data(as_text=True)
    assert "Sessions WS1 and WS2 use the room Salle 2 at the same time." in page
    assert "Rosa Quispe is on sessions WS1 and WS3, which overlap." in page
    assert "Session LATE is outside the dates of the event." in page


def test_no_conflict_for_back_to_back_sessions(app):
    from dialogue.sessions.services import conflicts
    ev = f.event()
    f.session(ev, "A", start="2022-12-12 09:00", minutes=60, room="R", people=[("chair", "Ana", "")])
    f.session(ev, "B", start="2022-12-12 10:00", minutes=60, room="R", people=[("chair", "Ana", "")])
    assert conflicts(ev) == []


def test_organiser_creates_an_event(client, app, auth):
    admin = f.user("admin@example.org", admin=True)
    auth.login(admin.email)
    response = client.post("/en/manage/events/new", data={
        "slug": "oas-cooperation-2024", "title-fr": "", "title-es": "Reunión de autoridades de cooperación",
        "title-en": "Meeting of cooperation authorities", "original_language": "es",
        "starts_on": "2024-04-18", "ends_on": "2024-04-19", "timezone": "America/New_York", "status": "draft",
        "venue-en": "Washington, D.C."})
    assert response.status_code == 302, response.get_data(as_text=True)
    ev = db.session.scalar(select(Event).where(Event.slug == "oas-cooperation-2024"))
    assert ev.timezone == "America/New_York" and ev.status == "draft"


def test_event_with_unknown_time_zone_is_refused(client, app, auth):
    admin = f.user("admin@example.org", admin=True)
    auth.login(admin.email)
    response = client.post("/es/manage/events/new", data={
        "slug": "x-2024", "title-en": "X", "original_language": "en", "starts_on": "2024-04-18",
        "ends_on": "2024-04-19", "timezone": "Moon/Base", "status": "draft"})
    assert response.status_code == 422
    assert "Elija una zona horaria de la lista." in response.get_data(as_text=True)


def test_non_organisers_cannot_manage(client, app, auth):
    ev = f.event()
    f.session(ev, "PL1")
    urls = [f"/en/manage/events/{ev.slug}/", f"/en/manage/events/{ev.slug}/edit",
            f"/en/manage/events/{ev.slug}/sessions/new", f"/en/manage/events/{ev.slug}/sessions/PL1/edit",
            f"/en/manage/events/{ev.slug}/audit", f"/en/manage/events/{ev.slug}/outbox"]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    other = f.user("other@example.org")
    auth.login(other.email)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/delete").status_code == 403
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_session_form()).status_code == 403
    assert client.get("/en/manage/events/new").status_code == 403


def test_session_form_requires_csrf_token(client, app, auth):
    org, ev = _organiser_with_event(auth)
    app.config["WTF_CSRF_ENABLED"] = True
    rejected = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_session_form())
    assert rejected.status_code == 400
    page = client.get(f"/en/manage/events/{ev.slug}/sessions/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    accepted = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_session_form(csrf_token=token))
    assert accepted.status_code == 302


def test_delete_session_moves_it_to_the_bin(client, app, auth):
    org, ev = _organiser_with_event(auth)
    f.session(ev, "PL1")
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/delete").status_code == 302
    binned = db.session.scalar(select(MeetingSession))
    assert binned.deleted_at is not None and binned.deleted_by_id == org.id
    assert client.get(f"/en/manage/events/{ev.slug}/sessions/PL1/edit").status_code == 404


def test_organiser_invites_a_co_organiser_who_sets_a_password(client, app, auth):
    from dialogue.models import OutboxMessage, User
    org, ev = _organiser_with_event(auth)
    response = client.post(f"/en/manage/events/{ev.slug}/team",
                           data={"email": "Colleague@Example.org", "name": "Ana Colleague", "language": "es"})
    assert response.status_code == 302
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "colleague@example.org"))
    assert mail.subject.startswith("Invitación")
    link = re.search(r"http://localhost(/es/account/set-password/\S+)", mail.body).group(1)
    auth.logout()
    assert client.post(link, data={"password": "new long password", "confirm": "new long password"}).status_code == 302
    assert client.get(f"/en/manage/events/{ev.slug}/").status_code == 200
    team = client.get(f"/en/manage/events/{ev.slug}/team").get_data(as_text=True)
    assert "colleague@example.org" in team
    colleague = db.session.scalar(select(User).where(User.email == "colleague@example.org"))
    assert colleague.name == "Ana Colleague"
