"""Copying the agenda (a session, a day, an event) and importing and exporting sessions as CSV/XLSX."""
import io
import re
from datetime import date, datetime
from html import unescape

from openpyxl import load_workbook
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import AuditEntry
from dialogue.sessions import localtime
from dialogue.sessions.models import Event, MeetingSession, Person, Room

from .. import factories as f


def _organiser(auth, **kw):
    org = f.user("org@example.org")
    ev = f.event(organiser=org, **kw)
    auth.login(org.email)
    return org, ev


def _sessions(ev):
    return {s.code: s for s in db.session.scalars(select(MeetingSession).where(MeetingSession.event_id == ev.id))}


def test_duplicate_prefills_the_form_with_a_free_code_and_saves_only_on_save(client, auth):
    _org, ev = _organiser(auth)
    f.session(ev, "PL1", room="Sala A", people=[("chair", "María López", "APCI")])
    page = client.get(f"/en/manage/events/{ev.slug}/sessions/PL1/duplicate")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert 'value="PL1-2"' in html and "Sala A" in html and "María López" in html
    assert set(_sessions(ev)) == {"PL1"}  # nothing saved yet
    sent = client.post(f"/en/manage/events/{ev.slug}/sessions/PL1/duplicate", data={
        "code": "PL1-2", "kind": "plenary", "original_language": "en", "title-en": "Copy",
        "starts_at": "2022-12-13T09:00", "ends_at": "2022-12-13T10:00", "room": "Sala A",
        "people-0-role": "chair", "people-0-name": "María López"})
    assert sent.status_code == 302
    copy = _sessions(ev)["PL1-2"]
    assert copy.room.name["en"] == "Sala A" and [p.name for p in copy.people] == ["María López"]


def test_copy_day_shifts_by_whole_days_across_a_clock_change_and_reports_clashes(client, auth):
    # Europe/Zurich goes back to winter time on 27 October 2024: 09:30 stays 09:30 on the wall clock.
    _org, ev = _organiser(auth, starts=date(2024, 10, 25), ends=date(2024, 10, 28))
    f.session(ev, "PL1", start="2024-10-25 09:30", room="Sala A")
    f.session(ev, "PL2", start="2024-10-28 10:00", room="Sala A")
    page = client.post(f"/en/manage/events/{ev.slug}/copy-day", data={"from_day": "2024-10-25", "to_day": "2024-10-28"},
                       follow_redirects=True)
    html = unescape(page.get_data(as_text=True))
    assert "1 session is copied." in html
    assert "Sessions PL2 and PL1-2 use the room Sala A at the same time." in html
    copy = _sessions(ev)["PL1-2"]
    assert localtime.to_local(copy.starts_at, ev.timezone) == datetime(2024, 10, 28, 9, 30)
    assert copy.starts_at.hour == 8  # UTC+1 after the change (the original was 07:30 UTC)


def test_copy_event_makes_a_draft_with_rooms_people_and_notes_on_new_dates(client, auth):
    _org, ev = _organiser(auth)
    s = f.session(ev, "PL1", start="2022-12-13 09:30", room="Sala A", people=[("chair", "María López", "APCI")])
    s.context = {"en": "Why we meet"}
    db.session.commit()
    page = client.get(f"/en/manage/events/{ev.slug}/copy")
    assert page.status_code == 200
    sent = client.post(f"/en/manage/events/{ev.slug}/copy", data={
        "slug": "summit-2023", "starts_on": "2023-12-11", "timezone": "Europe/Zurich"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/en/manage/events/summit-2023/")
    new = db.session.scalar(select(Event).where(Event.slug == "summit-2023"))
    assert new.status == "draft" and new.ends_on == date(2023, 12, 13) and new.title == ev.title
    copy = _sessions(new)["PL1"]
    assert localtime.to_local(copy.starts_at, new.timezone) == datetime(2023, 12, 12, 9, 30)
    assert copy.room.event_id == new.id and copy.room.name == {"en": "Sala A"}
    assert copy.people[0].person.event_id == new.id and copy.context == {"en": "Why we meet"}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.copy")).event_id == new.id
    again = client.post(f"/en/manage/events/{ev.slug}/copy", data={
        "slug": "summit-2023", "starts_on": "2023-12-11", "timezone": "Europe/Zurich"})
    assert again.status_code == 422 and "Another event already uses this address." in unescape(again.get_data(as_text=True))


HEADERS = ("Código", "Día", "Inicio", "Fin", "Tipo", "Sala", "Título (español)", "Presidencia", "Oradores")


def _upload(client, ev, content, name="sesiones.xlsx", lang="es"):
    return client.post(f"/{lang}/manage/events/{ev.slug}/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _confirm(client, ev, page, lang="es"):
    """Press "Import the sessions" on a preview: its form names the file kept on the server by a token."""
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))[1]
    return client.post(f"/{lang}/manage/events/{ev.slug}/import", data={"token": token}), token


def test_import_names_the_bad_row_then_previews_and_imports_all(client, auth, app):
    _org, ev = _organiser(auth)
    f.session(ev, "OLD", start="2022-12-12 09:00", room="Sala A")
    rows = [(f"WS{i}", "2022-12-13", f"{8 + i // 4:02d}:{(i % 4) * 15:02d}", f"{8 + i // 4:02d}:{(i % 4) * 15 + 10:02d}",
             "Sesión de trabajo", f"Sala {i % 3}", f"Sesión {i}", "María López" if i == 0 else "", f"Orador {i}; Ana Pérez")
            for i in range(40)]
    rows[6] = ("WS6", "2022-12-13", "25:00", "10:00", "Sesión de trabajo", "Sala 1", "Sesión 6", "", "")
    rows[39] = ("WS39", "2022-12-12", "09:30", "10:00", "Plenaria?", "Sala A", "Sesión 39", "", "")
    page = _upload(client, ev, f.xlsx(HEADERS, *rows))
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 422
    assert re.search(r"<td>8</td><td>Inicio</td>", html)  # row 8 of the sheet (header is row 1)
    assert re.search(r"<td>41</td><td>Tipo</td>", html)
    assert set(_sessions(ev)) == {"OLD"}
    rows[6] = ("WS6", "2022-12-13", "09:30", "09:40", "Sesión de trabajo", "Sala 1", "Sesión 6", "", "")
    rows[39] = ("WS39", "2022-12-12", "09:30", "10:00", "Sesión plenaria", "Sala A", "Sesión 39", "", "")
    preview = _upload(client, ev, f.xlsx(HEADERS, *rows))
    html = unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200 and "40 sesiones" in html
    assert "Sala 0" in html and "Ana Pérez" in html and "OLD" in html  # new rooms, new people, the clash
    assert set(_sessions(ev)) == {"OLD"}  # a preview keeps nothing
    assert len(preview.data) < 60_000  # the file stays on the server, not in the page
    done, token = _confirm(client, ev, preview)
    assert done.status_code == 302
    made = _sessions(ev)
    assert len(made) == 41 and made["WS0"].kind == "working" and made["WS0"].title == {"es": "Sesión 0"}
    assert [p.name for p in made["WS0"].people] == ["María López", "Orador 0", "Ana Pérez"]
    assert db.session.scalar(select(Person.id).where(Person.name == "Ana Pérez", Person.event_id == ev.id))
    assert len(db.session.scalars(select(Room).where(Room.event_id == ev.id)).all()) == 4


def test_export_reads_back_and_templates_in_each_language(client, auth):
    _org, ev = _organiser(auth)
    f.session(ev, "PL1", start="2022-12-12 09:00", room="=Sala A", people=[("chair", "María López", "")])
    for lang in ("fr", "es", "en"):
        xlsx = client.get(f"/{lang}/manage/events/{ev.slug}/sessions.xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.data)).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[1][:4] == ["PL1", "2022-12-12", "09:00", "10:30"] and values[1][5] == "=Sala A"
        assert sheet["F2"].data_type == "s"  # text, never a formula
        csv = client.get(f"/{lang}/manage/events/{ev.slug}/sessions.csv").data.decode("utf-8-sig")
        assert "'=Sala A" in csv and "María López" in csv
        template = client.get(f"/{lang}/manage/events/{ev.slug}/sessions-template.xlsx")
        book = load_workbook(io.BytesIO(template.data))
        assert book.active.data_validations.dataValidation  # drop-down lists of kinds and rooms
        assert client.get(f"/{lang}/manage/events/{ev.slug}/sessions-template.csv").status_code == 200
    assert client.get(f"/fr/manage/events/{ev.slug}/sessions.csv").data.decode("utf-8-sig").startswith("Code;Jour")
    # The export, with the session renamed, imports back into another event.
    body = client.get(f"/en/manage/events/{ev.slug}/sessions.csv").data.replace(b"PL1", b"PL9")
    preview = _upload(client, ev, body, "s.csv", "en")
    assert preview.status_code == 200 and "1 session is ready to import" in unescape(preview.get_data(as_text=True))


def test_import_reads_french_csv_with_semicolons_cp1252_quotes_and_formula_prefixes(client, auth):
    _org, ev = _organiser(auth)
    text = ('Code;Jour;Début;Fin;Type;Salle;Titre (français);Intervenants\r\n'
            'WS1;13/12/2022;9h30;11:00;Session de travail;Salle B;"Financement ""durable""; suite";\'=Dupont\r\n')
    page = _upload(client, ev, text.encode("cp1252"), "séances.csv", "fr")
    assert page.status_code == 200, unescape(page.get_data(as_text=True))[-3000:]
    assert _confirm(client, ev, page, "fr")[0].status_code == 302
    s = _sessions(ev)["WS1"]
    assert s.title == {"fr": 'Financement "durable"; suite'} and s.kind == "working"
    assert localtime.to_local(s.starts_at, ev.timezone) == datetime(2022, 12, 13, 9, 30)
    assert [p.name for p in s.people] == ["=Dupont"] and s.room.name == {"en": "Salle B"}


def test_import_refuses_duplicate_codes_the_example_row_and_unreadable_files(client, auth):
    _org, ev = _organiser(auth)
    f.session(ev, "PL1")
    template = client.get(f"/en/manage/events/{ev.slug}/sessions-template.csv").data
    rows = template + b"PL2,2022-12-12,10:00,11:00,,,,,T,,,,,\r\nPL2,2022-12-12,12:00,13:00,,,,,T,,,,,\r\n"
    html = unescape(_upload(client, ev, rows, "s.csv", "en").get_data(as_text=True))
    assert "<td>2</td><td>Title (English)</td><td>This is the template's example row" in html
    assert "<td>4</td><td>Code</td><td>The same code is on row 3." in html
    for name, body in (("x.xlsx", b"not a zip"), ("x.txt", b"a"), ("x.csv", b"a;b\r\n1;2")):
        page = _upload(client, ev, body, name, "en")
        assert page.status_code == 422 and set(_sessions(ev)) == {"PL1"}
    forged = client.post(f"/en/manage/events/{ev.slug}/import", data={"token": "!!"})
    assert forged.status_code == 422 and "upload the file again" in unescape(forged.get_data(as_text=True))


def test_copy_day_refuses_a_time_the_new_day_skips(client, auth):
    # Clocks go forward at 02:00 on 31 March 2024 in Europe/Zurich: 02:30 that day does not exist.
    _org, ev = _organiser(auth, starts=date(2024, 3, 30), ends=date(2024, 3, 31))
    f.session(ev, "NIGHT", start="2024-03-30 02:30", minutes=20, room="")
    page = client.post(f"/en/manage/events/{ev.slug}/copy-day", data={"from_day": "2024-03-30", "to_day": "2024-03-31"})
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 422 and "Session NIGHT: 02:30 does not exist on 31 March 2024" in html
    assert set(_sessions(ev)) == {"NIGHT"}


def test_only_organisers_copy_import_and_export(client, auth):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    other = f.user("other@example.org")
    f.event(organiser=other)
    auth.login(other.email)
    for path in ("copy", "copy-day", "import", "sessions.csv", "sessions-template.xlsx"):
        assert client.get(f"/en/manage/events/{ev.slug}/{path}").status_code == 403, path
    assert client.post(f"/en/manage/events/{ev.slug}/copy", data={
        "slug": "stolen", "starts_on": "2023-01-01", "timezone": "UTC"}).status_code == 403
    assert db.session.scalar(select(Event).where(Event.slug == "stolen")) is None


def test_export_query_count_does_not_grow_with_sessions(client, auth, count_queries):
    org, _ev = _organiser(auth)
    counts = []
    for n in (3, 60):
        ev = f.event(organiser=org)
        f.many_sessions(ev, n, people_each=2)
        db.session.commit()
        with count_queries() as counter:
            assert client.get(f"/en/manage/events/{ev.slug}/sessions.xlsx").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
