"""The participants list PDFs made in parts by several tasks: one tagged PDF with everyone once, in order,
numbered "Page i of N" on every page, one structure tree and one outline; each part reads only its own
delegations; a failed part is named and the others kept; the public list still prints no email."""
from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest
import weasyprint
from flask_babel import force_locale
from sqlalchemy import event as sa_event
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.delegates.jobs import ParticipantsPDF
from dialogue.delegates.models import Delegation
from dialogue.delegates.public_list import PublicListPDF
from dialogue.extensions import db
from dialogue.jobs.models import Job, JobChunk

from .. import factories as f
from ..workers import fetch
from . import factories as df

PAGE = {"en": "Page {} of {}", "fr": "Page {} sur {}", "es": "Página {} de {}"}
CONTINUED = {"en": "Peru (continued)", "fr": "Pérou (suite)", "es": "Perú (continuación)"}


@pytest.fixture
def small_parts(app):
    app.config["LIST_PER_CHUNK"] = 4
    yield
    app.config["LIST_PER_CHUNK"] = None


@pytest.fixture
def roster(app):
    """Chile (2) and Peru (7, more than a part of 4) among member states, UNDP (1) among UN entities:
    parts [Chile], [Peru 1-4], [Peru 5-7, UNDP]. Family names say who is who: PE00 is Peru's head."""
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    for delegation, code, n in ((df.delegation(ev, "PE", quota=20), "PE", 7), (df.delegation(ev, "CL"), "CL", 2),
                                (df.delegation(ev, kind="un_entity", name="UNDP"), "UN", 1)):
        for i in range(n):
            df.delegate(delegation, f"Given{i}", f"{code}{i:02d}", status="accredited", role="head" if i == 0 else "member",
                        email=f"secret-{code}{i:02d}@example.org", commit=False)
    db.session.commit()
    return org, ev


def pages_text(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "list.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def people(text: str) -> list[str]:
    return re.findall(r"\b(?:PE|CL|UN)\d\d\b", text)


def outline(pdf: pikepdf.Pdf) -> list:
    with pdf.open_outline() as found:
        def titles(items):
            return [(item.title, titles(item.children)) for item in items]
        return titles(found.root)


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_a_list_in_several_parts_is_one_tagged_pdf_with_everyone_once_in_order(
        jobs, app, client, auth, roster, small_parts, pdfua, tmp_path, lang):
    org, ev = roster
    auth.login(org.email)
    pdf = fetch(client, jobs, f"/{lang}/manage/events/{ev.slug}/participants.pdf").data
    assert len(db.session.scalars(select(JobChunk)).all()) == 3
    pdfua(f"list-{lang}", pdf)

    pages = pages_text(pdf, tmp_path)
    everyone = people("".join(pages))
    assert everyone == ["CL00", "CL01", "PE00", "PE01", "PE02", "PE03", "PE04", "PE05", "PE06", "UN00"]
    assert len(pages) >= 3  # a part starts on a new page
    for number, text in enumerate(pages, start=1):
        assert PAGE[lang].format(number, len(pages)) in text, (number, text)
        assert sum(PAGE[lang].split(" ")[0] in line for line in text.splitlines()) == 1  # one page number a page
    whole = "".join(pages)
    assert CONTINUED[lang] in whole and whole.count(CONTINUED[lang]) == 1

    with pikepdf.open(tmp_path / f"list-{lang}.pdf") as merged:
        pages_found = {page.objgen for page in merged.pages}
        assert sum(1 for o in merged.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Page") \
            == len(merged.pages) == len(pages)  # the structure's copy made no second copy of a page
        tree = merged.Root.StructTreeRoot
        assert len(tree.K) == 1 and tree.K[0].S == "/Document"
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(tree.ParentTreeNextKey) > keys[-1]
        assert all(int(page.obj.StructParents) in keys for page in merged.pages)
        elements = 0

        def walk(element, parent):
            nonlocal elements
            elements += 1
            assert element.P.objgen == parent.objgen
            if "/Pg" in element:
                assert element.Pg.objgen in pages_found
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid, element)
        walk(tree.K[0], tree)
        assert elements > 30
        marked = {page.objgen for key, value in zip(keys, [nums[i] for i in range(1, len(nums), 2)], strict=True)
                  if isinstance(value, pikepdf.Array) for element in value
                  if isinstance(element, pikepdf.Dictionary) and "/Pg" in element for page in [element.Pg]}
        assert marked == pages_found  # the structure reaches every page
        assert merged.Root.Lang == lang and merged.Root.MarkInfo.Marked
        with force_locale(lang):
            from dialogue.delegates.labels import KIND_PLURALS
            from dialogue.delegates.services import delegation_name
            title = str(ParticipantsPDF().heading(Job(language=lang)))
            members, un = str(KIND_PLURALS["member_state"]), str(KIND_PLURALS["un_entity"])
        peru = CONTINUED[lang].split(" (")[0]
        chile = delegation_name(db.session.scalar(select(Delegation).where(Delegation.country == "CL")), lang)
        assert outline(merged) == [(title, [(members, [(chile, []), (peru, [])]), (un, [("UNDP", [])])])]
        assert merged.open_metadata().get("pdfuaid:part") == "1"


def test_each_part_reads_only_its_own_delegations(app, roster, small_parts):
    """A part's people come from its delegations: one query for whole ones, two for a slice of a large one."""
    _org, ev = roster
    job = Job(event=ev, language="en", params={}, kind="participants_pdf")
    kind = ParticipantsPDF()
    plan = kind.plan(job)
    parts = [[(p["name"], p["offset"], p["count"]) for p in params["parts"]] for params, _size in plan]
    assert parts == [[("Chile", 0, 2)], [("Peru", 0, 4)], [("Peru", 4, 3), ("UNDP", 0, 1)]]
    assert [size for _params, size in plan] == [2, 4, 4]
    for params, _size in plan:
        seen: list[tuple[str, object]] = []

        def record(conn, cursor, statement, parameters, *args, seen=seen):
            if "FROM delegate" in statement:
                seen.append((statement, parameters))
        sa_event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert kind.make_chunk(job, params)[:5] == b"%PDF-"
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", record)
        whole = [p for p in params["parts"] if p["whole"]]
        sliced = [p for p in params["parts"] if not p["whole"]]
        assert len(seen) == (1 if whole else 0) + 2 * len(sliced), seen
        mine = {p["id"] for p in params["parts"]}
        others = {p["id"] for other, _s in plan for p in other["parts"]} - mine
        for statement, parameters in seen:
            assert "event_id" not in statement  # never the whole event's delegates
            values = set(parameters.values() if isinstance(parameters, dict) else parameters)
            assert not (values & others) or values & mine, (statement, parameters)


def test_a_failed_part_is_named_the_others_kept_and_a_retry_makes_it(
        jobs, app, client, auth, roster, small_parts, monkeypatch, tmp_path):
    """WeasyPrint giving up on Peru's first part (out of memory, say): the job fails naming that part, in
    the organiser's language; "Try again" makes only it, and the list comes whole."""
    org, ev = roster
    render = weasyprint.HTML.render

    def out_of_memory(self, *args, **kwargs):
        if "PE00" in "".join(self.etree_element.itertext()):
            raise MemoryError
        return render(self, *args, **kwargs)
    monkeypatch.setattr(weasyprint.HTML, "render", out_of_memory)
    auth.login(org.email)
    location = client.post(f"/es/manage/events/{ev.slug}/files", data={"kind": "participants_pdf"}).headers["Location"]
    jobs.wait()
    chunks = list(db.session.scalars(select(JobChunk).order_by(JobChunk.position)))
    assert [c.status for c in chunks] == ["done", "failed", "done"]
    state = client.get(location + ".json").get_json()
    assert state["status"] == "failed" and "retry" in state
    assert state["text"] == ("Falló: 1 parte de 3 no se pudo generar: parte 2 (participantes de Perú). "
                             "Las demás partes se conservan.")
    kept = {c.id: c.sha256 for c in chunks if c.status == "done"}

    monkeypatch.setattr(weasyprint.HTML, "render", render)
    assert client.post(location + "/retry").status_code == 302
    jobs.wait()
    db.session.expire_all()
    assert {c.id: c.sha256 for c in db.session.scalars(select(JobChunk)) if c.id in kept} == kept
    state = client.get(location + ".json").get_json()
    assert state["status"] == "done" and state["done"] == state["total"] == 10
    pdf = client.get(state["download"]).data
    assert people("".join(pages_text(pdf, tmp_path))) == ["CL00", "CL01", "PE00", "PE01", "PE02", "PE03", "PE04",
                                                          "PE05", "PE06", "UN00"]


def test_the_bar_counts_people_as_the_parts_are_made(app, roster, small_parts):
    _org, ev = roster
    job = Job(event=ev, language="fr", params={}, kind="participants_pdf", status="running", done=4, total=10)
    with force_locale("fr"):
        assert ParticipantsPDF().progress_text(job) == "Préparation de la liste des participants : 4 sur 10"
        job.total = 0
        assert ParticipantsPDF().progress_text(job) == "Préparation de la liste des participants (PDF)…"
    with force_locale("es"):
        job.total = 12000
        assert PublicListPDF().progress_text(job) == ("Preparando la lista provisional de participantes: "
                                                      "4 de 12.000")


def test_the_public_list_in_parts_prints_no_email_and_reads_none(jobs, app, client, auth, roster, small_parts,
                                                                 pdfua, tmp_path):
    org, ev = roster
    auth.login(org.email)
    assert client.post(f"/en/manage/events/{ev.slug}/participants/publication",
                       data={"action": "publish"}).status_code == 302
    auth.logout()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)
    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        pdf = fetch(client, jobs, f"/en/events/{ev.slug}/participants.pdf").data
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert len(db.session.scalars(select(JobChunk)).all()) == 3
    pdfua("public", pdf)
    text = "".join(pages_text(pdf, tmp_path))
    assert people(text) == ["CL00", "CL01", "PE00", "PE01", "PE02", "PE03", "PE04", "PE05", "PE06", "UN00"]
    assert "secret-" not in text and "@" not in text
    readers = [s for s in statements if "FROM delegate" in s and "delegate.given_name" in s]
    assert readers and not any("delegate.email" in s for s in readers)


def test_the_list_of_delegations_with_credentials_in_order_keeps_its_filter_in_parts(
        jobs, app, client, auth, small_parts, tmp_path):
    """participants.pdf?credentials=in_order: only Peru, whose letter is in order, even cut in parts."""
    from dialogue.delegates import services
    org = f.user()
    ev = f.event(organiser=org)
    peru_fp, peru = df.focal_point(ev, "PE")
    _colombia_fp, colombia = df.focal_point(ev, "CO")
    for delegation, code, n in ((peru, "PE", 6), (colombia, "CO", 3)):
        for i in range(n):
            df.delegate(delegation, f"Given{i}", f"{code}{i:02d}", status="accredited", commit=False)
    services.upload_credentials(peru, "letter.pdf", f.blank_pdf(), peru_fp)
    services.decide_credentials(peru, "in_order", "", org)
    db.session.commit()
    auth.login(org.email)
    pdf = fetch(client, jobs, f"/en/manage/events/{ev.slug}/participants.pdf?credentials=in_order").data
    assert len(db.session.scalars(select(JobChunk)).all()) == 2
    assert re.findall(r"\b(?:PE|CO)\d\d\b", "".join(pages_text(pdf, tmp_path))) == [f"PE{i:02d}" for i in range(6)]
    everyone = fetch(client, jobs, f"/en/manage/events/{ev.slug}/participants.pdf").data
    assert len(re.findall(r"\b(?:PE|CO)\d\d\b", "".join(pages_text(everyone, tmp_path)))) == 9


def test_an_empty_list_is_one_numbered_page_that_says_so(jobs, app, client, auth, organiser_event, pdfua, tmp_path):
    org, ev = organiser_event
    auth.login(org.email)
    pdf = fetch(client, jobs, f"/fr/manage/events/{ev.slug}/participants.pdf").data
    pdfua("empty", pdf)
    pages = pages_text(pdf, tmp_path)
    assert len(pages) == 1 and "Page 1 sur 1" in pages[0] and "Aucun délégué accrédité" in pages[0]
