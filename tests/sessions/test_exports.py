"""iCalendar, JSON API and agenda PDF, read back with real parsers."""
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from dialogue.extensions import db
from dialogue.sessions import directory

from .. import factories as f
from ..workers import fetch


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_event_ics_parses_back_with_stable_uids_and_zone(client, app):
    ev = f.event(tz="Europe/Zurich")
    s = f.session(ev, "RD", start="2022-12-12 18:15", minutes=75, title={"fr": "Dialogue régional", "es": "Diálogo regional", "en": "Regional dialogue"})
    body = client.get(f"/events/{ev.slug}/agenda.ics?lang=es").data
    cal = Calendar.from_ical(body)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    item = events[0]
    assert str(item["summary"]) == "RD · Diálogo regional"
    assert item["uid"] == f"session-{s.id}@dialogue"
    assert "dtstamp" in item
    start = item["dtstart"].dt
    assert start == datetime(2022, 12, 12, 18, 15, tzinfo=ZoneInfo("Europe/Zurich"))
    assert start.astimezone(ZoneInfo("America/Lima")).strftime("%H:%M") == "12:15"
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Zurich"]
    # the same UID after an edit
    s.room = directory.room_or_new(ev, "Salle 7")
    db.session.commit()
    again = Calendar.from_ical(client.get(f"/events/{ev.slug}/agenda.ics?lang=fr").data)
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [f"session-{s.id}@dialogue"]
    assert str(again.walk("VEVENT")[0]["summary"]) == "RD · Dialogue régional"


def test_session_ics(client, app):
    ev = f.event()
    s = f.session(ev, "PL1")
    response = client.get(f"/events/{ev.slug}/sessions/{s.code}.ics?lang=en")
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["PL1 · Session PL1"]


def test_json_api_lists_published_events_and_sessions(client, app):
    ev = f.event()
    f.event(status="draft", slug="hidden-draft")
    f.session(ev, "PL1", people=[("chair", "Ana", "APCI")])
    events = client.get("/api/v1/events").get_json()["events"]
    assert [e["slug"] for e in events] == [ev.slug]
    detail = client.get(f"/api/v1/events/{ev.slug}").get_json()
    assert detail["title"]["es"] == "Cumbre de prueba"
    data = client.get(f"/api/v1/events/{ev.slug}/sessions").get_json()
    assert data["count"] == 1
    session = data["sessions"][0]
    assert session["code"] == "PL1"
    assert session["starts_at"] == "2022-12-12T09:00:00+01:00"
    ana = session["people"][0]["id"]
    assert session["people"] == [{"id": ana, "role": "chair", "name": "Ana", "organisation": "APCI"}]
    assert session["room"] == "Room 1" and data["rooms"] == [
        {"id": session["room_id"], "name": {"en": "Room 1"}, "capacity": None, "booths": 0}]
    assert client.get("/api/v1/events/nope").status_code == 404
    assert client.get("/api/v1/events/nope").get_json()["status"] == 404


def test_openapi_document_describes_the_api(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/events", "/api/v1/events/{slug}", "/api/v1/events/{slug}/sessions"):
        assert path in doc["paths"]
    refs = []

    def walk(node):
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"]


@pytest.mark.parametrize("lang,title,page", [
    ("fr", "Ouverture du sommet", "Page 1 sur 1"),
    ("es", "Apertura de la cumbre", "Página 1 de 1"),
    ("en", "Opening of the summit", "Page 1 of 1"),
])
def test_agenda_pdf_in_each_language(jobs, client, app, tmp_path, lang, title, page):
    ev = f.event()
    f.session(ev, "PL1", title={"fr": "Ouverture du sommet", "es": "Apertura de la cumbre", "en": "Opening of the summit"})
    response = fetch(client, jobs, f"/{lang}/events/{ev.slug}/agenda.pdf")
    assert response.mimetype == "application/pdf"
    text = _pdf_text(response.data, tmp_path)
    assert title in text
    assert page in text
    info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    assert "Tagged:          yes" in info
    expected_title = {"fr": "Sommet de test", "es": "Cumbre de prueba", "en": "Test summit"}[lang]
    assert expected_title in [line.split(":", 1)[1].strip().split(": ", 1)[-1] for line in info.splitlines() if line.startswith("Title:")]


def test_agenda_pdf_is_deterministic_and_cached(jobs, client, app):
    ev = f.event()
    f.session(ev, "PL1")
    first = fetch(client, jobs, f"/en/events/{ev.slug}/agenda.pdf")
    from dialogue.cache import cache
    cache.clear()
    second = fetch(client, jobs, f"/en/events/{ev.slug}/agenda.pdf")
    assert first.data == second.data
    assert fetch(client, jobs, f"/en/events/{ev.slug}/agenda.pdf", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_pdf_renderer_fetches_nothing_outside_static(app):
    from dialogue.pdf import SafeFetcher, html_to_pdf
    fetcher = SafeFetcher()
    html = ('<html lang="en"><head><title>t</title><link rel="stylesheet" href="pdf.css"></head><body>'
            '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
            '<img src="../dialogue/config.py"><p>ok</p></body></html>')
    pdf = html_to_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF")
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1:9/x.png" in fetcher.refused
    assert any(u.endswith("dialogue/config.py") for u in fetcher.refused)
    assert not any(u.endswith("pdf.css") for u in fetcher.refused)


def test_openapi_declares_bearer_tokens_on_the_delegates_api(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    secured = [op for path, ops in doc["paths"].items() if "/delegates" in path for op in ops.values()]
    assert secured and all(op["security"] == [{"bearerAuth": []}] for op in secured)
