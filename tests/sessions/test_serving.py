"""Serving stored files: one query a request, the same answers as static files, and drafts stay private."""
from dialogue.auth import grant_role
from dialogue.extensions import db

from .. import factories as f
from ..workers import fetch


def test_stored_agenda_pdf_costs_one_query_for_200_304_and_206(jobs, client, app, count_queries):
    ev = f.event()
    f.session(ev, "PL1")
    url = f"/en/events/{ev.slug}/agenda.pdf"
    first = fetch(client, jobs, url)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    with count_queries() as counter:
        again = client.get(url)
        held = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        part = client.get(url, headers={"Range": "bytes=0-4"})
    assert counter.count == 3  # one light query (the event and its newest file) per request
    assert again.data == first.data and again.headers["Content-Length"] == str(len(first.data))
    assert "public" in again.headers["Cache-Control"].split(", ") and "Last-Modified" in again.headers
    assert again.headers["Content-Disposition"] == f"inline; filename={ev.slug}-agenda-en.pdf"
    assert held.status_code == 304 and held.data == b""
    assert part.status_code == 206 and part.data == b"%PDF-"
    assert part.headers["Content-Range"] == f"bytes 0-4/{len(first.data)}"


def test_a_draft_events_files_are_not_public(jobs, client, app, auth):
    ev = f.event(status="draft")
    f.session(ev, "PL1")
    organiser = f.user("organiser@example.org")
    grant_role(organiser, ev, "organiser")
    db.session.commit()
    auth.login("organiser@example.org")
    url = f"/en/events/{ev.slug}/agenda.pdf"
    mine = fetch(client, jobs, url)
    assert mine.status_code == 200 and "public" not in mine.headers["Cache-Control"]
    auth.logout()
    assert client.get(url).status_code == 404  # the file exists, but not for visitors
    assert client.get(url, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 404
    ev.status = "published"
    db.session.commit()
    assert client.get(url).status_code == 200  # published: the same file, for everyone
    ev.status = "draft"
    db.session.commit()
    assert client.get(url).status_code == 404  # unpublished again: no node serves it any more
