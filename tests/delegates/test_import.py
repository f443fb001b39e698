"""Bulk import from CSV and XLSX: all or nothing, every error named in the user's language."""
import csv
import io
import unicodedata

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.delegates.labels import FIELD_LABELS
from dialogue.delegates.models import Delegate
from dialogue.delegates.services import accredit_many
from dialogue.extensions import db
from dialogue.spreadsheet_safety import unprefixed, xlsx_row

from .. import factories as f
from ..workers import fetch
from . import factories as df
from .factories import count, upload

HEADER = "given_name,family_name,email,role,gender,attendance,sessions\n"


def test_focal_point_imports_twenty_delegates_from_csv(app, client, auth):
    ev = f.event()
    f.session(ev, "PL1")
    user, d = df.focal_point(ev, quota=20)
    auth.login(user.email)
    rows = ["Rosa,Huamán,rosa@example.org,head,female,in_person,PL1"]
    rows += [f"Núñez{i},Ñandú-{i},p{i}@example.org,member,male,online," for i in range(19)]
    response = upload(client, ev, d, (HEADER + "\n".join(rows)).encode("utf-8-sig"))
    assert response.status_code == 302
    assert count() == 20
    assert db.session.scalar(select(Delegate).where(Delegate.email == "rosa@example.org")).family_name == "Huamán"


def test_one_bad_row_imports_nothing_and_names_row_and_field_in_french(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=20)
    auth.login(user.email)
    content = HEADER + "Rosa,Huamán,rosa@example.org,head,female,in_person,\nLuis,,not-an-email,member,male,in_person,\n"
    response = upload(client, ev, d, content.encode(), lang="fr")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert count() == 0
    assert "Rien n’a été importé" in page or "Rien n'a été importé" in page
    assert "Nom de famille" in page and "Courriel" in page
    assert "<td>3</td>" in page


def test_import_over_quota_imports_nothing(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=2)
    auth.login(user.email)
    content = HEADER + "".join(f"A{i},B{i},x{i}@example.org,member,male,in_person,\n" for i in range(3))
    response = upload(client, ev, d, content.encode())
    assert response.status_code == 422
    assert "only 2 places are free" in response.get_data(as_text=True)
    assert count() == 0


def test_import_refuses_two_heads_and_duplicate_emails(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=10)
    auth.login(user.email)
    content = HEADER + "A,B,same@example.org,head,male,in_person,\nC,D,same@example.org,head,female,in_person,\n"
    page = upload(client, ev, d, content.encode()).get_data(as_text=True)
    assert "Only one head of delegation" in page and "same email address is on row 2" in page
    assert count() == 0


def test_xlsx_template_round_trip_with_labels_in_spanish(app, client, auth):
    ev = f.event()
    f.session(ev, "PL1")
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    response = client.get(f"/es/events/{ev.slug}/delegations/{d.id}/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert "Apellido" in header or "Apellidos" in header
    example = [c.value for c in sheet[2]]
    assert "Núñez Ibáñez" in example
    sheet.cell(row=2, column=header.index("Correo electrónico") + 1, value="maria.nunez@minrel.gob.pe")
    out = io.BytesIO()
    book.save(out)
    assert upload(client, ev, d, out.getvalue(), "relleno.xlsx", lang="es").status_code == 302
    delegate = db.session.scalar(select(Delegate))
    assert (delegate.family_name, delegate.role, [r.session.code for r in delegate.registrations]) == ("Núñez Ibáñez", "head", ["PL1"])


def test_csv_template_downloads(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    response = client.get(f"/fr/events/{ev.slug}/delegations/{d.id}/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Prénom" in response.data.decode("utf-8-sig").splitlines()[0]


def test_unreadable_files_get_a_clear_message(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    assert "not a readable Excel" in upload(client, ev, d, b"garbage", "x.xlsx").get_data(as_text=True)
    assert "UTF-8" in upload(client, ev, d, b"given_name\nJos\x81\x8d", "x.csv").get_data(as_text=True)
    assert "lacks the columns" in upload(client, ev, d, f.xlsx(["foo", "bar"]), "x.xlsx").get_data(as_text=True)


def test_import_form_keeps_csrf_on(jobs, app, client, auth):
    import re
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    content = (HEADER + "Ana,Pérez,ana@example.org,member,female,in_person,\n").encode()
    assert upload(client, ev, d, content).status_code == 400
    response = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/import", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(content), "d.csv")})
    assert response.status_code == 302 and count() == 1


# --- files as Excel writes them ------------------------------------------------------------------

EXCEL_HEADER = ["Given name", "Family name", "Function", "Email", "Role in the delegation"]
EXCEL_ROWS = [
    ["Rosa", "Huamán Quispe", 'Director, "Perú 2030" Office', "rosa@example.org", "Head of delegation"],
    ["José", "Núñez", 'Jefe; "Unidad" de Planificación\nSegunda línea', "jose@example.org", "Member"],
    ["Ana", "d'Almeida", '=HYPERLINK("http://evil.example","clic")', "ana@example.org", "Adviser"],
    ["Luis", "Ortiz", "+51 1 204 2400 (switchboard)", "luis@example.org", "Member"],
]


def excel_csv(delimiter: str, encoding: str, rows=EXCEL_ROWS) -> bytes:
    """A CSV file as Excel saves it: its dialect (doubled quotes, CRLF), the given delimiter and encoding."""
    out = io.StringIO()
    csv.writer(out, dialect="excel", delimiter=delimiter).writerows([EXCEL_HEADER, *rows])
    return out.getvalue().encode(encoding)


def exported(client, jobs, ev, lang) -> list[dict]:
    """The organisers' participants CSV in `lang`, as {header: cell} rows."""
    text = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/participants.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="," if lang == "en" else ";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("delimiter,encoding", [(",", "utf-8-sig"), (",", "utf-8"), (";", "utf-8-sig"),
                                                (";", "cp1252"), ("\t", "utf-16")],
                         ids=["comma-utf8-bom", "comma-utf8", "semicolon-utf8-bom", "semicolon-cp1252", "tab-utf16"])
def test_csv_written_by_excel_round_trips_through_import_and_export(app, client, auth, jobs, delimiter, encoding):
    ev = f.event()
    organiser = f.user()
    grant_role(organiser, ev, "organiser")
    user, d = df.focal_point(ev, quota=10)
    auth.login(user.email)
    response = upload(client, ev, d, excel_csv(delimiter, encoding), "délégation.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = {x.email: x for x in db.session.scalars(select(Delegate))}
    assert stored["rosa@example.org"].function == 'Director, "Perú 2030" Office'
    assert stored["rosa@example.org"].role == "head"
    accredit_many(ev, [x.id for x in stored.values()], organiser)
    db.session.commit()
    auth.logout()
    auth.login(organiser.email)
    for lang in ("en", "fr"):
        with force_locale(lang):
            labels = {f: str(FIELD_LABELS[f]) for f in ("given_name", "family_name", "function", "email")}
        out = {row[labels["email"]]: row for row in exported(client, jobs, ev, lang)}
        for given, family, function, email, _role in EXCEL_ROWS:
            row = out[email]
            assert (row[labels["given_name"]], row[labels["family_name"]]) == (given, family)
            assert unprefixed(row[labels["function"]]) == function
    # What a spreadsheet would run is written with a visible apostrophe in front; the rest as typed.
    english = {row["Email"]: row for row in exported(client, jobs, ev, "en")}
    assert english["ana@example.org"]["Function"] == "'" + EXCEL_ROWS[2][2]
    assert english["luis@example.org"]["Function"] == "'+51 1 204 2400 (switchboard)"
    assert english["rosa@example.org"]["Function"] == EXCEL_ROWS[0][2]


def test_participants_csv_imports_again_as_typed(jobs, app, client, auth):
    """Our export, apostrophes included, is a file the import reads back to the same text."""
    ev = f.event()
    organiser = f.user()
    grant_role(organiser, ev, "organiser")
    user, d = df.focal_point(ev, quota=10)
    auth.login(user.email)
    assert upload(client, ev, d, excel_csv(",", "utf-8")).status_code == 302
    accredit_many(ev, list(db.session.scalars(select(Delegate.id))), organiser)
    db.session.commit()
    auth.logout()
    auth.login(organiser.email)
    export = fetch(client, jobs, f"/fr/manage/events/{ev.slug}/participants.csv").data
    other = f.event()
    user2, d2 = df.focal_point(other, quota=10)
    auth.logout()
    auth.login(user2.email)
    assert upload(client, other, d2, export, "participants.csv", lang="fr").status_code == 302
    again = {x.email: (x.given_name, x.family_name, x.function, x.role)
             for x in db.session.scalars(select(Delegate).where(Delegate.event_id == other.id))}
    assert again == {email: (given, family, function, {"Head of delegation": "head", "Member": "member",
                                                       "Adviser": "adviser"}[role])
                     for given, family, function, email, role in EXCEL_ROWS}


def test_title_line_above_semicolon_headers_with_commas_does_not_fool_the_delimiter(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    content = "Delegación del Perú, Lima, 2024\n\n" + excel_csv(";", "utf-8").decode()
    assert upload(client, ev, d, content.encode("cp1252")).status_code == 302
    assert db.session.scalar(select(Delegate.function).where(Delegate.email == "rosa@example.org")) \
        == 'Director, "Perú 2030" Office'


def test_decomposed_accents_are_stored_composed_and_count_as_the_same_text(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    rows = [["Jose\u0301", "Nu\u0301n\u0303ez", "Jefe", "jose@example.org", "Member"]]
    assert upload(client, ev, d, excel_csv(",", "utf-8", rows)).status_code == 302
    delegate = db.session.scalar(select(Delegate))
    assert (delegate.given_name, delegate.family_name) == ("José", "Núñez")
    assert delegate.given_name == unicodedata.normalize("NFC", "Jose\u0301") != "Jose\u0301"


def test_xlsx_cells_starting_like_formulas_import_as_text(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    book = Workbook()
    sheet = book.active
    sheet.append(xlsx_row(sheet, EXCEL_HEADER))
    sheet.append(xlsx_row(sheet, EXCEL_ROWS[2]))
    out = io.BytesIO()
    book.save(out)
    assert upload(client, ev, d, out.getvalue(), "d.xlsx").status_code == 302
    assert db.session.scalar(select(Delegate.function)) == EXCEL_ROWS[2][2]
