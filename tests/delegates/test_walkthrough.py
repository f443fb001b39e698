"""What a focal point and an organiser tripped over when they registered and accredited a delegation
of twenty in a browser, in French and Spanish: each test failed before its fix."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dialogue.auth import PermissionDenied
from dialogue.delegates import services
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.models import AuditEntry, OutboxMessage

from .. import factories as f
from ..workers import badge_pdfs, fetch
from . import factories as df
from .factories import count

ES_HEADER = ["Tratamiento", "Nombre", "Apellidos", "Cargo", "Correo electrónico", "Género", "Función en la delegación",
             "Modalidad de asistencia", "Sesiones"]


def upload(client, ev, d, content: bytes, name="delegacion.csv"):
    """A file of delegates sent by a focal point who works in Spanish."""
    return df.upload(client, ev, d, content, name, lang="es")


def excel_csv(rows, encoding="cp1252", bom=False) -> bytes:
    """What Excel in Spanish or French Windows writes for "CSV": semicolons, CRLF, ANSI."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([ES_HEADER] + rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


# --- import --------------------------------------------------------------------------------------

def test_csv_saved_by_excel_in_spanish_windows_imports(app, client, auth):
    ev = f.event()
    f.session(ev, "PL1")
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    rows = [["Sr.", "Ramón", "Cañete Ibáñez", "Embajador", "ramon@minrel.gob.pe", "Hombre", "Miembro", "Presencial", "PL1"],
            ["Sra.", "Begoña", "Ibáñez", "Asesora", "begona@minrel.gob.pe", "Mujer", "Asesor", "En línea", ""]]
    response = upload(client, ev, d, excel_csv(rows))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert sorted(db.session.scalars(select(Delegate.family_name))) == ["Cañete Ibáñez", "Ibáñez"]
    db.session.execute(Delegate.__table__.delete())
    db.session.commit()
    assert upload(client, ev, d, excel_csv(rows, "utf-8", bom=True)).status_code == 302
    assert count() == 2


def test_csv_saved_as_unicode_text_imports(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    text = "\t".join(ES_HEADER) + "\r\n" + "\t".join(["", "明华", "李", "", "li@minrel.gob.pe", "", "", "", ""]) + "\r\n"
    assert upload(client, ev, d, text.encode("utf-16")).status_code == 302
    assert db.session.scalar(select(Delegate.family_name)) == "李"


@pytest.mark.parametrize("lang,delimiter", [("fr", ";"), ("es", ";"), ("en", ",")])
def test_csv_template_opens_in_columns_in_excel_of_each_language(app, client, auth, lang, delimiter):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    text = client.get(f"/{lang}/events/{ev.slug}/delegations/{d.id}/template.csv").data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert len(header) == 11  # with the name order and the name in own script


def test_values_ministries_write_are_understood(app, client, auth):
    """Feminine forms, abbreviations without their dot, other capitals."""
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    rows = [["Dra.", "Begoña", "Ibáñez", "", "begona@minrel.gob.pe", "MUJER", "Jefa de delegación", "presencial", ""],
            ["Sr", "Ramón", "Cañete", "", "ramon@minrel.gob.pe", "hombre", "Asesor", "En línea", ""],
            ["S.E. Mme", "Aïcha", "Diallo", "", "aicha@minrel.gob.pe", "Femme", "Conseillère", "En ligne", ""]]
    response = upload(client, ev, d, excel_csv(rows, "utf-8"))
    assert response.status_code == 302, response.get_data(as_text=True)
    got = {x.given_name: (x.salutation, x.gender, x.role, x.attendance) for x in db.session.scalars(select(Delegate))}
    assert got == {"Begoña": ("dr", "female", "head", "in_person"), "Ramón": ("mr", "male", "adviser", "online"),
                   "Aïcha": ("he_ms", "female", "adviser", "online")}


def test_a_wrong_choice_is_explained_with_the_labels_of_the_users_language(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    rows = [["Lic.", "Ana", "Pérez", "", "ana@minrel.gob.pe", "Mujer", "Jefecita", "Presencial", ""]]
    page = upload(client, ev, d, excel_csv(rows)).get_data(as_text=True)
    assert count() == 0
    assert "Lic." in page and "Sra., Sr." in page and "Excma. Sra." in page
    assert "Jefecita" in page and "Jefe de delegación, Suplente, Asesor, Miembro" in page
    assert "he_ms" not in page and "alternate" not in page


def test_the_templates_example_row_left_in_the_file_is_refused(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    book = load_workbook(io.BytesIO(client.get(f"/es/events/{ev.slug}/delegations/{d.id}/template.xlsx").data))
    book.active.append(["Sr.", "Ramón", "Cañete", "", "ramon@minrel.gob.pe", "Hombre", "Miembro", "Presencial", ""])
    out = io.BytesIO()
    book.save(out)
    response = upload(client, ev, d, out.getvalue(), "delegacion.xlsx")
    assert response.status_code == 422
    assert "fila de ejemplo" in response.get_data(as_text=True)
    assert count() == 0


def test_one_imported_delegate_is_told_in_the_singular(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    rows = [["Sr.", "Ramón", "Cañete", "", "ramon@minrel.gob.pe", "Hombre", "Miembro", "Presencial", ""]]
    page = client.get(upload(client, ev, d, excel_csv(rows)).location).get_data(as_text=True)
    assert "1 delegado designado a partir del archivo" in page


# --- the focal point's pages -------------------------------------------------------------------------

def test_delegates_sort_in_the_alphabet_of_the_page(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=10)
    for family in ("Sánchez", "Ávila", "Öztürk", "Ñaupari", "Nuñez", "Nunez", "Zapata"):
        df.delegate(d, family=family)
    auth.login(user.email)
    page = client.get(f"/es/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    order = sorted(("Sánchez", "Ávila", "Öztürk", "Ñaupari", "Nuñez", "Nunez", "Zapata"), key=page.index)
    assert order == ["Ávila", "Nunez", "Nuñez", "Ñaupari", "Öztürk", "Sánchez", "Zapata"]


def test_the_nomination_form_says_upfront_when_the_quota_is_reached(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=1)
    auth.login(user.email)
    url = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/new"
    assert 'id="quota-full"' not in client.get(url).get_data(as_text=True)
    df.delegate(d)
    assert 'id="quota-full"' in client.get(url).get_data(as_text=True)


def test_a_session_error_is_shown_once(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    response = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/new", data={
        "salutation": "ms", "given_name": "Ana", "family_name": "Pérez", "email": "ana@example.org", "gender": "female",
        "role": "member", "attendance": "in_person", "sessions": ["NOPE"]})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("No session with the code NOPE") == 1


# --- accrediting many at once --------------------------------------------------------------------------

def test_organiser_accredits_selected_nominations_at_once(app, client, auth, organiser_event):
    org, ev = organiser_event
    focal, peru = df.focal_point(ev, "PE", quota=25)
    people = [df.delegate(peru, f"Given{i}", f"Family{i}") for i in range(20)]
    decided = df.delegate(peru, "Already", "Rejected", status="rejected")
    other_event = df.delegate(df.delegation(f.event(), "PE"), "Other", "Event")
    auth.login(org.email)
    page = client.get(f"/fr/manage/events/{ev.slug}/accreditation?delegation={peru.id}").get_data(as_text=True)
    assert 'id="bulk-accredit"' in page and page.count('name="delegate"') == 20
    ids = [p.id for p in people[:19]] + [decided.id, other_event.id]
    response = client.post(f"/fr/manage/events/{ev.slug}/accreditation/accredit", data={"delegate": ids, "delegation": peru.id})
    assert response.status_code == 302 and f"delegation={peru.id}" in response.location
    db.session.expire_all()
    assert [p.status for p in people].count("accredited") == 19 and people[19].status == "nominated"
    assert all(p.badge_code for p in people[:19])
    assert (decided.status, other_event.status) == ("rejected", "nominated")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delegate.accredit")).all()
    assert sorted(e.target for e in entries) == sorted(f"delegate:{p.id}" for p in people[:19])
    assert all(e.user_id == org.id for e in entries)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == focal.email)).all()
    assert len(mails) == 1 and "19" in mails[0].subject and "Given18 FAMILY18" in mails[0].body
    page = client.get(response.location).get_data(as_text=True)
    assert "19 délégués sont accrédités" in page


def test_accrediting_nothing_selected_says_so(app, client, auth, organiser_event):
    org, ev = organiser_event
    auth.login(org.email)
    response = client.post(f"/en/manage/events/{ev.slug}/accreditation/accredit", data={}, follow_redirects=True)
    assert "Select at least one nomination" in response.get_data(as_text=True)


def test_only_organisers_accredit_many(app, organiser_event):
    _org, ev = organiser_event
    focal, peru = df.focal_point(ev, "PE")
    x = df.delegate(peru)
    with pytest.raises(PermissionDenied):
        services.accredit_many(ev, [x.id], focal)
    assert x.status == "nominated"


# --- PDFs ---------------------------------------------------------------------------------------------

def _pdftotext(data: bytes, *args) -> str:
    import subprocess
    try:
        return subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")


def test_badges_print_two_a_row_eight_a_page(jobs, app, client, auth, organiser_event):
    org, ev = organiser_event
    peru = df.delegation(ev, "PE", quota=20)
    for i in range(9):
        df.delegate(peru, f"Given{i}", f"Family{i}", status="accredited")
    auth.login(org.email)
    pdf, = badge_pdfs(fetch(client, jobs, f"/en/manage/events/{ev.slug}/badges.pdf").data)
    pages = _pdftotext(pdf).split("\f")
    assert sum(1 for p in pages if p.strip()) == 2
    assert sum(f"FAMILY{i}" in pages[0] for i in range(9)) == 8


def test_a_large_delegation_does_not_leave_the_first_page_empty(jobs, app, client, auth, organiser_event):
    org, ev = organiser_event
    colombia = df.delegation(ev, "CO")
    df.delegate(colombia, "Andrés", "Gómez", status="accredited", role="head")
    peru = df.delegation(ev, "PE", quota=60)
    for i in range(45):
        df.delegate(peru, f"Given{i}", f"Familia{i:02d}", status="accredited", commit=False)
    db.session.commit()
    auth.login(org.email)
    pdf = fetch(client, jobs, f"/es/manage/events/{ev.slug}/participants.pdf").data
    first = _pdftotext(pdf, "-f", "1", "-l", "1")
    assert "GÓMEZ" in first and "Perú" in first and "FAMILIA00" in first


def test_organiser_goes_from_a_delegation_to_its_own_queue(app, client, auth, organiser_event):
    org, ev = organiser_event
    peru = df.delegation(ev, "PE")
    colombia = df.delegation(ev, "CO")
    df.delegate(peru, "Rosa", "Huamán")
    df.delegate(colombia, "Luz", "Zuluaga")
    auth.login(org.email)
    page = client.get(f"/en/events/{ev.slug}/delegations/{peru.id}/").get_data(as_text=True)
    assert f"/accreditation?delegation={peru.id}" in page
    queue = client.get(f"/en/manage/events/{ev.slug}/accreditation?delegation={peru.id}").get_data(as_text=True)
    assert "Huamán" in queue and "Zuluaga" not in queue


def test_a_decided_nomination_offers_no_form_to_change_it(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    x = df.delegate(d, "Rosa", "Huamán", status="accredited")
    auth.login(user.email)
    response = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{x.id}/edit")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "already decided and can no longer be changed" in page


def test_statistics_bars_start_after_long_labels(app, client, auth, organiser_event):
    import re
    org, ev = organiser_event
    df.delegate(df.delegation(ev, kind="un_entity", name="UNDP"), role="head")
    df.delegate(df.delegation(ev, kind="igo", name="OECD"), role="head")
    auth.login(org.email)
    page = client.get(f"/fr/manage/events/{ev.slug}/statistics").get_data(as_text=True)
    chart = page[page.index('id="by-kind"'):]
    chart = chart[:chart.index("</svg>")]
    longest = max(len(label) for label in ("Entités des Nations Unies", "Organisations intergouvernementales"))
    starts = [float(x) for x in re.findall(r'<rect x="([0-9.]+)"', chart)]
    assert starts and all(x >= longest * 7 for x in starts)
    widths = [float(w) for w in re.findall(r'<rect x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', chart)]
    assert max(starts) + max(widths) + 60 <= 600


def test_excel_template_offers_drop_downs_in_the_users_language(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    book = load_workbook(io.BytesIO(client.get(f"/es/events/{ev.slug}/delegations/{d.id}/template.xlsx").data))
    sheet = book.active
    lists = {str(v.sqref).split(":")[0][0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert set(lists) == {"A", "D", "H", "I", "J"}
    assert "Excma. Sra." in lists["A"] and "Mujer" in lists["H"] and "Jefe de delegación" in lists["I"] and "En línea" in lists["J"]
    assert "Apellido primero (LI Ming)" in lists["D"]
    assert sheet.freeze_panes == "A2"


def test_a_title_above_the_headers_is_skipped_and_rows_keep_their_numbers(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    content = f.xlsx(["Delegación del Perú — Cumbre 2022"], [], ES_HEADER,
                     ["Sr.", "Ramón", "Cañete", "", "ramon@minrel.gob.pe", "Hombre", "Miembro", "Presencial", ""],
                     ["Sra.", "Begoña", "", "", "begona@minrel.gob.pe", "Mujer", "Miembro", "Presencial", ""])
    page = upload(client, ev, d, content, "peru.xlsx").get_data(as_text=True)
    assert "<td>5</td><td>Apellidos</td>" in page and count() == 0


def test_withdrawn_and_rejected_rows_come_after_those_holding_a_place(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=2)
    df.delegate(d, family="Arana", status="rejected", reason="Not on the list")
    df.delegate(d, family="Bravo", status="withdrawn")
    df.delegate(d, family="Zapata", role="member")
    df.delegate(d, family="Yupanqui", role="head", status="accredited")
    auth.login(user.email)
    page = client.get(f"/es/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    assert page.index("Yupanqui") < page.index("Zapata") < page.index("Arana") < page.index("Bravo")
    # Full: the page says what to do, including asking the organisers for more places.
    assert 'id="quota-full"' in page and "pida más plazas a los organizadores" in page
