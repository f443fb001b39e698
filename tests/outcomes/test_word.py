"""Word files: the outcome document as DOCX beside the PDFs (same masthead, headings and numbered
paragraphs), and a rapporteur's Word text imported as a new key message."""
import io
import re
import shutil
import subprocess

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.outcomes import document as outcome
from dialogue.outcomes import versions, word, word_import
from dialogue.outcomes.jobs import request_publication
from dialogue.outcomes.models import KeyMessage

from .. import factories as f
from . import factories as of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

MESSAGES = [
    {"es": "La cooperación debe apoyarse en los sistemas *nacionales*.",
     "fr": "La coopération doit s'appuyer sur les systèmes *nationaux*.",
     "en": "Co-operation should rely on *national* systems."},
    {"es": "Los datos abiertos:\n\n- mejoran la rendición de cuentas\n- **fortalecen** la confianza",
     "fr": "Les données ouvertes :\n\n- améliorent la redevabilité\n- **renforcent** la confiance",
     "en": "Open data:\n\n- improve accountability\n- **strengthen** trust"},
]


@pytest.fixture
def published(app, jobs):
    ev, s, org, rap, reviewer = of.reviewed(*MESSAGES)
    french = of.message(s, rap, {"fr": "Un paragraphe en français seulement."}, original="fr", status="approved",
                        reviewer=reviewer)
    doc = of.document(ev, org, next_steps=of.NEXT_STEPS)
    outcome.set_original_only(doc, [f"km:{french.id}"], org)
    db.session.commit()
    of.publish(doc, org, jobs)
    return ev, doc, org, s, rap


def _numbered_docx(document) -> list[tuple[str, str]]:
    """(number, text) of the numbered paragraphs, the list items that follow joined to their paragraph."""
    out = []
    for p in document.paragraphs:
        match = re.match(r"^(\d+)\.\t(.*)$", p.text, re.S)
        if match:
            out.append([match.group(1), match.group(2)])
        elif out and p.style.name.startswith("List"):
            out[-1][1] += " " + p.text
        elif out and not p.text.startswith(("Published", "Publié", "Publicado")) and p.style.name == "Normal" \
                and p.paragraph_format.left_indent:
            out[-1][1] += " " + p.text
    return [(n, " ".join(t.split())) for n, t in out]


def _numbered_pdf(pdf: bytes) -> list[tuple[str, str]]:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    text = text.replace("\u2010\n", "").replace("\u00a0", " ").replace("\u202f", " ")
    starts = [m.end() for m in re.finditer(r"(?m)^I\.\n", text)]
    body = text[starts[1]:]  # after the table of contents
    parts = re.split(r"(?m)^(\d+)\.\n", body)
    found = []
    for number, chunk in zip(parts[1::2], parts[2::2], strict=True):
        chunk = re.split(r"(?m)^(II|III|IV)\.$|^Page \d|^Página \d|^Published|^Publié|^Publicado", chunk)[0]
        found.append((number, " ".join(chunk.replace("•", " ").split())))
    return found


def test_docx_holds_the_same_numbered_paragraphs_and_masthead_as_the_pdf(published, client):
    ev, doc, org, s, rap = published
    for lang, distr, heading in (("en", "Distr.: General", "Regional dialogue"),
                                 ("fr", "Distr. générale", "Dialogue régional"),
                                 ("es", "Distr. general", "Diálogo regional")):
        response = client.get(f"/{lang}/events/{ev.slug}/outcome.docx")
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        document = docx.Document(io.BytesIO(response.data))
        texts = [p.text for p in document.paragraphs]
        assert "Test summit\tECS/2022/1".replace("Test summit", ev.title[lang]) in texts
        assert distr in texts and f"I.\t{heading}" in texts
        _looks_like_the_pdf(document, lang)
        assert document.core_properties.title.startswith("ECS/2022/1 · ")
        assert document.core_properties.language == lang
        in_docx = _numbered_docx(document)
        in_pdf = _numbered_pdf(client.get(f"/{lang}/events/{ev.slug}/outcome.pdf").data)
        assert [n for n, _t in in_docx] == [n for n, _t in in_pdf] == ["1", "2", "3", "4"]
        for (_n, a), (_m, b) in zip(in_docx, in_pdf, strict=True):
            assert a.replace("\u00a0", " ").replace("\u202f", " ") == b, (lang, a, b)
    english = docx.Document(io.BytesIO(client.get(f"/en/events/{ev.slug}/outcome.docx").data))
    first = next(p for p in english.paragraphs if p.text.startswith("1.\t"))
    assert [r.text for r in first.runs if r.italic] == ["national"]
    french_run = next(r for p in english.paragraphs if p.text.startswith("3.\t") for r in p.runs if "français" in r.text)
    assert french_run._r.rPr.find(qn("w:lang")).get(qn("w:val")) == "fr"  # its language, for Word's spelling


def _looks_like_the_pdf(document, lang: str) -> None:
    """What LibreOffice showed differing from the PDF, now alike: A4 and its margins, hyphenation, the masthead's
    heavy rule, "Page 1 of 3" at the bottom right in the document's language, numbered paragraphs kept whole."""
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.right_margin, section.bottom_margin,
                                  section.left_margin)] == [25, 22, 24, 22]
    assert document.settings.element.find(qn("w:autoHyphenation")).get(qn("w:val")) == "true"
    rules = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None]
    assert [r.text for r in rules][1] == {"en": "Original: Spanish", "fr": "Original : espagnol",
                                         "es": "Original: español"}[lang]
    assert rules[1]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:sz")) == "16"
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        fields = [f.get(qn("w:instr")) for f in paragraph._p.findall(qn("w:fldSimple"))]
        assert fields == ["PAGE", "NUMPAGES"] and paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        words = [r.text for r in paragraph.runs]
        assert words == {"en": ["Page ", " of "], "fr": ["Page ", " sur "], "es": ["Página ", " de "]}[lang], words
    opening = next(p for p in document.paragraphs if p.text.startswith("2.\t"))
    assert opening.paragraph_format.keep_together and opening.paragraph_format.keep_with_next  # its list follows


def test_public_page_offers_the_docx_beside_the_pdfs_and_it_is_cached_by_sha256(published, client):
    ev, doc, org, s, rap = published
    page = client.get(f"/es/events/{ev.slug}/outcome/").get_data(as_text=True)
    assert f'/es/events/{ev.slug}/outcome.docx' in page and "Word (DOCX) en español" in page
    first = client.get(f"/es/events/{ev.slug}/outcome.docx")
    again = client.get(f"/es/events/{ev.slug}/outcome.docx", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/es/events/{ev.slug}/outcome/v1.docx").data == first.data
    assert client.get(f"/es/events/{ev.slug}/outcome/v7.docx").status_code == 404


def test_docx_of_a_revision_carries_its_mark_and_what_it_replaces(published, client, jobs):
    ev, doc, org, s, rap = published
    doc = of.document(ev, org, next_steps={"es": "Otro paso.", "fr": "Une autre étape.", "en": "Another step."})
    request_publication(doc, org, "corr")
    db.session.commit()
    jobs.wait()
    document = docx.Document(io.BytesIO(client.get(f"/fr/events/{ev.slug}/outcome.docx").data))
    texts = [p.text for p in document.paragraphs]
    assert "Sommet de test\tECS/2022/1/Corr.1" in texts  # the masthead
    assert document.sections[0].header.paragraphs[0].text == "ECS/2022/1/Corr.1"  # from page 2
    assert "Le présent document remplace le document ECS/2022/1 du 14\u00a0décembre\u00a02022." in texts or any(
        t.startswith("Le présent document remplace le document ECS/2022/1 du") for t in texts)
    assert any("s’appuyer" in t for t in texts) and not any("s'appuyer" in t for t in texts)


def _word_file(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_rapporteur_imports_a_word_text_as_a_new_key_message(published, client, auth):
    ev, doc, org, s, rap = published

    def build(d):
        p = d.add_paragraph("Los países ")
        p.add_run("deben").bold = True
        p.add_run(" actuar ")
        p.add_run("juntos").italic = True
        p.add_run(".")
        d.add_paragraph("Primero", style="List Bullet")
        d.add_paragraph("Segundo", style="List Bullet")
        d.add_paragraph("Un segundo párrafo con *asteriscos*.")
        table = d.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "no"
    auth.login(rap.email, lang="es")
    page = client.get(f"/es/manage/events/{ev.slug}/key-messages/")
    assert f"/es/manage/events/{ev.slug}/sessions/{s.code}/key-messages/import" in page.get_data(as_text=True)
    url = f"/es/manage/events/{ev.slug}/sessions/{s.code}/key-messages/import"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"original_language": "es", "upload": "1",
                                      "file": (io.BytesIO(_word_file(build)), "mensaje.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    message = db.session.scalars(select(KeyMessage).order_by(KeyMessage.id.desc())).first()
    assert message.status == "draft" and message.original_language == "es" and message.author_id == rap.id
    assert message.text == {"es": "Los países **deben** actuar *juntos*.\n\n- Primero\n- Segundo\n\n"
                                  "Un segundo párrafo con asteriscos."}
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "tablas" in shown


def test_word_import_refuses_other_files_and_other_sessions(published, client, auth):
    ev, doc, org, s, rap = published
    auth.login(rap.email)
    url = f"/en/manage/events/{ev.slug}/sessions/{s.code}/key-messages/import"
    for name, body in (("fake.docx", b"PK\x03\x04 not really"), ("empty.docx", _word_file(lambda d: None))):
        response = client.post(url, data={"original_language": "en", "upload": "1",
                                          "file": (io.BytesIO(body), name)}, content_type="multipart/form-data")
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "This is not a Word (.docx) file." in page or "no text to import" in page
    other = f.session(ev, "PL-2")
    response = client.get(f"/en/manage/events/{ev.slug}/sessions/{other.code}/key-messages/import")
    assert response.status_code == 403


def _numbered_by_properties(d, fmt: str) -> int:
    """A numbering instance of a list whose first level has format `fmt`, as Word and LibreOffice write them."""
    numbering = d.part.numbering_part.element
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.find(qn("w:lvl")).find(qn("w:numFmt")).get(qn("w:val")) == fmt)
    return numbering.add_num(int(abstract.get(qn("w:abstractNumId")))).numId


def _with_num_pr(paragraph, num_id: int, level: int = 0) -> None:
    props = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    props.get_or_add_ilvl().val = level
    props.get_or_add_numId().val = num_id


def test_word_import_recognises_lists_by_their_numbering_properties_not_only_their_style(app):
    def build(d):
        numbered, bullets = _numbered_by_properties(d, "decimal"), _numbered_by_properties(d, "bullet")
        d.add_paragraph("Tres pasos:")
        for text in ("primero", "segundo"):
            _with_num_pr(d.add_paragraph(text), numbered)  # style "Normal", numbered by w:numPr
        d.add_paragraph("Y además:")
        for text in ("uno", "otro"):
            _with_num_pr(d.add_paragraph(text, style="List Paragraph"), bullets)
        _with_num_pr(d.add_paragraph("Fin de la lista."), 0)  # numId 0: Word's "no numbering"
    text, dropped = word_import.read_text(_word_file(build))
    assert text == "Tres pasos:\n\n1. primero\n1. segundo\n\nY además:\n\n- uno\n- otro\n\nFin de la lista."
    assert dropped == []


def test_docx_headings_are_in_the_body_font_and_each_numbered_list_starts_at_one(published, client):
    ev, doc, org, s, rap = published
    body = client.get(f"/en/events/{ev.slug}/outcome.docx").data
    document = docx.Document(io.BytesIO(body))
    for name in ("Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:asciiTheme")) is None
        assert str(document.styles[name].font.color.rgb) == "000000"
    masthead = [p for p in document.paragraphs[:6] if p.text]
    assert masthead[0].text == "Test summit\tECS/2022/1"  # one line, the symbol at the right tab, as in the PDF
    assert masthead[0].paragraph_format.tab_stops[0].alignment == WD_TAB_ALIGNMENT.RIGHT
    assert masthead[0]._p.pPr.find(qn("w:pBdr")) is not None  # the rule under the symbol
    # From page 2 the symbol heads the page; every page has its number.
    section = document.sections[0]
    assert section.different_first_page_header_footer and section.header.paragraphs[0].text == "ECS/2022/1"
    for footer in (section.footer, section.first_page_footer):
        assert footer.paragraphs[0]._p.find(qn("w:fldSimple")).get(qn("w:instr")) == "PAGE"


def test_two_numbered_lists_in_a_docx_have_their_own_numbering(app):
    ev, _s, org, _rap, _reviewer = of.reviewed({"es": "Pasos:\n\n1. uno\n2. dos"}, {"es": "Otros:\n\n1. tres\n2. cuatro"})
    doc = of.document(ev, org)
    body = word.render_docx(outcome.compose(doc), "es", versions.Edition("ECS/2022/1"))
    items = [p for p in docx.Document(io.BytesIO(body)).paragraphs if p.style.name == "List Number"]
    ids = [p._p.pPr.numPr.numId.val for p in items]
    assert [p.text for p in items] == ["uno", "dos", "tres", "cuatro"]
    assert ids[0] == ids[1] != ids[2] == ids[3]
