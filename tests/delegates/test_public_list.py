"""The public provisional list of participants: published by the organisers, only published fields."""
import io
import subprocess

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import AuditEntry

from .. import factories as f
from ..workers import fetch
from . import factories as df

SECRET_EMAIL = "private.person@example.org"


@pytest.fixture
def listed(organiser_event):
    """An event with an organiser, accredited delegates of two categories, and one still nominated."""
    org, ev = organiser_event
    peru = df.delegation(ev, "PE")
    df.delegate(peru, "Rosa", "Alarcón", status="accredited", role="head", salutation="he_ms",
                function="Ministra de Relaciones Exteriores", email=SECRET_EMAIL)
    df.delegate(peru, "Ana", "Zevallos", status="accredited", function="Adviser")
    df.delegate(peru, "Hidden", "Pending", status="nominated")
    undp = df.delegation(ev, kind="un_entity", name="UNDP")
    df.delegate(undp, "Li", "王", status="accredited", function="=HYPERLINK(\"http://evil\")")
    return org, ev


def _publish(client, auth, org, ev, action="publish"):
    auth.login(org.email)
    response = client.post(f"/en/manage/events/{ev.slug}/participants/publication", data={"action": action})
    auth.logout()
    return response


def test_unpublished_list_is_404_for_the_public_and_a_preview_for_organisers(app, client, auth, listed):
    org, ev = listed
    for url in (f"/en/events/{ev.slug}/participants/", f"/en/events/{ev.slug}/participants.pdf",
                f"/en/events/{ev.slug}/participants.xlsx"):
        assert client.get(url).status_code == 404
    assert "participants/" not in client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    auth.login(org.email)
    page = client.get(f"/en/events/{ev.slug}/participants/")
    assert page.status_code == 200 and "Preview" in page.get_data(as_text=True)


def test_organisers_publish_and_unpublish_and_both_are_audited(app, client, auth, listed):
    org, ev = listed
    assert _publish(client, auth, org, ev).status_code == 302
    event_page = client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    assert f"/en/events/{ev.slug}/participants/" in event_page
    page = client.get(f"/en/events/{ev.slug}/participants/")
    assert page.status_code == 200
    _publish(client, auth, org, ev, "unpublish")
    assert client.get(f"/en/events/{ev.slug}/participants/").status_code == 404
    assert f"/en/events/{ev.slug}/participants/" not in client.get(f"/en/events/{ev.slug}/").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == ev.id)).all()
    assert actions.count("participants.publish") == 1 and actions.count("participants.unpublish") == 1


def test_only_organisers_publish(app, client, auth, listed):
    _org, ev = listed
    outsider, _d = df.focal_point(ev, "CL")
    auth.login(outsider.email)
    assert client.post(f"/en/manage/events/{ev.slug}/participants/publication",
                       data={"action": "publish"}).status_code == 403
    db.session.refresh(ev)
    assert ev.participants_published_at is None


@pytest.mark.parametrize("lang,heading,country", [("fr", "États membres", "Pérou"), ("es", "Estados miembros", "Perú"),
                                                  ("en", "Member states", "Peru")])
def test_public_page_by_category_and_delegation_without_personal_details(app, client, auth, listed, lang, heading,
                                                                          country):
    org, ev = listed
    _publish(client, auth, org, ev)
    page = client.get(f"/{lang}/events/{ev.slug}/participants/").get_data(as_text=True)
    assert page.index(heading) < page.index(country) < page.index("ALARCÓN") < page.index("ZEVALLOS") < page.index("UNDP")
    assert "Ministra de Relaciones Exteriores" in page and "王" in page
    assert SECRET_EMAIL not in page and "@example.org" not in page and "Pending" not in page


@pytest.mark.parametrize("lang,heading,country", [("fr", "États membres", "Pérou"), ("es", "Estados miembros", "Perú"),
                                                  ("en", "Member states", "Peru")])
def test_public_pdf_and_xlsx_carry_only_published_fields(jobs, app, client, auth, listed, lang, heading, country,
                                                         pdfua):
    from openpyxl import load_workbook
    org, ev = listed
    _publish(client, auth, org, ev)
    pdf = fetch(client, jobs, f"/{lang}/events/{ev.slug}/participants.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert heading in text and country in text and "ALARCÓN" in text and "Ministra de Relaciones Exteriores" in text
    assert SECRET_EMAIL not in text and "@" not in text and "Pending" not in text
    pdfua("list", pdf.data)

    xlsx = fetch(client, jobs, f"/{lang}/events/{ev.slug}/participants.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    assert len(rows[0]) == 4 and all(len(r) == 4 for r in rows)
    cells = [str(v) for r in rows for v in r if v is not None]
    assert not any("@" in c for c in cells) and "Pending" not in " ".join(cells)
    assert [r[1] for r in rows[1:]] == [country, country, "UNDP"]
    assert "ALARCÓN" in rows[1][2]
    # A function that looks like a formula stays text.
    formula = next(c for row in book.active.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"


def test_unpublished_list_files_stay_private_even_once_made(jobs, app, client, auth, listed):
    org, ev = listed
    _publish(client, auth, org, ev)
    assert fetch(client, jobs, f"/en/events/{ev.slug}/participants.xlsx").status_code == 200
    _publish(client, auth, org, ev, "unpublish")
    assert client.get(f"/en/events/{ev.slug}/participants.xlsx").status_code == 404


def _build(ev, delegations, each):
    codes = ("PE", "PL", "PA", "EG", "AE", "US", "ES", "EC")
    for i in range(delegations):
        df.many_delegates(df.delegation(ev, codes[i]), each)


def test_public_page_takes_a_fixed_number_of_queries(app, client, count_queries):
    small, large = f.event(), f.event()
    small.participants_published_at = large.participants_published_at = f.event().created_at
    db.session.commit()
    _build(small, 1, 2)
    _build(large, 8, 40)
    with count_queries() as few:
        assert client.get(f"/en/events/{small.slug}/participants/").status_code == 200
    with count_queries() as many:
        assert client.get(f"/en/events/{large.slug}/participants/?page=2").status_code == 200
    assert few.count == many.count <= 6
