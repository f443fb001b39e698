"""Names in their own order: "LI Ming" for family-given, "María LÓPEZ" for given-family, on pages, lists,
files, mails and import templates, with the name in the person's own script beside them."""
import csv
import io

import pytest
from openpyxl import load_workbook

from dialogue.auth import grant_role
from dialogue.delegates import services
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.models import OutboxMessage

from .. import factories as f
from ..workers import fetch
from . import factories as df

FORM = {"salutation": "mr", "given_name": "Ming", "family_name": "Li", "email": "li@example.org", "gender": "male",
        "role": "member", "attendance": "in_person"}


def test_family_name_first_for_cjk_names_given_name_first_otherwise(app):
    assert services.suggested_order("明", "李") == "family_given"
    assert services.suggested_order("Ming", "Li", "李明") == "family_given"
    assert services.suggested_order("민준", "김") == "family_given"
    assert services.suggested_order("María", "López") == "given_family"
    assert services.suggested_order("محمد", "العلي") == "given_family"


def test_person_name_prints_the_family_name_in_capitals_in_its_place(app):
    li = Delegate(given_name="Ming", family_name="Li", name_order="family_given")
    maria = Delegate(given_name="María", family_name="López", name_order="given_family")
    assert services.person_name(li) == "LI Ming"
    assert services.person_name(maria, "Ms.") == "Ms. María LÓPEZ"
    assert services.plain_name(li) == "Li Ming"


def test_existing_and_api_nominations_default_to_given_name_first_unless_cjk(app):
    ev = f.event()
    user, d = df.focal_point(ev)
    ana = services.nominate(d, {"given_name": "Ana", "family_name": "Pérez", "email": "a@example.org"}, user)
    wang = services.nominate(d, {"given_name": "丽", "family_name": "王", "email": "w@example.org"}, user)
    assert (ana.name_order, wang.name_order) == ("given_family", "family_given")
    with pytest.raises(services.DelegationError):
        services.nominate(d, {"given_name": "X", "family_name": "Y", "email": "x@example.org", "name_order": "up"}, user)


def test_form_takes_the_order_and_the_own_script_name_and_pages_print_them(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    response = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/new",
                           data=FORM | {"name_order": "family_given", "native_name": "李明"})
    assert response.status_code == 302
    page = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    # The family name first, marked to be set in capitals (CSS), as typed underneath.
    assert 'Mr. <span class="family-name">Li</span> Ming' in page and "李明" in page
    delegate = db.session.query(Delegate).one()
    form = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{delegate.id}/edit").get_data(as_text=True)
    assert '<option selected value="family_given">' in form and 'value="李明"' in form


def test_lists_files_and_mails_print_each_person_their_way(jobs, app, client, auth):
    org = f.user()
    ev = f.event()
    grant_role(org, ev, "organiser")
    user, d = df.focal_point(ev, "CN")
    li = df.delegate(d, "Ming", "Li", name_order="family_given", native_name="李明", gender="male")
    df.delegate(d, "María", "López", status="accredited", role="head")
    services.accredit(li, org)
    db.session.commit()
    mail = db.session.query(OutboxMessage).filter(OutboxMessage.recipient == user.email).one()
    assert "LI Ming" in mail.subject and "LI Ming" in mail.body
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/participants").get_data(as_text=True)
    assert "LI Ming" in page and "María LÓPEZ" in page and "李明" in page
    rows = list(csv.reader(io.StringIO(fetch(client, jobs, f"/en/manage/events/{ev.slug}/participants.csv")
                                       .data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Name as written", "Name in own script"]
    assert {tuple(r[-2:]) for r in rows[1:]} == {("LI Ming", "李明"), ("María LÓPEZ", "")}
    book = load_workbook(io.BytesIO(fetch(client, jobs, f"/es/manage/events/{ev.slug}/participants.xlsx").data))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert ["LI Ming", "李明"] in [row[-2:] for row in values]
    import subprocess
    pdf = fetch(client, jobs, f"/fr/manage/events/{ev.slug}/participants.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "LI Ming" in text and "María LÓPEZ" in text


@pytest.mark.parametrize("lang,header,value", [("fr", "Ordre du nom", "Nom de famille d’abord (LI Ming)"),
                                               ("es", "Orden del nombre", "Apellido primero (LI Ming)"),
                                               ("en", "Name order", "Family name first (LI Ming)")])
def test_import_template_has_the_new_columns_and_reads_them_back(app, client, auth, lang, header, value):
    from dialogue.delegates import spreadsheets
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    body = client.get(f"/{lang}/events/{ev.slug}/delegations/{d.id}/template.csv").data.decode("utf-8-sig")
    assert header in body.splitlines()[0]
    book = load_workbook(io.BytesIO(client.get(f"/{lang}/events/{ev.slug}/delegations/{d.id}/template.xlsx").data))
    assert header in [c.value for c in book.active[1]]
    sep = "," if lang == "en" else ";"
    rows = spreadsheets.read_rows("d.csv", (sep.join(["Given name", "Family name", header, "Email"]) + "\n"
                                            + sep.join(["Ming", "Li", value, "li@example.org"]) + "\n").encode())
    assert rows[0][1]["name_order"] == "family_given"
