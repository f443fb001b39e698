"""Safe changes: deleting asks first and bins; the bin restores; history and audit log speak in words."""
import re

from icalendar import Calendar
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import AuditEntry, audit
from dialogue.sessions import directory
from dialogue.sessions.models import MeetingSession

from .. import factories as f


def _organiser(auth, status="published"):
    org = f.user("maria@example.org", name="María López")
    ev = f.event(organiser=org, status=status)
    auth.login(org.email)
    return org, ev


def _says(client, url: str, *sentences: str) -> str:
    """The page at `url`, which must say each of `sentences` (the failure names all it misses)."""
    page = client.get(url).get_data(as_text=True)
    missing = [sentence for sentence in sentences if sentence not in page]
    assert not missing, missing
    return page


def test_delete_asks_for_confirmation_with_csrf_then_bins_and_restores(client, app, auth):
    org, ev = _organiser(auth)
    s = f.session(ev, "PL2", room="Sala A")
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/fr/manage/events/{ev.slug}/sessions/PL2/delete")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Supprimer la session PL2 ?" in html and "<script" not in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post(f"/fr/manage/events/{ev.slug}/sessions/PL2/delete").status_code == 400  # no token
    assert db.session.get(MeetingSession, s.id).deleted_at is None
    assert client.post(f"/fr/manage/events/{ev.slug}/sessions/PL2/delete", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(MeetingSession, s.id).is_binned

    # Gone from the public agenda, the session page, the JSON API and the conflict checks
    assert "sessions/PL2" not in client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    assert client.get(f"/en/events/{ev.slug}/sessions/PL2").status_code == 404
    assert client.get(f"/api/v1/events/{ev.slug}/sessions").get_json()["count"] == 0
    # ... but calendars see it cancelled, with a higher SEQUENCE
    cal = Calendar.from_ical(client.get(f"/events/{ev.slug}/agenda.ics").data)
    [vevent] = list(cal.walk("VEVENT"))
    assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 1

    binned = client.get(f"/es/manage/events/{ev.slug}/bin").get_data(as_text=True)
    assert "1 sesión en la papelera" in binned and "Eliminada por María López" in binned
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', binned).group(1)
    response = client.post(f"/es/manage/events/{ev.slug}/bin/{s.id}/restore", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(MeetingSession, s.id).is_binned
    assert "sessions/PL2" in client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    assert "La papelera está vacía." in client.get(f"/es/manage/events/{ev.slug}/bin").get_data(as_text=True)


def test_a_new_session_cannot_take_the_code_of_a_binned_one(client, app, auth):
    org, ev = _organiser(auth)
    f.session(ev, "PL2")
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL2/delete")
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data={
        "code": "PL2", "kind": "plenary", "original_language": "en", "title-en": "Again",
        "starts_at": "2022-12-12T09:00", "ends_at": "2022-12-12T10:00"})
    assert response.status_code == 422
    assert "A session in the bin has the code PL2" in response.get_data(as_text=True)


def test_history_and_audit_log_say_what_changed_in_words(client, app, auth):
    org, ev = _organiser(auth, status="draft")
    s = f.session(ev, "PL2", room="Sala A", start="2022-12-12 09:00")
    directory.room_or_new(ev, "Sala B")
    db.session.commit()
    data = {"code": "PL2", "kind": "plenary", "original_language": "en", **{f"title-{k}": v for k, v in s.title.items()},
            "starts_at": "2022-12-12T09:00", "ends_at": "2022-12-12T10:30", "room": "Sala B"}
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/PL2/edit", data=data).status_code == 302
    event_form = {"slug": ev.slug, "title-en": "Test summit", "original_language": "en", "starts_on": "2022-12-12",
                  "ends_on": "2022-12-14", "timezone": "Europe/Zurich"}
    client.post(f"/en/manage/events/{ev.slug}/edit", data={**event_form, "status": "published"})
    client.post(f"/en/manage/events/{ev.slug}/edit", data={**event_form, "status": "draft"})
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL2/status", data={"status": "cancelled"})
    client.post(f"/en/manage/events/{ev.slug}/sessions/PL2/edit",
                data={**data, "starts_at": "2022-12-12T10:00", "ends_at": "2022-12-12T11:30"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.update").order_by(AuditEntry.id))
    assert entry.data["changes"] == {"room": [{"en": "Sala A"}, {"en": "Sala B"}]}  # a room's names, as they were

    _says(client, f"/en/manage/events/{ev.slug}/sessions/PL2/history",
          "María López changed the room of PL2 from Sala A to Sala B",
          "María López cancelled session PL2",
          "María López changed the start of PL2 from 12 Dec 2022, 09:00 to 12 Dec 2022, 10:00",
          "María López changed the end of PL2 from 12 Dec 2022, 10:30 to 12 Dec 2022, 11:30")
    log = _says(client, f"/fr/manage/events/{ev.slug}/audit",
                "María López a changé la salle de PL2 de Sala A à Sala B",
                "María López a publié l’événement",
                "María López a retiré la publication de l’événement")
    assert "event.update" not in log and "session:" not in log
    _says(client, f"/es/manage/events/{ev.slug}/audit", "María López cambió la sala de PL2 de Sala A a Sala B")


def test_entries_written_before_the_log_kept_changes_read_in_words(client, app, auth, count_queries):
    org, ev = _organiser(auth)
    s = f.session(ev, "PL7")
    for _i in range(3):
        audit("session.update", user=org, event=ev, target=f"session:{s.id}", code="PL7")
        audit("event.update", user=None, event=ev, target=f"event:{ev.id}")
    db.session.commit()
    client.get(f"/en/manage/events/{ev.slug}/audit")
    with count_queries() as few:
        log = client.get(f"/en/manage/events/{ev.slug}/audit").get_data(as_text=True)
    assert "María López changed session PL7" in log
    assert "The system changed the details of the event" in log
    for _i in range(20):
        audit("session.cancel", user=org, event=ev, target=f"session:{s.id}", code="PL7")
    db.session.commit()
    client.get(f"/en/manage/events/{ev.slug}/audit")
    with count_queries() as more:
        client.get(f"/en/manage/events/{ev.slug}/audit")
    assert more.count == few.count, "\n".join(more.statements)


def test_binned_sessions_leave_the_conflict_checks_and_the_agenda_pdf(client, app, auth, jobs, tmp_path):
    import subprocess

    from dialogue.sessions import services

    from ..workers import fetch
    org, ev = _organiser(auth)
    f.session(ev, "PL1", room="Sala A", start="2022-12-12 09:00")
    f.session(ev, "PL9", room="Sala A", start="2022-12-12 09:30", title={"en": "Doomed double booking"})
    assert [c.kind for c in services.conflicts(ev)] == ["room"]
    assert client.post(f"/en/manage/events/{ev.slug}/sessions/PL9/delete").status_code == 302
    assert services.conflicts(ev) == []
    assert "No conflict" in client.get(f"/en/manage/events/{ev.slug}/").get_data(as_text=True)
    pdf = fetch(client, jobs, f"/en/events/{ev.slug}/agenda.pdf")
    assert pdf.mimetype == "application/pdf"
    path = tmp_path / "agenda.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "PL1" in text and "PL9" not in text and "Doomed" not in text


def test_audit_log_names_delegates_delegations_and_key_messages(client, app, auth):
    from dialogue.outcomes.models import KeyMessage

    from ..delegates import factories as df
    org, ev = _organiser(auth)
    s = f.session(ev, "RD-LAC")
    france = df.delegation(ev, "FR")
    jeanne = df.delegate(france, "Jeanne", "Martin")
    message = KeyMessage(session=s, text={"en": "A message"}, original_language="en")
    db.session.add(message)
    db.session.flush()
    audit("delegation.create", user=org, event=ev, target=f"delegation:{france.id}")
    audit("delegate.accredit", user=org, event=ev, target=f"delegate:{jeanne.id}")
    audit("key_message.approve", user=org, event=ev, target=f"key_message:{message.id}")
    audit("delegate.import", user=org, event=ev, target=f"delegation:{france.id}", rows=1)
    db.session.commit()
    _says(client, f"/en/manage/events/{ev.slug}/audit",
          "María López created the delegation of France",
          "María López accredited Jeanne Martin",
          "María López approved a key message of RD-LAC",
          "María López imported 1 delegate into the delegation of France")
    _says(client, f"/es/manage/events/{ev.slug}/audit", "María López creó la delegación de Francia")
