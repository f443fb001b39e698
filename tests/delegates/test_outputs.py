"""What comes out: participants list (page, CSV, PDF), badges, their check, statistics."""
import csv
import io

import pytest

from dialogue.delegates import services
from dialogue.extensions import db

from .. import factories as f
from ..workers import badge_pdfs, fetch
from . import factories as df

#: Countries whose names sort differently by language: Pérou/Perú/Peru, Égypte, Émirats, États-Unis...
CODES = ("PE", "PL", "PA", "EG", "AE", "US", "ES", "EC", "CH", "DE")


def names_in_order(groups):
    return [name for g in groups for _d, name, _p in g.delegations]


def test_delegations_sort_in_the_alphabet_of_each_language(app, organiser_event):
    _org, ev = organiser_event
    for code in CODES:
        d = df.delegation(ev, code)
        df.delegate(d, status="accredited")
    for lang in ("fr", "es", "en"):
        names = names_in_order(services.participants(ev, lang))
        expected = sorted(names, key=lambda n: services.collation_key(n, lang))
        assert names == expected
    fr = names_in_order(services.participants(ev, "fr"))
    # Accented capitals file with their letter, not after Z as a byte sort would put them.
    assert fr.index("Égypte") < fr.index("Équateur") < fr.index("Espagne") < fr.index("États-Unis") < fr.index("Panama")
    assert fr.index("Panama") < fr.index("Pérou") < fr.index("Pologne") < fr.index("Suisse")
    es = names_in_order(services.participants(ev, "es"))
    assert es.index("Panamá") < es.index("Perú") < es.index("Polonia")
    assert es.index("Egipto") < es.index("Emiratos Árabes Unidos") < es.index("España") < es.index("Estados Unidos")
    en = names_in_order(services.participants(ev, "en"))
    assert en.index("Panama") < en.index("Peru") < en.index("Poland")


def test_spanish_sorts_enye_after_n(app):
    keys = sorted(["Ñandú", "Nuñez", "Oca", "Nzé"], key=lambda n: services.collation_key(n, "es"))
    assert keys == ["Nuñez", "Nzé", "Ñandú", "Oca"]


def test_participants_grouped_by_kind_heads_first_only_accredited(jobs, app, client, auth, organiser_event):
    org, ev = organiser_event
    peru = df.delegation(ev, "PE")
    df.delegate(peru, "Ana", "Zevallos", status="accredited", role="member")
    df.delegate(peru, "Rosa", "Alarcón", status="accredited", role="head", salutation="he_ms")
    df.delegate(peru, "Hidden", "Pending", status="nominated")
    undp = df.delegation(ev, kind="un_entity", name="UNDP")
    df.delegate(undp, "Li", "王", status="accredited")
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/participants").get_data(as_text=True)
    assert page.index("Member states") < page.index("Peru") < page.index("United Nations entities") < page.index("UNDP")
    assert page.index("ALARCÓN") < page.index("ZEVALLOS")
    assert "Pending" not in page
    # Semicolons in Spanish and French: what Excel in those languages reads as columns.
    rows = list(csv.reader(io.StringIO(fetch(client, jobs, f"/es/manage/events/{ev.slug}/participants.csv").data.decode("utf-8-sig")),
                           delimiter=";"))
    assert [r[5] for r in rows[1:]] == ["Alarcón", "Zevallos", "王"]
    assert rows[1][1] == "Perú"
    english = fetch(client, jobs, f"/en/manage/events/{ev.slug}/participants.csv").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(english)))[1][1] == "Peru"


@pytest.mark.parametrize("lang,country", [("fr", "Pérou"), ("es", "Perú"), ("en", "Peru")])
def test_participants_pdf_and_badges_in_each_language(jobs, app, client, auth, organiser_event, lang, country):
    import subprocess
    org, ev = organiser_event
    peru = df.delegation(ev, "PE")
    df.delegate(peru, "María José", "Núñez", status="accredited", role="head")
    df.delegate(peru, "محمد", "العلي", status="accredited")
    auth.login(org.email)
    pdf = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/participants.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    badges = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/badges.pdf")
    assert badges.status_code == 200 and badges.mimetype == "application/zip"
    assert [pdf[:4] for pdf in badge_pdfs(badges.data)] == [b"%PDF"]
    try:
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert country in text and "NÚÑEZ" in text


def test_badge_check_page(app, client, auth, organiser_event):
    org, ev = organiser_event
    peru = df.delegation(ev, "PE")
    d = df.delegate(peru, "Rosa", "Huamán", status="accredited")
    auth.login(org.email)
    ok = client.get(f"/es/manage/events/{ev.slug}/badges/{d.badge_code}")
    assert ok.status_code == 200 and "HUAMÁN" in ok.get_data(as_text=True)
    assert client.get(f"/es/manage/events/{ev.slug}/badges/forged").status_code == 404


def test_statistics_count_kinds_and_gender_of_delegates_and_heads(app, client, auth, organiser_event):
    org, ev = organiser_event
    peru = df.delegation(ev, "PE")
    df.delegate(peru, role="head", gender="female", status="accredited")
    df.delegate(peru, gender="male")
    csn = df.delegation(ev, kind="civil_society", name="Red de la sociedad civil")
    df.delegate(csn, role="head", gender="male")
    df.delegate(csn, gender="female", status="withdrawn")
    stats = services.statistics(ev, "en")
    assert stats["total"] == 3
    assert dict(stats["by_kind"]) == {"member_state": 2, "civil_society": 1}
    assert dict(stats["gender"])["female"] == 1 and dict(stats["heads"]) == {"female": 1, "male": 1, "other": 0, "undisclosed": 0}
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/statistics").get_data(as_text=True)
    assert "<svg" in page and "Gender balance of heads of delegation" in page and "Red de la sociedad civil" in page


def _build(ev, delegations, each):
    for i in range(delegations):
        d = df.delegation(ev, CODES[i])
        df.many_delegates(d, each)


def test_participants_list_takes_a_fixed_number_of_queries(jobs, app, client, auth, organiser_event, count_queries):
    org, ev = organiser_event
    auth.login(org.email)
    _build(ev, 1, 2)
    with count_queries() as small:
        assert client.get(f"/en/manage/events/{ev.slug}/participants").status_code == 200
    with count_queries() as small_csv:
        fetch(client, jobs, f"/en/manage/events/{ev.slug}/participants.csv")
    ev2 = f.event(organiser=org)
    _build(ev2, 8, 40)
    with count_queries() as large:
        assert client.get(f"/en/manage/events/{ev2.slug}/participants").status_code == 200
    with count_queries() as large_csv:
        fetch(client, jobs, f"/en/manage/events/{ev2.slug}/participants.csv")
    assert small.count == large.count <= 6
    assert small_csv.count == large_csv.count


def test_delegation_page_takes_a_fixed_number_of_queries(app, client, auth, count_queries):
    ev = f.event()
    for code in ("WS1", "WS2"):
        f.session(ev, code)
    user, small = df.focal_point(ev, "PE", quota=500)
    large = df.delegation(ev, "CO", quota=500, focal_point=user)
    df.many_delegates(small, 1, status="nominated")
    df.many_delegates(large, 200, status="nominated")
    from dialogue.delegates.models import SessionRegistration
    for d in large.delegates:
        db.session.add(SessionRegistration(delegate=d, session=ev.sessions[0]))
    db.session.commit()
    auth.login(user.email)
    with count_queries() as few:
        assert client.get(f"/en/events/{ev.slug}/delegations/{small.id}/").status_code == 200
    with count_queries() as many:
        assert client.get(f"/en/events/{ev.slug}/delegations/{large.id}/").status_code == 200
    assert few.count == many.count <= 10
