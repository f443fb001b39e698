"""The exports of all participants stream: the list's order and content, read a batch at a time.

The CSV and XLSX of the participants, the public list's XLSX and the personal-details CSV read their
people EXPORT_BATCH rows a query (plain column rows) and write each batch before reading the next,
so that memory holds one batch whatever the event's size (issue 7: 100,000 delegates).
"""
import csv
import io
import itertools
import re
import tracemalloc

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dialogue.delegates import details, public_list, queries, services
from dialogue.delegates.models import CredentialsLetter
from dialogue.delegates.services.listing import roster
from dialogue.extensions import db
from dialogue.jobs.kinds import kind_of
from dialogue.jobs.models import Job

from .. import factories as f
from . import factories as df
from .test_details import asking

#: Delegations of several kinds whose names sort differently by language (Pérou, Égypte, États-Unis),
#: with their sizes: more than a batch of 3 (in parts), exactly one, and several small ones together.
WORLD = (("PE", "member_state", 7), ("EG", "member_state", 1), ("US", "member_state", 3), ("CH", "member_state", 2),
         ("DE", "observer_state", 4), (None, "civil_society", 2), (None, "un_entity", 5))
NAMES = ("Núñez", "Ávila", "Zevallos", "Alarcón", "王", "Ødegaard", "Nuñez", "Ñandú", "Avila")


KEYS = itertools.count()


@pytest.fixture(autouse=True)
def _batch_setting(app):
    """Tests set EXPORT_BATCH on the session's app: back to the default after each."""
    yield
    app.config.pop("EXPORT_BATCH", None)


@pytest.fixture
def world(app):
    org = f.user()
    ev = f.event(organiser=org)
    delegations = []
    for i, (code, kind, size) in enumerate(WORLD):
        d = df.delegation(ev, code, kind=kind, name="Réseau Océans" if kind == "civil_society" else "PNUD / UNDP",
                          quota=20)
        for n in range(size):
            role = ("member", "adviser", "alternate", "head")[(n + i) % 4]
            df.delegate(d, ("José", "María", "Ana")[n % 3], NAMES[(n + 2 * i) % len(NAMES)], status="accredited",
                        role=role, salutation="he_ms" if role == "head" else "none", commit=False,
                        function="=cmd|' /C calc'!A0" if n == 1 else "Delegate")
        df.delegate(d, "Hidden", "Pending", status="nominated", commit=False)
        delegations.append(d)
    # Namesakes in one delegation: the id decides.
    df.delegate(delegations[0], "José", "Núñez", status="accredited", commit=False, email="twin@example.org")
    db.session.add_all([CredentialsLetter(delegation=d, sha256="0" * 64, size=1, content_type="application/pdf",
                                          status="in_order") for d in delegations[::2]])
    db.session.commit()
    return org, ev, delegations


def _make(ev, kind, lang="en", params=None, progress=None):
    job = Job(event_id=ev.id, kind=kind, language=lang, params=params or {}, key=f"t-{next(KEYS)}",
              status="running")
    db.session.add(job)
    db.session.flush()
    from flask_babel import force_locale
    with force_locale(lang):
        output = kind_of(job).make(job, progress or (lambda done, total: None))
    output.stream.seek(0)
    return output.stream.read()


def _csv(body: bytes, lang: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter="," if lang == "en" else ";"))


def _xlsx(body: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _expected(ev, lang, in_order=False):
    """(delegation, given name, family name, email) in the order of the list in memory and of its pages."""
    listed = [(name, p.given_name, p.family_name, p.email) for g in services.participants(ev, lang, in_order)
              for _d, name, people in g.delegations for p in people]
    only = (services.credentials_in_order(),) if in_order else ()
    paged, number = [], 1
    while True:
        page = queries.participants_page(ev, lang, number=number, per_page=4, only=only)
        paged += [(b.delegation.name, p.given_name, p.family_name, p.email) for b in page.items for p in b.people]
        if number >= page.pages:
            break
        number += 1
    assert listed == paged
    return listed


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
@pytest.mark.parametrize("in_order", [False, True])
def test_participants_csv_and_xlsx_follow_the_list_batch_by_batch(app, world, count_queries, lang, in_order):
    _org, ev, _delegations = world
    app.config["EXPORT_BATCH"] = 3
    expected = _expected(ev, lang, in_order)
    params = {"credentials": "in_order"} if in_order else {}
    reports = []
    with count_queries() as counted:
        body = _make(ev, "participants_csv", lang, params, progress=lambda done, total: reports.append((done, total)))
    rows = _csv(body, lang)
    assert [(r[1], r[4], r[5], r[7]) for r in rows[1:]] == expected
    assert len(rows) - 1 == len(expected) == reports[0][1] and reports[0][0] == 0
    assert "Hidden" not in body.decode("utf-8-sig")
    assert any(r[6].startswith("'=cmd") for r in rows)  # formulas still neutralised
    # Read a batch at a time: several statements read the people, none more than the batch (below).
    people = [s for s in counted.statements if re.search(r"delegate\.badge_code", s)]
    assert len(people) >= len(expected) // 3
    sheet = _xlsx(_make(ev, "participants_xlsx", lang, params))
    assert [[str(v) for v in r] for r in sheet] == [[c.lstrip("'") if c.startswith("'=") else c for c in r] for r in rows]
    app.config["EXPORT_BATCH"] = 1000  # one batch: the same file
    assert _make(ev, "participants_csv", lang, params) == body


def test_csv_is_the_file_the_list_in_memory_made(app, world):
    """Byte for byte what the export made from `services.participants` before it streamed."""
    from dialogue.delegates.jobs import participant_rows
    from dialogue.delegates.labels import ATTENDANCE_LABELS, KIND_LABELS, gendered_label
    from dialogue.spreadsheet_safety import safe_writer
    _org, ev, _delegations = world
    app.config["EXPORT_BATCH"] = 2
    job = Job(event_id=ev.id, kind="participants_csv", language="es", params={}, key="t", status="running")
    from flask_babel import force_locale
    with force_locale("es"):
        out = io.StringIO()
        writer = safe_writer(out, delimiter=";")
        rows = participant_rows(job, lambda done, total: None)
        writer.writerow(next(rows))
        for g in services.participants(ev, "es"):
            for _d, name, people in g.delegations:
                for p in people:
                    writer.writerow([str(KIND_LABELS[g.kind]), name, gendered_label("role", p.role, p.gender),
                                     gendered_label("salutation", p.salutation, p.gender), p.given_name, p.family_name,
                                     p.function, p.email, str(ATTENDANCE_LABELS.get(p.attendance, p.attendance)),
                                     services.person_name(p), p.native_name])
    assert _make(ev, "participants_csv", "es") == ("\ufeff" + out.getvalue()).encode()


def test_people_are_read_in_batches_of_at_most_the_setting(app, world, count_queries):
    _org, ev, delegations = world
    for size in (1, 2, 3, 5):
        listed = roster(ev, "en", batch=size)
        with count_queries() as counted:
            batches = list(listed.batches)
        sizes = [sum(len(people) for _d, people in batch) for batch in batches]
        assert max(sizes) <= size and sum(sizes) == listed.total == sum(n for _c, _k, n in WORLD) + 1
        assert len(batches) >= -(-listed.total // size) and len(batches) > 1
        # One statement a batch, plus the pages of sort keys of the delegations larger than a batch.
        larger = [n + (i == 0) for i, (_c, _k, n) in enumerate(WORLD) if n + (i == 0) > size]
        assert counted.count == len(batches) + sum(n // size + 1 for n in larger)
    # Peru (8 people) with a batch of 3 comes in three parts, in the list's order.
    parts = [people for batch in roster(ev, "en", batch=3).batches for d, people in batch if d.id == delegations[0].id]
    assert [len(p) for p in parts] == [3, 3, 2]
    whole = [p for g in services.participants(ev, "en") for d, _n, people in g.delegations
             if d.id == delegations[0].id for p in people]
    assert [p.id for part in parts for p in part] == [p.id for p in whole]


def _grow(ev, delegations, n):
    for i, d in enumerate(delegations):
        for k in range(n):
            df.delegate(d, f"Given{k}", f"Family{i}-{k}", status="accredited", commit=False,
                        function="Ministry of Foreign Affairs and International Co-operation " * 3)
    db.session.commit()


def test_memory_does_not_grow_with_the_event(app, world):
    """The peak of Python's allocations while making the CSV stays put when the event grows tenfold."""
    _org, ev, delegations = world
    app.config["EXPORT_BATCH"] = 20

    def peak():
        _make(ev, "participants_csv")
        tracemalloc.start()
        _make(ev, "participants_csv")
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    _grow(ev, delegations, 6)
    small = peak()
    _grow(ev, delegations, 60)
    large = peak()
    # Ten times the people (about 500 against 50 rows of ~300 bytes): the old list held them all.
    assert large < small * 1.5 + 64 * 1024, (small, large)


def test_public_xlsx_streams_the_order_of_the_published_list(app, world):
    from flask_babel import force_locale

    from dialogue.delegates.labels import KIND_LABELS
    _org, ev, _delegations = world
    app.config["EXPORT_BATCH"] = 2
    with force_locale("fr"):
        expected = [[str(KIND_LABELS[c.kind]), name, public_list.display_name(p), p.function]
                    for c in public_list.categories(ev, "fr") for name, people in c.delegations for p in people]
    reports = []
    sheet = _xlsx(_make(ev, "public_participants_xlsx", "fr", progress=lambda d, t: reports.append((d, t))))
    assert sheet[0] == ["Catégorie", "Délégation", "Nom", "Fonction"] and sheet[1:] == expected
    assert reports[0] == (0, len(expected)) and reports[-1][0] == len(expected) and len(reports) > 1
    for row in sheet[1:]:  # never an email: the public columns only
        assert not any("@example.org" in str(v) for v in row)


def test_personal_details_csv_in_pages_by_name(app, world, count_queries):
    _org, ev, delegations = world
    asking(ev)
    people = db.session.scalars(select(services.Delegate).where(services.Delegate.event_id == ev.id,
                                                                 services.Delegate.status == "accredited")).all()
    for i, person in enumerate(people):
        details.save_details(person, {"document_number": f"X{i:04d}", "visa_letter": i % 2 == 0}, "en")
    db.session.commit()
    app.config["EXPORT_BATCH"] = 4
    reports = []
    with count_queries() as counted:
        rows = _csv(_make(ev, "personal_details_csv", "en", {"fields": ["document_number", "visa_letter"]},
                          progress=lambda d, t: reports.append((d, t))), "en")
    ordered = sorted(people, key=lambda p: (p.sort_name, p.id))
    assert [r[:3] for r in rows[1:]] == [[p.given_name, p.family_name, p.email] for p in ordered]
    assert {r[4] for r in rows[1:]} == {"Yes", "No"}
    # One sorted query, fetched a page of 4 at a time: progress after each page.
    assert len([s for s in counted.statements if "delegate_details.document_number" in s]) == 1
    assert reports == [(0, len(people))] + [(min(n, len(people)), len(people)) for n in range(4, len(people) + 4, 4)]
    from dialogue.delegates.details_jobs import _details
    total, pages = _details(ev.id, {}, ["visa_letter"])
    sizes = [len(page) for page in pages]
    assert total == sum(sizes) == len(people) and max(sizes) == 4 and len(sizes) == -(-len(people) // 4)


def test_worker_writes_progress_between_batches_and_finishes(jobs, app, client, auth, world):
    """Through the real worker: its progress is written (another connection) while a batch's cursor is open."""
    from ..workers import fetch
    org, ev, _delegations = world
    asking(ev)
    for i, person in enumerate(db.session.scalars(select(services.Delegate).where(services.Delegate.event_id == ev.id))):
        details.save_details(person, {"document_number": f"X{i:04d}"}, "en")
    db.session.commit()
    app.config["EXPORT_BATCH"] = 2
    auth.login(org.email)
    for url in ("participants.csv", "participants.xlsx", "personal-data.csv?field=document_number"):
        assert fetch(client, jobs, f"/en/manage/events/{ev.slug}/{url}").status_code == 200
    db.session.expire_all()
    made = db.session.scalars(select(Job).where(Job.event_id == ev.id)).all()
    assert len(made) == 3 and all(j.status == "done" and j.done == j.total > 10 for j in made)
