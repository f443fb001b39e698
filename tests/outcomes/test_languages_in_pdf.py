"""Language in the outcome document: paragraphs in another language tagged down to the PDF structure tree,
dc:language in the XMP metadata, hyphenation by language, and French typography in generated documents."""
import io
import shutil
import subprocess

import pikepdf
import pytest

from dialogue.extensions import db
from dialogue.outcomes import document as outcome
from dialogue.outcomes import rendering

from . import factories as of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

FRENCH = "Les États s'engagent : « coopérer » ; est-ce possible ? Oui !"


@pytest.fixture
def mixed(app, jobs):
    """A published document whose paragraph 2 exists in French only, published in its original language."""
    ev, s, org, rap = of.setting()
    reviewer = of.organiser(ev)
    of.message(s, rap, {"es": "Primero.", "fr": "Premier.", "en": "First."}, status="approved", reviewer=reviewer)
    m = of.message(s, rap, {"fr": FRENCH}, original="fr", status="approved", reviewer=reviewer)
    doc = of.document(ev, org)
    outcome.set_original_only(doc, [f"km:{m.id}"], org)
    db.session.commit()
    of.publish(doc, org, jobs)
    return ev, doc


def _elements(pdf: bytes):
    """(role, /Lang, text of its marked content ids) of every structure element, in order."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        def walk(element, inherited):
            if not isinstance(element, pikepdf.Dictionary):
                return
            lang = str(element.get("/Lang")) if "/Lang" in element else inherited
            found.append((str(element.get("/S")), str(element.get("/Lang", "")), lang))
            kids = element.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                walk(kid, lang)
        walk(document.Root.StructTreeRoot, str(document.Root.Lang))
        xmp = str(document.open_metadata())
    return found, xmp


def test_english_pdf_tags_the_french_paragraph_fr_in_its_structure_tree(mixed, client, pdfua):
    ev, doc = mixed
    pdf = client.get(f"/en/events/{ev.slug}/outcome.pdf").data
    elements, xmp = _elements(pdf)
    tagged = [e for e in elements if e[1] == "fr"]
    assert tagged, elements  # the paragraph's body element says /Lang (fr)
    assert {e[0] for e in tagged} <= {"/Div", "/P", "/Span", "/NonStruct", "/Sect"}
    assert sum(1 for e in elements if e[0] == "/P" and e[2] == "fr") >= 1  # its paragraph is read as French
    assert sum(1 for e in elements if e[0] == "/P" and e[2] == "en") >= 1  # the others stay English
    assert "<dc:language>" in xmp and "<rdf:li>en</rdf:li>" in xmp and "<rdf:li>fr</rdf:li>" in xmp
    pdfua("outcome-en", pdf)


def test_public_page_marks_the_french_paragraph_and_gives_it_french_typography(mixed, client):
    ev, doc = mixed
    html = client.get(f"/en/events/{ev.slug}/outcome/").get_data(as_text=True)
    assert 'lang="fr"' in html
    assert "Les États s’engagent\u00a0: «\u202fcoopérer\u202f»\u202f; est-ce possible\u202f? Oui\u202f!" in html


def test_french_pdf_has_typographic_apostrophes_and_no_break_spaces_and_every_language_passes_pdfua(
        mixed, client, pdfua):
    ev, doc = mixed
    for lang in ("fr", "es", "en"):
        pdf = client.get(f"/{lang}/events/{ev.slug}/outcome.pdf").data
        path = pdfua(f"outcome-{lang}", pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
        joined = " ".join(text.replace("\u2010\n", "").split())
        assert "s’engagent" in joined and "s'engagent" not in joined
    # pdftotext reads no-break spaces as spaces: look at what WeasyPrint is given
    for lang in ("fr", "en"):
        html = rendering.render_pdf_html(outcome.compose(doc), lang, draft=False)
        assert "s’engagent\u00a0: «\u202fcoopérer\u202f»\u202f; est-ce possible\u202f? Oui\u202f!" in html
    assert "Original\u00a0: espagnol" in rendering.render_pdf_html(outcome.compose(doc), "fr", draft=False)
    assert "Original: Spanish" in rendering.render_pdf_html(outcome.compose(doc), "en", draft=False)


def test_stored_text_keeps_what_the_rapporteur_typed(mixed):
    ev, doc = mixed
    paragraph = outcome.compose(doc).paragraphs[1]
    assert paragraph.text["fr"] == FRENCH  # typography is applied when rendering only


def test_justified_text_is_hyphenated_by_its_language(app):
    css = (rendering.__file__.rsplit("/dialogue/", 1)[0] + "/static/outcome-pdf.css")
    assert "hyphens: auto" in open(css, encoding="utf-8").read()
    from weasyprint import HTML
    long_word = "anticonstitutionnellement " * 30
    pdf = HTML(string=f'<html lang="fr"><body style="width:40mm"><p style="hyphens:auto;text-align:justify">'
                      f'{long_word}</p></body></html>').write_pdf()
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "\u2010\n" in text  # pyphen's French patterns broke the word


def test_french_typography_leaves_times_addresses_and_other_languages_alone():
    from dialogue.outcomes import typography
    assert typography.french("À 10:30, voir https://example.org/a?b=1 ; l'accord.") == (
        "À 10:30, voir https://example.org/a?b=1\u202f; l\u2019accord.")
    html = '<p>It\'s here: yes!</p><div lang="fr"><p>C\'est <em>ça</em> : oui ?</p></div>'
    assert typography.apply_html(html, "en") == (
        '<p>It\'s here: yes!</p><div lang="fr"><p>C\u2019est <em>ça</em>\u00a0: oui\u202f?</p></div>')
    assert typography.apply_html("<p>It's here: yes!</p>", "es") == "<p>It's here: yes!</p>"
