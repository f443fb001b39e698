"""Served surfaces keep the event's head per worker for SERVE_HEAD_TTL: no query on a repeated request,
a change committed by this process shows at once, one made elsewhere within the TTL."""
import time

import pytest
from sqlalchemy import create_engine, update

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.sessions.models import Event, MeetingSession

from . import factories as f
from .outcomes import factories as of
from .workers import fetch

PAGE, JSON, ICS = "/en/events/{}/", "/api/v1/events/{}/sessions", "/events/{}/agenda.ics?lang=en"
TEXT = {"es": "Los datos abiertos mejoran la rendición de cuentas.", "fr": "Les données ouvertes améliorent la redevabilité.",
        "en": "Open data improve accountability."}


@pytest.fixture
def ttl(app):
    """Set the app's SERVE_HEAD_TTL for one test (the suite runs with 0: every request asks)."""
    def set_ttl(seconds: float) -> None:
        app.config["SERVE_HEAD_TTL"] = seconds
    yield set_ttl
    app.config["SERVE_HEAD_TTL"] = 0


def _published(jobs):
    """An event with a session, its English agenda PDF made and an outcome document published."""
    ev, s, org, rap = of.setting()
    reviewer = f.user(name="Reviewer")
    grant_role(reviewer, ev, "organiser")
    db.session.commit()
    of.message(s, rap, TEXT, status="approved", reviewer=reviewer)
    doc = of.document(ev, org)
    of.publish(doc, org, jobs)
    return ev, s, doc, org


def _urls(slug: str) -> list[str]:
    return [u.format(slug) for u in (PAGE, JSON, ICS)] + [f"/en/events/{slug}/agenda.pdf", f"/en/events/{slug}/outcome.pdf"]


def test_repeated_requests_within_the_ttl_make_no_query(jobs, app, client, count_queries, ttl):
    ev, _s, _doc, _org = _published(jobs)
    ttl(60)
    first = {}
    for url in _urls(ev.slug):
        first[url] = fetch(client, jobs, url)  # the agenda PDF: asked, made by the worker, asked again
        assert first[url].status_code == 200, url
        assert client.get(url).status_code == 200  # every head and page now kept
    with count_queries() as counter:
        for url, response in first.items():
            again = client.get(url)
            assert again.status_code == 200 and again.data == response.data, url
            held = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
            assert held.status_code == 304, url
    assert counter.statements == []
    ttl(0)  # the same requests without the TTL: one query each (the outcome's bytes are kept by their SHA-256)
    with count_queries() as counter:
        for url in first:
            assert client.get(url).status_code == 200
    assert counter.count == len(first)


def test_a_change_committed_by_this_process_shows_at_once(jobs, app, client, ttl):
    ev, s, doc, org = _published(jobs)
    ttl(60)
    pdf = fetch(client, jobs, f"/en/events/{ev.slug}/agenda.pdf")
    outcome = client.get(f"/en/events/{ev.slug}/outcome.pdf")
    before = {url: client.get(url) for url in _urls(ev.slug)[:3]}
    assert all("Dialogue of the regions" not in r.get_data(as_text=True) for r in before.values())
    s.title = {**s.title, "en": "Dialogue of the regions"}
    db.session.commit()  # bumps the event's revision; this process forgets the heads it kept
    for url, response in before.items():
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 200 and "Dialogue of the regions" in again.get_data(as_text=True), url
    # The agenda PDF: the file of the previous revision, saying a newer one is being made.
    again = client.get(f"/en/events/{ev.slug}/agenda.pdf")
    assert again.data == pdf.data and "newer version" in again.headers["Warning"]
    jobs.wait()
    fresh = client.get(f"/en/events/{ev.slug}/agenda.pdf")
    assert fresh.status_code == 200 and fresh.data != pdf.data and "Warning" not in fresh.headers
    # A new version of the outcome document, published by the worker of this process.
    of.edit_document(doc, org, next_steps=[{"es": "Otro paso.", "fr": "Une autre étape.", "en": "Another step."}])
    of.publish(doc, org, jobs)
    current = client.get(f"/en/events/{ev.slug}/outcome.pdf")
    assert current.status_code == 200 and current.data != outcome.data
    assert client.get(f"/en/events/{ev.slug}/outcome.pdf",
                      headers={"If-None-Match": outcome.headers["ETag"]}).status_code == 200


def test_a_change_made_elsewhere_shows_within_the_ttl(jobs, app, client, ttl):
    ev = f.event()
    s = f.session(ev, "PL1", title={"fr": "Ouverture", "es": "Apertura", "en": "Opening"})
    seconds = 3.0
    ttl(seconds)
    urls = _urls(ev.slug)[:3]
    before = {url: client.get(url) for url in urls}
    kept_at = time.monotonic()
    assert all("Opening" in r.get_data(as_text=True) for r in before.values())
    # Another worker or machine: its own connection, no session of this process.
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.begin() as conn:  # what a change through the app writes: the session, the event's revision
            conn.execute(update(MeetingSession).where(MeetingSession.id == s.id).values(
                title={"fr": "Clôture", "es": "Clausura", "en": "Closing"}))
            conn.execute(update(Event).where(Event.id == ev.id).values(revision=Event.revision + 1))
    finally:
        other.dispose()
    db.session.expire_all()  # the test's session, which the client's requests share, read the old rows
    for url in urls:  # within the TTL this worker still serves the revision it knows, with its ETag
        response = client.get(url)
        if time.monotonic() - kept_at < seconds:
            assert response.data == before[url].data and response.headers["ETag"] == before[url].headers["ETag"]
    time.sleep(max(0.0, seconds - (time.monotonic() - kept_at)) + 0.1)
    for url in urls:
        response = client.get(url, headers={"If-None-Match": before[url].headers["ETag"]})
        assert response.status_code == 200 and "Closing" in response.get_data(as_text=True), url
