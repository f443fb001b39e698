"""The outcome PDF in three languages, its publication, downloads, and what the renderer may fetch."""
import hashlib
import re
import shutil
import subprocess
import tempfile
import threading
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.outcomes import document as outcome
from dialogue.outcomes import rendering, typography
from dialogue.outcomes.models import Publication, PublicationImmutable
from dialogue.pdf import SafeFetcher, html_to_pdf

from .. import factories as f
from . import factories as of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

MESSAGES = [
    {"es": "La cooperación debe apoyarse en los sistemas nacionales.",
     "fr": "La coopération doit s'appuyer sur les systèmes nationaux.",
     "en": "Co-operation should rely on national systems."},
    {"es": "Los datos abiertos mejoran la rendición de cuentas.",
     "fr": "Les données ouvertes améliorent la redevabilité.",
     "en": "Open data improve accountability."},
    {"es": "La cooperación Sur-Sur es un aporte propio de la región.",
     "fr": "La coopération Sud-Sud est un apport propre de la région.",
     "en": "South-South co-operation is the region's own contribution."},
]


def pdftotext(pdf: bytes, *args) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def published(app, jobs):
    ev, _s, org, _rap, _reviewer = of.reviewed(*MESSAGES)
    doc = of.document(ev, org, next_steps=of.NEXT_STEPS)
    of.publish(doc, org, jobs)
    return ev, doc, org


def test_outcome_pdf_has_the_same_numbered_paragraphs_in_each_language(published, client):
    ev, doc, org = published
    numbered = {}
    for lang, heading, masthead in (("fr", "Prochaines étapes", "Original : espagnol"),
                                    ("es", "Próximos pasos", "Original: español"),
                                    ("en", "Next steps", "Original: Spanish")):
        response = client.get(f"/{lang}/events/{ev.slug}/outcome.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = pdftotext(response.data)
        assert heading in text and masthead in text and "ECS/2022/1" in text
        numbered[lang] = re.findall(r"^(\d+)\.\s", text, re.M)
        for _i, message in enumerate(MESSAGES, start=1):
            assert typography.apply_text(message[lang], lang) in " ".join(text.split())
    assert numbered["fr"] == numbered["es"] == numbered["en"] == ["1", "2", "3", "4"]


def test_outcome_pdf_in_spanish_has_spanish_conventions(published, client):
    ev, doc, org = published
    text = pdftotext(client.get(f"/es/events/{ev.slug}/outcome.pdf").data, "-layout")
    assert "Distr. general" in text
    assert "14 de diciembre de 2022" in text
    assert "Índice" in text
    assert re.search(r"Página 1 de \d", text)
    assert "BORRADOR" not in text


def test_table_of_contents_gives_the_page_of_each_part(published, client, jobs):
    ev, doc, org = published
    of.edit_document(doc, org, recommendations=[{"es": f"Recomendación {i}. " + "Texto largo. " * 60, "fr": f"Recommandation {i}.",
                            "en": f"Recommendation {i}. " + "Long text. " * 60} for i in range(12)])
    of.publish(doc, org, jobs)
    pdf = client.get(f"/en/events/{ev.slug}/outcome.pdf").data
    first_page = pdftotext(pdf, "-layout", "-f", "1", "-l", "1")
    entries = re.findall(r"^\s*(I|II|III)\.\s+([A-Z][a-z ]+?)[ .]*\s(\d+)\s*$", first_page, re.M)
    assert [e[1].strip() for e in entries] == ["Regional dialogue", "Recommendations", "Next steps"]
    assert entries[-1][2] != "1"  # the long recommendations push the last part further
    for numeral, heading, page in entries:
        text = pdftotext(pdf, "-f", page, "-l", page)
        assert re.search(rf"{numeral}\.\s+{heading.strip()}", text), (heading, page)


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, to look inside."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[match.end():]))
        except zlib.error:
            pass
    return b"\n".join(out)


def _pdfinfo(pdf: bytes, *args) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        return subprocess.run(["pdfinfo", *args, tmp.name], capture_output=True, text=True, check=True).stdout


def test_pdf_has_bookmarks_embedded_fonts_and_is_tagged_pdf_ua(published, client):
    ev, doc, org = published
    pdf = client.get(f"/fr/events/{ev.slug}/outcome.pdf").data
    inside = _inflated(pdf)
    assert b"/Outlines" in inside and b"/First" in inside  # bookmarks
    info = _pdfinfo(pdf)
    assert "Tagged:          yes" in info
    assert "ECS/2022/1" in info  # the title
    assert "pdfuaid" in _pdfinfo(pdf, "-meta")
    structure = _pdfinfo(pdf, "-struct")
    assert "H1" in structure and "H2" in structure
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(pdf)
        tmp.flush()
        fonts = subprocess.run(["pdffonts", tmp.name], capture_output=True, text=True, check=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in rows)  # embedded subsets


def test_preview_pdf_has_a_draft_watermark_in_its_language(published, client, auth, jobs):
    ev, doc, org = published
    auth.login(org.email)
    for lang, word in (("fr", "PROJET"), ("es", "BORRADOR"), ("en", "DRAFT")):
        url = f"/{lang}/manage/events/{ev.slug}/outcome/preview.pdf"
        asked = client.get(url)  # a worker makes it: the organiser waits on its progress page
        assert asked.status_code == 302 and f"/{lang}/jobs/" in asked.headers["Location"]
        jobs.wait()
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].endswith(f"-outcome-draft-{lang}.pdf")
        pages = int(re.search(r"Pages:\s+(\d+)", _pdfinfo(response.data)).group(1))
        for page in range(1, pages + 1):  # on every page (rotated: read in content order, spaces removed)
            raw = pdftotext(response.data, "-raw", "-f", str(page), "-l", str(page))
            assert word in "".join(raw.split())


def test_same_content_gives_the_same_bytes(published):
    ev, doc, org = published
    comp = outcome.compose(doc)
    first = rendering.render_pdf(comp, "es", draft=False)
    assert first == rendering.render_pdf(outcome.compose(doc), "es", draft=False)
    stored = db.session.scalar(select(Publication).where(Publication.language == "es"))
    assert stored.pdf == first


def test_publication_is_stored_with_its_sha256_and_never_changes(published):
    ev, doc, org = published
    pub = db.session.scalar(select(Publication).where(Publication.language == "fr"))
    assert pub.sha256 == hashlib.sha256(pub.pdf).hexdigest()
    assert pub.size == len(pub.pdf)
    pub.title = "changed"
    with pytest.raises(PublicationImmutable):
        db.session.flush()
    db.session.rollback()


def test_download_sends_etag_and_304_for_a_repeated_request(published, client, count_queries):
    ev, doc, org = published
    url = f"/en/events/{ev.slug}/outcome.pdf"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.strip('"') == hashlib.sha256(first.data).hexdigest()
    with count_queries() as counter:
        again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert counter.count == 1  # one query, and not for the bytes
    with count_queries() as counter:
        repeated = client.get(url)
    assert repeated.data == first.data and counter.count == 1  # the bytes come from memory by their SHA-256
    assert repeated.headers["Content-Length"] == str(len(first.data)) == str(doc.publications[0].size)
    part = client.get(url, headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.data == first.data[:8] and part.data.startswith(b"%PDF-")
    assert part.headers["Content-Range"] == f"bytes 0-7/{len(first.data)}"
    assert client.get(url, headers={"If-None-Match": '"another"'}).status_code == 200


def test_public_outcome_page_query_count_does_not_grow_with_versions(published, client, count_queries, jobs):
    ev, doc, org = published

    def count():
        with count_queries() as counter:
            assert client.get(f"/en/events/{ev.slug}/outcome/").status_code == 200
        return counter.count
    few = count()
    for i in range(3):
        of.edit_document(doc, org, next_steps=[{"es": f"Paso {i}.", "fr": f"Étape {i}.", "en": f"Step {i}."}])
        of.publish(doc, org, jobs)
    assert count() == few


def test_new_version_supersedes_the_last_which_stays_downloadable(published, client, jobs):
    ev, doc, org = published
    v1 = client.get(f"/en/events/{ev.slug}/outcome.pdf").data
    of.edit_document(doc, org, next_steps=[{"es": "Otro paso.", "fr": "Une autre étape.", "en": "Another step."}])
    of.publish(doc, org, jobs)
    current = client.get(f"/en/events/{ev.slug}/outcome.pdf").data
    assert current != v1 and "Another step." in pdftotext(current)
    old = client.get(f"/en/events/{ev.slug}/outcome/v1.pdf")
    assert old.status_code == 200 and old.data == v1
    page = client.get(f"/en/events/{ev.slug}/outcome/").get_data(as_text=True)
    assert "Versions" in page and f"/en/events/{ev.slug}/outcome/v1.pdf" in page
    assert "Another step." in page
    assert hashlib.sha256(current).hexdigest() in page
    assert client.get(f"/en/events/{ev.slug}/outcome/v9.pdf").status_code == 404


def test_public_page_before_publication_and_for_draft_events(app, client):
    ev, s, org, rap = of.setting()
    assert "not published yet" in client.get(f"/en/events/{ev.slug}/outcome/").get_data(as_text=True)
    assert client.get(f"/en/events/{ev.slug}/outcome.pdf").status_code == 404
    hidden = f.event(status="draft")
    assert client.get(f"/en/events/{hidden.slug}/outcome/").status_code == 404


def test_original_language_paragraph_is_marked_in_the_pdf(app, client, jobs):
    ev, s, org, rap = of.setting()
    reviewer = of.organiser(ev)
    m = of.message(s, rap, {"es": "Solo en español."}, status="approved", reviewer=reviewer)
    doc = of.document(ev, org)
    outcome.set_original_only(doc, [f"km:{m.id}"], org)
    of.publish(doc, org, jobs)
    text = " ".join(pdftotext(client.get(f"/fr/events/{ev.slug}/outcome.pdf").data).split())
    assert "Solo en español." in text
    assert "Publié dans la langue originale seulement (espagnol)." in text


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    _Recorder.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_renderer_fetches_nothing_outside_the_app(app, local_server):
    """Even HTML that bypassed the sanitiser cannot read files or reach a server."""
    html = (f'<html lang="en"><head><title>t</title><link rel="stylesheet" href="{local_server}/x.css"></head><body>'
            f'<img src="file:///etc/passwd"><img src="{local_server}/probe.png">'
            f'<p style="background: url({local_server}/bg.png)">x</p></body></html>')
    fetcher = SafeFetcher()
    html_to_pdf(html, fetcher)
    assert "file:///etc/passwd" in fetcher.refused
    assert any(url.startswith(local_server) for url in fetcher.refused)
    assert _Recorder.hits == []


def test_key_message_with_an_image_or_link_fetches_nothing(app, client, auth, local_server):
    ev, s, org, rap = of.setting()
    reviewer = of.organiser(ev)
    of.message(s, rap, {"es": f'Texto <img src="file:///etc/passwd"> <img src="{local_server}/a.png"> '
                              f'<a href="{local_server}/b">enlace</a>',
                        "fr": "Texte", "en": "Text"}, status="approved", reviewer=reviewer)
    doc = of.document(ev, org)
    comp = outcome.compose(doc)
    html = rendering.render_pdf_html(comp, "es", draft=False)
    assert "<img" not in html.split("<body>")[1] and local_server not in html
    fetcher = SafeFetcher()
    pdf = rendering.render_pdf(comp, "es", draft=False, fetcher=fetcher)  # as a worker does, outside a request
    assert fetcher.refused == [] and _Recorder.hits == []
    assert "enlace" in pdftotext(pdf)


def test_api_lists_every_version_with_its_checksums(published, client, jobs):
    ev, doc, org = published
    of.edit_document(doc, org, next_steps=[{"es": "Otro paso.", "fr": "Une autre étape.", "en": "Another step."}])
    of.publish(doc, org, jobs)
    data = client.get(f"/api/v1/events/{ev.slug}/outcome").get_json()
    assert data["current"] == 2 and [v["version"] for v in data["versions"]] == [2, 1]
    files = data["versions"][1]["files"]
    assert set(files) == {"fr", "es", "en"}
    pdf = client.get(files["es"]["url"].replace("http://localhost", ""))
    assert hashlib.sha256(pdf.data).hexdigest() == files["es"]["sha256"]
    assert "/api/v1/events/{slug}/outcome" in client.get("/api/v1/openapi.json").get_json()["paths"]
    hidden = f.event(status="draft")
    assert client.get(f"/api/v1/events/{hidden.slug}/outcome").status_code == 404


def test_a_line_never_breaks_after_the_first_word_before_emphasis(app):
    """WeasyPrint broke "Les / pays de la région ... propres **institutions**" after "Les" (seen in the demo)."""
    ev, s, org, rap = of.setting()
    reviewer = of.organiser(ev)
    text = ("Les pays de la région demandent une coopération qui s'appuie sur leurs propres **institutions et "
            "priorités**, et qui renforce la coordination entre ministères, agences et partenaires.")
    of.message(s, rap, {"es": "Los países.", "fr": text, "en": "The countries."}, status="approved",
               reviewer=reviewer)
    doc = of.document(ev, org)
    lines = [ln.strip() for ln in pdftotext(rendering.render_pdf(outcome.compose(doc), "fr", draft=False),
                                            "-layout").splitlines()]
    assert any(ln.startswith("1.") and "Les pays de la région" in ln for ln in lines), lines
