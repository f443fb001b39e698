"""Bulk import from CSV and XLSX: all or nothing, every error named in the user's language."""
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from dialogue.delegates.models import Delegate
from dialogue.extensions import db

from .. import factories as f
from . import factories as df

HEADER = "given_name,family_name,email,role,gender,attendance,sessions\n"


def upload(client, ev, d, content: bytes, name="delegates.csv", lang="en"):
    return client.post(f"/{lang}/events/{ev.slug}/delegations/{d.id}/import",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def count():
    return db.session.scalar(select(func.count(Delegate.id)))


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
    book = Workbook()
    book.active.append(["foo", "bar"])
    out = io.BytesIO()
    book.save(out)
    assert "lacks the columns" in upload(client, ev, d, out.getvalue(), "x.xlsx").get_data(as_text=True)


def test_import_form_keeps_csrf_on(app, client, auth):
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
