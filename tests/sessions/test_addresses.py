"""Stable addresses and calendar identity: renamed events redirect, feeds keep UIDs and count changes."""
from icalendar import Calendar
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.sessions.models import Event, EventSlug, MeetingSession

from .. import factories as f
from .test_manage import _records, _session_form


def _event_form(slug: str, **overrides) -> dict:
    data = {"slug": slug, "title-fr": "Sommet de test", "title-es": "Cumbre de prueba", "title-en": "Test summit",
            "original_language": "en", "starts_on": "2022-12-12", "ends_on": "2022-12-14",
            "timezone": "Europe/Zurich", "status": "published"}
    data.update(overrides)
    return data


def _organiser_with_event(auth, slug="summit-2022"):
    org = f.user("org@example.org")
    ev = f.event(slug, organiser=org)
    _records(ev)
    auth.login(org.email)
    return org, ev


def _rename(client, old: str, new: str):
    response = client.post(f"/en/manage/events/{old}/edit", data=_event_form(new))
    assert response.status_code == 302, response.get_data(as_text=True)


def _feed(client, slug: str) -> dict:
    cal = Calendar.from_ical(client.get(f"/events/{slug}/agenda.ics?lang=en").data)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_renamed_event_keeps_uids_and_a_changed_session_gets_the_next_sequence(client, app, auth):
    org, ev = _organiser_with_event(auth)
    pl1, ws2 = f.session(ev, "PL1"), f.session(ev, "WS2", start="2022-12-13 14:00", room="Salle 5")
    before = _feed(client, "summit-2022")
    assert set(before) == {f"session-{pl1.id}@dialogue", f"session-{ws2.id}@dialogue"}
    assert {int(e["sequence"]) for e in before.values()} == {0}

    _rename(client, "summit-2022", "summit-lima-2022")
    response = client.post("/en/manage/events/summit-lima-2022/sessions/WS2/edit",
                           data=_session_form(code="WS2", **{"title-en": "Financing, moved"}))
    assert response.status_code == 302
    auth.logout()

    after = _feed(client, "summit-lima-2022")
    assert set(after) == set(before)
    ws2_uid = f"session-{ws2.id}@dialogue"
    assert int(after[ws2_uid]["sequence"]) == 1
    assert str(after[ws2_uid]["summary"]) == "WS2 · Financing, moved"
    assert int(after[f"session-{pl1.id}@dialogue"]["sequence"]) == 0  # renaming the event changes no session
    assert after[ws2_uid]["last-modified"].dt >= before[ws2_uid]["last-modified"].dt

    old = client.get("/events/summit-2022/agenda.ics?lang=en")
    assert old.status_code == 301
    assert old.headers["Location"].endswith("/events/summit-lima-2022/agenda.ics?lang=en")
    assert client.get("/events/summit-2022/agenda.ics?lang=en", follow_redirects=True).data == \
        client.get("/events/summit-lima-2022/agenda.ics?lang=en").data


def test_saving_a_session_unchanged_keeps_its_sequence(client, app, auth):
    org, ev = _organiser_with_event(auth)
    client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=_session_form())
    s = db.session.scalar(select(MeetingSession).where(MeetingSession.code == "WS20"))
    assert s.sequence == 0
    client.post(f"/en/manage/events/{ev.slug}/sessions/WS20/edit", data=_session_form())
    db.session.refresh(s)
    assert s.sequence == 0
    client.post(f"/en/manage/events/{ev.slug}/sessions/WS20/edit", data=_session_form(room="Salle 9"))
    db.session.refresh(s)
    assert s.sequence == 1


def test_every_public_url_with_a_former_address_redirects_permanently(client, app, auth):
    org, ev = _organiser_with_event(auth)
    f.session(ev, "PL1")
    _rename(client, "summit-2022", "summit-lima-2022")
    auth.logout()
    expected = {
        "/en/events/summit-2022/?tz=America/Lima&kind=plenary&kind=working":
            "/en/events/summit-lima-2022/?tz=America/Lima&kind=plenary&kind=working",
        "/es/events/summit-2022/sessions/PL1": "/es/events/summit-lima-2022/sessions/PL1",
        "/fr/events/summit-2022/agenda.pdf": "/fr/events/summit-lima-2022/agenda.pdf",
        "/events/summit-2022/agenda.ics": "/events/summit-lima-2022/agenda.ics",
        "/events/summit-2022/sessions/PL1.ics?lang=es": "/events/summit-lima-2022/sessions/PL1.ics?lang=es",
        "/api/v1/events/summit-2022": "/api/v1/events/summit-lima-2022",
        "/api/v1/events/summit-2022/sessions": "/api/v1/events/summit-lima-2022/sessions",
    }
    for old, new in expected.items():
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"].removeprefix("http://localhost") == new
    assert client.get("/en/events/summit-lima-2022/sessions/PL1").status_code == 200
    assert client.get("/api/v1/events/summit-2022", follow_redirects=True).get_json()["slug"] == "summit-lima-2022"
    assert client.get("/en/events/never-was/").status_code == 404


def test_renaming_twice_and_back_keeps_every_former_address(client, app, auth):
    org, ev = _organiser_with_event(auth)
    _rename(client, "summit-2022", "summit-b")
    _rename(client, "summit-b", "summit-c")
    _rename(client, "summit-c", "summit-2022")
    assert sorted(db.session.scalars(select(EventSlug.slug))) == ["summit-b", "summit-c"]
    for old in ("summit-b", "summit-c"):
        response = client.get(f"/en/events/{old}/")
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/en/events/summit-2022/")
    assert client.get("/en/events/summit-2022/").status_code == 200
    posted = client.post("/en/manage/events/summit-b/sessions/PL1/status", data={"status": "cancelled"})
    assert posted.status_code == 308  # a form sent to a former address stays a POST
    assert posted.headers["Location"].endswith("/en/manage/events/summit-2022/sessions/PL1/status")
    _rename(client, "summit-2022", "summit-b")
    assert sorted(db.session.scalars(select(EventSlug.slug))) == ["summit-2022", "summit-c"]


def test_a_former_address_cannot_be_taken_by_another_event(client, app, auth):
    org = f.user("admin@example.org", admin=True)
    ev = f.event("summit-2022")
    auth.login(org.email)
    _rename(client, "summit-2022", "summit-lima-2022")
    response = client.post("/fr/manage/events/new", data=_event_form("summit-2022"))
    assert response.status_code == 422
    assert "Un autre événement a utilisé cette adresse" in response.get_data(as_text=True)
    other = f.event("other-2023")
    response = client.post(f"/es/manage/events/{other.slug}/edit", data=_event_form("summit-2022"))
    assert response.status_code == 422
    assert "Otro evento usó esta dirección antes" in response.get_data(as_text=True)
    assert db.session.scalar(select(Event.slug).where(Event.id == ev.id)) == "summit-lima-2022"


def test_a_draft_former_address_does_not_reveal_the_new_one(client, app, auth):
    org, ev = _organiser_with_event(auth)
    _rename(client, "summit-2022", "secret-new-name")
    client.post("/en/manage/events/secret-new-name/edit", data=_event_form("secret-new-name", status="draft"))
    assert client.get("/en/events/summit-2022/").status_code == 301  # its organiser is redirected
    auth.logout()
    for url in ("/en/events/summit-2022/", "/events/summit-2022/agenda.ics", "/api/v1/events/summit-2022"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "secret-new-name" not in response.get_data(as_text=True)
    assert client.get("/en/manage/events/summit-2022/").status_code != 301


def test_cancelled_session_stays_in_the_feed_and_on_the_agenda(client, app, auth):
    org, ev = _organiser_with_event(auth)
    s = f.session(ev, "WS2", room="Salle 5")
    f.session(ev, "WS3", room="Salle 5")  # same room, same time: a conflict while WS2 is on
    assert "conflict-room" in client.get(f"/en/manage/events/{ev.slug}/").get_data(as_text=True)
    form = client.get(f"/fr/manage/events/{ev.slug}/sessions/WS2/edit").get_data(as_text=True)
    assert "Annuler la session WS2" in form
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/WS2/status", data={"status": "cancelled"})
    assert response.status_code == 302
    manage = client.get(f"/en/manage/events/{ev.slug}/").get_data(as_text=True)
    assert "conflict-room" not in manage
    assert "Schedule session WS2 again" in client.get(f"/en/manage/events/{ev.slug}/sessions/WS2/edit").get_data(as_text=True)
    auth.logout()

    item = _feed(client, ev.slug)[f"session-{s.id}@dialogue"]
    assert str(item["status"]) == "CANCELLED"
    assert int(item["sequence"]) == 1
    page = client.get(f"/es/events/{ev.slug}/").get_data(as_text=True)
    assert '<s><span class="code">WS2</span> Sesión WS2</s></a> <strong class="badge cancelled">Cancelada</strong>' in page
    assert '<s><span class="code">WS3</span>' not in page
    assert "Annulée" in client.get(f"/fr/events/{ev.slug}/sessions/WS2").get_data(as_text=True)
    api = client.get(f"/api/v1/events/{ev.slug}/sessions").get_json()["sessions"]
    assert [(x["code"], x["status"]) for x in api] == [("WS2", "cancelled"), ("WS3", "scheduled")]


def test_cancel_and_reinstate_each_raise_the_sequence_and_are_audited(client, app, auth):
    org, ev = _organiser_with_event(auth)
    s = f.session(ev, "PL1")
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/status", data={"status": "cancelled"})
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/status", data={"status": "cancelled"})
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/status", data={"status": "scheduled"})
    assert response.status_code == 302
    db.session.refresh(s)
    assert (s.status, s.sequence) == ("scheduled", 2)
    from dialogue.models import AuditEntry
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("session.%"))
                                      .order_by(AuditEntry.id)))
    assert actions == ["session.cancel", "session.reinstate"]
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/status", data={"status": "postponed"})
    db.session.refresh(s)
    assert (s.status, s.sequence) == ("scheduled", 2)
    auth.logout()
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/status",
                       data={"status": "cancelled"}).status_code in (302, 401, 403)
    db.session.refresh(s)
    assert s.status == "scheduled"
    item = _feed(client, ev.slug)[f"session-{s.id}@dialogue"]
    assert str(item["status"]) == "CONFIRMED"
