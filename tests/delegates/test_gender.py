"""Labels that agree with the person: roles and salutations in the feminine for women, in every output."""
import csv
import io
import subprocess

import pytest
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.delegates.models import Delegate
from dialogue.extensions import db

from .. import factories as f
from ..workers import badge_pdfs, fetch
from . import factories as df


@pytest.fixture
def peru(organiser_event):
    org, ev = organiser_event
    user, d = df.focal_point(ev, "PE")
    df.delegate(d, "Rosa", "Alarcón", status="accredited", role="head", gender="female", salutation="dr")
    df.delegate(d, "Ana", "Quispe", status="accredited", role="adviser", gender="female", salutation="ms")
    df.delegate(d, "Eva", "Ramos", status="nominated", role="alternate", gender="female")
    df.delegate(d, "Pedro", "Soto", status="accredited", role="alternate", gender="male", salutation="dr")
    df.delegate(d, "Kim", "Lee", status="accredited", role="adviser", gender="undisclosed", salutation="prof")
    return org, user, ev, d


def _pdf_text(data: bytes) -> str:
    try:
        return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")


def test_participants_page_csv_and_pdf_use_feminine_forms_for_women(jobs, app, client, auth, peru):
    org, _user, ev, _d = peru
    auth.login(org.email)
    page = client.get(f"/es/manage/events/{ev.slug}/participants").get_data(as_text=True)
    assert "Dra. <bdi>Rosa ALARCÓN</bdi>" in page and "(Jefa de delegación)" in page and "Jefe de delegación" not in page
    assert "Dr. <bdi>Pedro SOTO</bdi>" in page
    rows = list(csv.reader(io.StringIO(fetch(client, jobs, f"/es/manage/events/{ev.slug}/participants.csv")
                                       .data.decode("utf-8-sig")), delimiter=";"))
    by_name = {r[4]: r for r in rows[1:]}
    assert by_name["Rosa"][2:4] == ["Jefa de delegación", "Dra."]
    assert by_name["Ana"][2:4] == ["Asesora", "Sra."]
    assert by_name["Pedro"][2:4] == ["Suplente", "Dr."]
    assert by_name["Kim"][2:4] == ["Asesor", "Prof."]
    french = list(csv.reader(io.StringIO(fetch(client, jobs, f"/fr/manage/events/{ev.slug}/participants.csv")
                                         .data.decode("utf-8-sig")), delimiter=";"))
    by_name = {r[4]: r for r in french[1:]}
    assert by_name["Rosa"][2] == "Cheffe de délégation" and by_name["Ana"][2] == "Conseillère"
    assert by_name["Pedro"][2] == "Suppléant" and by_name["Kim"][2] == "Conseiller"
    text = _pdf_text(fetch(client, jobs, f"/fr/manage/events/{ev.slug}/participants.pdf").data)
    assert "Cheffe de délégation" in text and "Chef de délégation" not in text
    text = _pdf_text(fetch(client, jobs, f"/es/manage/events/{ev.slug}/participants.pdf").data)
    assert "Dra. Rosa ALARCÓN" in text and "Jefa de delegación" in text


def test_badges_check_page_queue_and_focal_point_page_agree_with_the_delegate(jobs, app, client, auth, peru):
    org, user, ev, d = peru
    auth.login(org.email)
    text = "".join(_pdf_text(pdf) for pdf in badge_pdfs(fetch(client, jobs, f"/fr/manage/events/{ev.slug}/badges.pdf").data))
    # Badge roles are set in capitals.
    assert "CHEFFE DE DÉLÉGATION" in text and "CONSEILLÈRE" in text and "SUPPLÉANT" in text
    rosa = db.session.scalar(select(Delegate).where(Delegate.given_name == "Rosa"))
    check = client.get(f"/es/manage/events/{ev.slug}/badges/{rosa.badge_code}").get_data(as_text=True)
    assert "Dra. Rosa ALARCÓN" in check and "Jefa de delegación" in check
    queue = client.get(f"/fr/manage/events/{ev.slug}/accreditation").get_data(as_text=True)
    assert "Suppléante" in queue
    auth.login(user.email)
    mine = client.get(f"/es/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    assert "Jefa de delegación" in mine and "Asesora" in mine and "Dra." in mine and "Asesor<" in mine


def test_import_reads_feminine_and_masculine_labels(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=10)
    auth.login(user.email)
    content = ("Tratamiento;Nombre;Apellidos;Correo electrónico;Género;Función en la delegación\n"
               "Dra.;Rosa;Alarcón;rosa@example.org;Mujer;Jefa de delegación\n"
               "Prof.ª;Ana;Quispe;ana@example.org;Mujer;Asesora\n"
               "Dr;Pedro;Soto;pedro@example.org;Homme;Conseiller\n"
               "Pr;Léa;Blanc;lea@example.org;Femme;Conseillère\n").encode()
    response = client.post(f"/es/events/{ev.slug}/delegations/{d.id}/import",
                           data={"file": (io.BytesIO(content), "d.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    got = {x.given_name: (x.salutation, x.role, x.gender) for x in db.session.scalars(select(Delegate))}
    assert got == {"Rosa": ("dr", "head", "female"), "Ana": ("prof", "adviser", "female"),
                   "Pedro": ("dr", "adviser", "male"), "Léa": ("prof", "adviser", "female")}


def test_accreditation_mails_and_messages_agree_with_the_delegate(app, client, auth):
    from dialogue.models import OutboxMessage
    org = f.user()
    ev = f.event()
    grant_role(org, ev, "organiser")
    user, d = df.focal_point(ev, "PE")
    user.locale = "fr"
    db.session.commit()
    people = {name: df.delegate(d, name, "Quispe", gender=gender)
              for name, gender in (("Ana", "female"), ("Pedro", "male"), ("Kim", "undisclosed"))}
    auth.login(org.email)
    for x in people.values():
        client.post(f"/es/manage/events/{ev.slug}/delegates/{x.id}/accredit")
    with client.session_transaction() as s:
        flashed = [m for _c, m in s.get("_flashes", [])]
    assert flashed[-3:] == ["Ana Quispe está acreditada.", "Pedro Quispe está acreditado.", "Kim Quispe está acreditado/a."]
    mails = {m.subject.split(" ")[0]: m for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == user.email))}
    # Mails print the name as UN lists do: family name in capitals.
    assert "Ana QUISPE est accréditée à" in mails["Ana"].subject and "est accréditée à l’événement" in mails["Ana"].body
    assert "Pedro QUISPE est accrédité à" in mails["Pedro"].subject and "est accrédité à l’événement" in mails["Pedro"].body
    assert "Kim QUISPE est accrédité·e à" in mails["Kim"].subject
    auth.login(user.email)
    client.post(f"/es/events/{ev.slug}/delegations/{d.id}/delegates/new", data={
        "given_name": "Eva", "family_name": "Ramos", "email": "eva@example.org", "gender": "female", "role": "member",
        "attendance": "in_person", "salutation": "ms"})
    with client.session_transaction() as s:
        assert "Eva Ramos ha sido designada." in [m for _c, m in s.get("_flashes", [])]
