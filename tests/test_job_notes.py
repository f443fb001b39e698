"""While a newer file is being made, the one people get now is marked: on the public agenda page
next to "Agenda as PDF", and in the organisers' Files list, in each language."""
from __future__ import annotations

from sqlalchemy import select, update

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.jobs.models import Job
from dialogue.sessions.models import Event

from . import factories as f

NOTES = {"en": "A newer version of this PDF is being prepared.",
         "fr": "Une version plus récente de ce PDF est en préparation.",
         "es": "Se está preparando una versión más reciente de este PDF."}


def _agenda_change_not_yet_remade(ev) -> None:
    """The agenda changed and no worker has made its PDF again yet (a bulk update: no refresh is sent)."""
    db.session.execute(update(Event).where(Event.id == ev.id).values(revision=Event.revision + 1))
    db.session.commit()


def test_the_agenda_page_says_a_newer_pdf_is_being_prepared(app, client, jobs):
    ev = f.event()
    f.session(ev, "PL1")
    for lang in NOTES:
        client.get(f"/{lang}/events/{ev.slug}/agenda.pdf")
    jobs.wait()
    for lang, note in NOTES.items():
        assert note not in client.get(f"/{lang}/events/{ev.slug}/").get_data(as_text=True)
    _agenda_change_not_yet_remade(ev)
    for lang, note in NOTES.items():
        page = client.get(f"/{lang}/events/{ev.slug}/").get_data(as_text=True)
        assert note in page, lang
        assert page.index(note) > page.index("agenda.pdf")  # beside the link
        old = client.get(f"/{lang}/events/{ev.slug}/agenda.pdf")  # the older PDF, and a new one starts
        assert old.data.startswith(b"%PDF") and "Warning" in old.headers
    jobs.wait()
    for lang, note in NOTES.items():
        page = client.get(f"/{lang}/events/{ev.slug}/").get_data(as_text=True)
        assert note not in page  # the new one is made: the page (cached again) says nothing
        assert client.get(f"/{lang}/events/{ev.slug}/").get_data(as_text=True) == page


def test_the_files_list_marks_a_file_about_to_be_replaced(app, client, auth, jobs):
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    f.session(ev, "PL1")
    db.session.commit()
    auth.login(org.email)
    client.get(f"/fr/events/{ev.slug}/agenda.pdf")
    jobs.wait()
    listing = client.get(f"/fr/manage/events/{ev.slug}/jobs/").get_data(as_text=True)
    assert NOTES["fr"] not in listing
    done = db.session.scalar(select(Job).where(Job.status == "done"))
    # A newer one waits for a worker (queued, its message not yet taken).
    db.session.add(Job(key=done.key + ":next", event_id=ev.id, kind=done.kind, language="fr", params={},
                       revision=done.revision + 1, status="queued"))
    db.session.commit()
    listing = client.get(f"/fr/manage/events/{ev.slug}/jobs/").get_data(as_text=True)
    assert listing.count(NOTES["fr"]) == 1
    # Once made, the newer one is the file; nothing is marked any more.
    db.session.execute(update(Job).where(Job.id == done.id).values(revision=done.revision - 1))
    newer = db.session.scalar(select(Job).where(Job.status == "queued"))
    newer.status, newer.sha256 = "done", done.sha256
    db.session.commit()
    assert NOTES["fr"] not in client.get(f"/fr/manage/events/{ev.slug}/jobs/").get_data(as_text=True)
