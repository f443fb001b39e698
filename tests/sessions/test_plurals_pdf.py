"""Counts take the plural their number needs, and the agenda PDF marks text shown in another language."""
import io
import subprocess

import pikepdf
import pytest

from .. import factories as f
from ..workers import fetch


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _struct_langs(data: bytes) -> set[str]:
    """Every /Lang the PDF's structure tree gives an element (the tags a screen reader follows)."""
    found: set[str] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        seen: set = set()
        stack = [pdf.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
                continue
            if not isinstance(node, pikepdf.Dictionary):
                continue
            key = node.objgen if node.is_indirect else None
            if key is not None and key in seen:
                continue
            seen.add(key)
            if "/Lang" in node:
                found.add(str(node.Lang))
            if "/K" in node:
                stack.append(node.K)
    return found


@pytest.mark.parametrize("lang,one,two", [
    ("fr", "1 session ·", "2 sessions ·"),
    ("es", "1 sesión ·", "2 sesiones ·"),
    ("en", "1 session ·", "2 sessions ·"),
])
def test_the_organisers_agenda_counts_sessions_in_singular_and_plural(client, app, auth, lang, one, two):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    auth.login(org.email)
    f.session(ev, "PL1")
    assert one in client.get(f"/{lang}/manage/events/{ev.slug}/").get_data(as_text=True)
    f.session(ev, "PL2", start="2022-12-13 09:00")
    assert two in client.get(f"/{lang}/manage/events/{ev.slug}/").get_data(as_text=True)


@pytest.mark.parametrize("lang,label", [
    ("fr", 'aria-label="2 sessions en parallèle"'),
    ("es", 'aria-label="2 sesiones en paralelo"'),
    ("en", 'aria-label="2 parallel sessions"'),
])
def test_parallel_sessions_are_counted_in_the_plural(client, app, lang, label):
    ev = f.event()
    f.session(ev, "A", room="Salle 1")
    f.session(ev, "B", room="Salle 2")
    assert label in client.get(f"/{lang}/events/{ev.slug}/").get_data(as_text=True)


@pytest.mark.parametrize("lang,one,two", [
    ("fr", "1 session", "2 sessions"),
    ("es", "1 sesión", "2 sesiones"),
])
def test_agenda_pdf_counts_sessions(jobs, client, app, tmp_path, lang, one, two):
    ev = f.event()
    f.session(ev, "PL1")
    assert one in _pdf_text(fetch(client, jobs, f"/{lang}/events/{ev.slug}/agenda.pdf").data, tmp_path)
    f.session(ev, "PL2", start="2022-12-13 09:00")
    jobs.wait()  # the change starts a new PDF; the stale one is served meanwhile
    text = _pdf_text(fetch(client, jobs, f"/{lang}/events/{ev.slug}/agenda.pdf").data, tmp_path)
    assert two in text and one + " " not in text


def test_agenda_pdf_marks_titles_shown_in_another_language(jobs, client, app, tmp_path):
    ev = f.event(title={"en": "Cooperation summit"})
    f.session(ev, "PL1", title={"es": "Apertura de la cumbre"}, original_language="es")
    f.session(ev, "PL2", start="2022-12-13 09:00",
              title={"fr": "Clôture du sommet", "es": "Clausura de la cumbre"}, original_language="es")
    data = fetch(client, jobs, f"/fr/events/{ev.slug}/agenda.pdf").data
    text = _pdf_text(data, tmp_path)
    assert "affiché dans la langue originale (anglais)" in text
    assert "Apertura de la cumbre" in text
    pl1 = text[text.index("Apertura de la cumbre"):text.index("Clôture du sommet")]
    assert "en espagnol" in pl1
    assert "en espagnol" not in text[text.index("Clôture du sommet"):]
    # the document is French; the event title (English) and PL1's title (Spanish) are tagged as such
    assert _struct_langs(data) == {"en", "es"}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.Root.Lang) == "fr"
