"""Publishing and previewing through the workers: one version for two organisers pressing Publish at once,
a change between the press and the work, the link to the published page, one preview per content."""
import threading
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from celery.signals import task_prerun
from sqlalchemy import func, select

from dialogue.extensions import db
from dialogue.jobs.models import Job
from dialogue.outcomes.jobs import PREVIEW, PUBLICATION
from dialogue.outcomes.models import Publication

from .. import factories as f
from . import factories as of

TEXT = {"es": "La cooperación debe apoyarse en los sistemas nacionales.",
        "fr": "La coopération doit s'appuyer sur les systèmes nationaux.",
        "en": "Co-operation should rely on national systems."}


@contextmanager
def held_worker():
    """The worker waits before each task until the block ends: what is done inside happens "at once"."""
    gate = threading.Event()

    def hold(**_kwargs):
        gate.wait(120)
    task_prerun.connect(hold, weak=False)
    try:
        yield
    finally:
        gate.set()
        task_prerun.disconnect(hold)


@pytest.fixture
def ready(app):
    """A document ready to publish, and two organisers: one works in English, the other in French."""
    ev, s, org, rap = of.setting()
    other = of.organiser(ev, name="Other organiser")
    of.message(s, rap, TEXT, status="approved", reviewer=other)
    doc = of.document(ev, org)
    return SimpleNamespace(ev=ev, doc=doc, org=org, other=other, session=s, rapporteur=rap)


def _press_publish(client, auth, user, slug, lang):
    auth.logout()
    auth.login(user.email, lang=lang)
    response = client.post(f"/{lang}/manage/events/{slug}/outcome/translations", data={"publish": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _job_id(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1])


def test_two_organisers_pressing_publish_at_once_make_one_version(ready, client, auth, jobs):
    ev, org, other = ready.ev, ready.org, ready.other
    with held_worker():
        first = _press_publish(client, auth, org, ev.slug, "en")
        second = _press_publish(client, auth, other, ev.slug, "fr")
        assert _job_id(first) == _job_id(second)
        assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == PUBLICATION)) == 1
        waiting = client.get(second).get_data(as_text=True)
        assert "Publication du document final" in waiting and "Voir le document publié" in waiting
    jobs.wait()
    assert db.session.execute(select(Publication.version, func.count()).group_by(Publication.version)).all() == [(1, 3)]
    state = client.get(second + ".json").get_json()
    assert state["status"] == "done" and state["download"] == f"/fr/events/{ev.slug}/outcome/"
    assert "Voir le document publié" in client.get(second).get_data(as_text=True)
    listing = client.get(f"/fr/manage/events/{ev.slug}/jobs/").get_data(as_text=True)
    assert f'href="/fr/events/{ev.slug}/outcome/">Voir le document publié</a>' in listing
    # Pressing Publish again later, after a change, makes the next version, as before.
    of.edit_document(ready.doc, org, next_steps=[{"es": "Otro paso.", "fr": "Une autre étape.", "en": "Another step."}])
    third = _press_publish(client, auth, org, ev.slug, "en")
    assert _job_id(third) != _job_id(first)
    jobs.wait()
    assert db.session.scalar(select(func.max(Publication.version))) == 2


def test_a_change_after_publish_was_pressed_is_not_published_unchecked(ready, client, auth, jobs):
    ev, org, other = ready.ev, ready.org, ready.other
    with held_worker():
        first = _press_publish(client, auth, org, ev.slug, "es")
        of.document(ev, other, next_steps={"es": "Un paso más.", "fr": "Une étape de plus.", "en": "One more step."})
        second = _press_publish(client, auth, other, ev.slug, "fr")
        assert _job_id(first) != _job_id(second)
    jobs.wait()
    failed = client.get(first + ".json").get_json()
    assert failed["status"] == "failed"
    # The job is in the document's original language (Spanish here), whoever pressed the button.
    assert "publique de nuevo" in failed["error"] and "publique de nuevo" in client.get(first).get_data(as_text=True)
    done = client.get(second + ".json").get_json()
    assert done["status"] == "done"
    versions = db.session.scalars(select(Publication).where(Publication.language == "en")).all()
    assert len(versions) == 1 and "One more step." in versions[0].html


def test_publish_refused_in_the_request_starts_nothing(ready, client, auth, jobs):
    ev, org, other = ready.ev, ready.org, ready.other
    of.message(ready.session, ready.rapporteur, {"es": "Solo en español."}, status="approved", reviewer=other)
    auth.login(org.email)
    refused = client.post(f"/en/manage/events/{ev.slug}/outcome/translations", data={"publish": "1"})
    assert refused.status_code == 422 and "Translations are missing" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_one_preview_per_content_and_language(ready, client, auth, jobs):
    ev, org, other = ready.ev, ready.org, ready.other
    url = f"/en/manage/events/{ev.slug}/outcome/preview.pdf"
    auth.login(org.email)
    with held_worker():
        first = client.get(url).headers["Location"]
        auth.logout()
        auth.login(other.email)
        assert client.get(url).headers["Location"] == first
        assert _job_id(client.get(url.replace("/en/", "/es/")).headers["Location"]) != _job_id(first)
    jobs.wait()
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    of.document(ev, org, symbol="ECS/2022/2")
    assert client.get(url).status_code == 302  # the document changed: a new draft is made
    jobs.wait()
    assert client.get(url).data != pdf.data
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == PREVIEW)) == 3


def test_previews_and_publishing_are_for_organisers_only(ready, client, auth, jobs):
    ev = ready.ev
    outsider = f.user(name="Outsider")
    auth.login(outsider.email)
    assert client.get(f"/en/manage/events/{ev.slug}/outcome/preview.pdf").status_code == 403
    assert client.post(f"/en/manage/events/{ev.slug}/outcome/translations", data={"publish": "1"}).status_code == 403
    assert db.session.scalar(select(func.count(Job.id))) == 0
