"""The issue's "done means", through HTTP as people would do it, and the demo data."""
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.outcomes import typography
from dialogue.outcomes.models import KeyMessage, Publication

from . import factories as of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

DRAFTS = [
    ("La cooperación debe apoyarse en las instituciones de cada país.",
     "La coopération doit s'appuyer sur les institutions de chaque pays.",
     "Co-operation should build on each country's institutions."),
    ("El ingreso per cápita no basta para medir el desarrollo.",
     "Le revenu par habitant ne suffit pas à mesurer le développement.",
     "Income per person is not enough to measure development."),
    ("Los datos abiertos ayudan a rendir cuentas.",
     "Les données ouvertes aident à rendre des comptes.",
     "Open data help account for results."),
]


def _text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_rapporteur_to_organiser_to_participant(app, client, auth, jobs):
    ev, s, org, rap = of.setting()
    # 1. The rapporteur drafts three messages in Spanish with French and English versions, and submits them.
    auth.login(rap.email, lang="es")
    for es, fr, en in DRAFTS:
        response = client.post(f"/es/manage/events/{ev.slug}/sessions/{s.code}/key-messages/new",
                               data={"original_language": "es", "text-es": es, "text-fr": fr, "text-en": en,
                                     "save_submit": "1"})
        assert response.status_code == 302
    auth.logout()
    ids = [m.id for m in db.session.scalars(select(KeyMessage).order_by(KeyMessage.position))]
    # 2. The organiser returns one and approves the others.
    auth.login(org.email)
    review = client.get(f"/en/manage/events/{ev.slug}/review").get_data(as_text=True)
    assert all(es in review for es, _fr, _en in DRAFTS)
    client.post(f"/en/manage/events/{ev.slug}/key-messages/{ids[1]}/return",
                data={"comment": "Give an example, please."})
    for message_id in (ids[0], ids[2]):
        assert client.post(f"/en/manage/events/{ev.slug}/key-messages/{message_id}/approve").status_code == 302
    # 3. The organiser composes and publishes the outcome document.
    client.get(f"/en/manage/events/{ev.slug}/outcome/")
    response = client.post(f"/en/manage/events/{ev.slug}/outcome/", data={
        "symbol": "ECS/2022/RD/1", "issued_on": "2022-12-14", "original_language": "es", "grouping": "session",
        "title-es": "Mensajes clave", "title-fr": "Messages clés", "title-en": "Key messages",
        "place-es": "Ginebra", "place-fr": "Genève", "place-en": "Geneva"})
    assert response.status_code == 302
    preview = client.get(f"/fr/manage/events/{ev.slug}/outcome/preview").get_data(as_text=True)
    shown = [typography.french(fr) for _es, fr, _en in DRAFTS]  # French typography, in rendering only
    assert "PROJET" in preview and shown[0] in preview and shown[1] not in preview
    report = client.get(f"/en/manage/events/{ev.slug}/outcome/translations").get_data(as_text=True)
    assert "Every part of the document exists in French, Spanish and English." in report
    response = client.post(f"/en/manage/events/{ev.slug}/outcome/translations", data={"publish": "1"})
    assert response.status_code == 302 and "/en/jobs/" in response.headers["Location"]
    progress = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The outcome document is being published in French, Spanish and English." in progress
    assert "Publication of the outcome document" in progress and "<progress" in progress
    jobs.wait()  # a worker renders the three languages and stores version 1
    done = client.get(response.headers["Location"] + ".json").get_json()
    assert done["status"] == "done" and done["download"] == f"/en/events/{ev.slug}/outcome/"
    assert f'href="/en/events/{ev.slug}/outcome/">See the published document</a>' in client.get(
        response.headers["Location"]).get_data(as_text=True)
    auth.logout()
    # 4. A participant downloads it in each language and finds the same numbered paragraphs.
    page = client.get(f"/es/events/{ev.slug}/outcome/").get_data(as_text=True)
    assert "Mensajes clave" in page and DRAFTS[0][0] in page
    numbers = {}
    for i, lang in enumerate(("es", "fr", "en")):
        pdf = client.get(f"/{lang}/events/{ev.slug}/outcome.pdf")
        assert pdf.status_code == 200
        text = " ".join(_text(pdf.data).replace("\u2010\n", "").split())
        drafts = [[typography.apply_text(t, lang) for t in d] for d in DRAFTS]
        assert drafts[0][i] in text and drafts[2][i] in text and drafts[1][i] not in text
        numbers[lang] = re.findall(r"(?:^|\s)(\d)\. (?=\S)", text)
        assert f"1. {drafts[0][i]}" in text and f"2. {drafts[2][i]}" in text
    assert len({p.sha256 for p in db.session.scalars(select(Publication))}) == 3


def test_demo_has_approved_key_messages_and_a_published_outcome_document(app, client):
    from dialogue.demo import load_demo
    event, _created = load_demo()
    db.session.commit()
    messages = db.session.scalars(select(KeyMessage)).all()
    assert messages and all(m.status == "approved" and m.original_language == "es" for m in messages)
    for lang, heading in (("fr", "Recommandations"), ("es", "Recomendaciones"), ("en", "Recommendations")):
        pdf = client.get(f"/{lang}/events/{event.slug}/outcome.pdf")
        assert pdf.status_code == 200
        assert heading in _text(pdf.data)
    page = client.get(f"/en/events/{event.slug}/outcome/").get_data(as_text=True)
    assert "ECS/2022/RD-LAC/1" in page


def test_organiser_menu_links_to_key_messages_and_the_outcome_document(app, client, auth):
    ev, s, org, rap = of.setting()
    grant_role(org, ev, "organiser")
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/").get_data(as_text=True)
    for label in ("Key messages", "Review", "Rapporteurs", "Outcome document"):
        assert f">{label}</a>" in page
