"""With REDIS_URL, a change committed in one process shows at once in every other (cache_bus.py): each web
process forgets the head rows it keeps for SERVE_HEAD_TTL when another process announces a commit on Redis."""
from __future__ import annotations

import os
import sys
import time

import pytest
import redis

from dialogue import cache_bus
from dialogue.extensions import db

from . import factories as f
from .delegates.test_warm_servers import server  # noqa: F401  (the fixture: real server processes)

OPENING = {"fr": "Ouverture", "es": "Apertura", "en": "Opening"}


@pytest.fixture
def broker():
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.flushdb()
    yield os.environ["REDIS_URL"], client
    client.flushdb()
    client.close()


def _retitle(s, app, words: str, redis_url: str | None) -> None:
    """Rename the session in this process (the test's app) and commit, announcing it when `redis_url` is set."""
    app.config["REDIS_URL"] = redis_url
    try:
        s.title = {"fr": words, "es": words, "en": words}
        db.session.commit()
    finally:
        app.config["REDIS_URL"] = None


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_a_change_committed_in_another_process_shows_in_milliseconds(app, broker, server):  # noqa: F811
    url, client = broker
    ev = f.event()
    s = f.session(ev, "PL1", title=OPENING)
    db.session.commit()
    page = f"/en/events/{ev.slug}/"
    # A gunicorn worker that keeps heads a minute: without a message, a change would show after a minute.
    web = server(sys.executable, "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:PORT", "dialogue:create_app()",
                 REDIS_URL=url, SERVE_HEAD_TTL="60", CELERY_QUEUE=app.config["CELERY_QUEUE"])
    name = cache_bus.channel(app)
    deadline = time.monotonic() + 60
    while client.pubsub_numsub(name)[0][1] < 1:  # it listens from its first request on
        status, text = web.fetch(page)
        assert status == 200 and "Opening" in text
        assert time.monotonic() < deadline, "the worker does not listen"
    # Announced: the worker forgets at once (and has then made its first connection's forgetting too).
    shown = []
    for words in ("Closing", "Summing up"):
        _retitle(s, app, words, url)
        committed = time.monotonic()
        while words not in web.fetch(page)[1]:
            assert time.monotonic() - committed < 1, f"{words!r} did not show within a second"
        shown.append(time.monotonic() - committed)
    # Committed without announcing (no REDIS_URL here): the worker serves the head it keeps, for a minute.
    _retitle(s, app, "Adjourned", None)
    assert all("Summing up" in web.fetch(page)[1] for _ in range(3))
    print("a change committed in another process showed there within "
          + " and ".join(f"{seconds * 1000:.0f} ms" for seconds in shown))


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_a_mail_delivery_alone_is_not_announced(app, broker):
    """A burst of mail would otherwise make every web process ask the database on every request."""
    from sqlalchemy import update

    from dialogue.models import OutboxMessage
    url, client = broker
    ev = f.event()
    s = f.session(ev, "PL1", title=OPENING)
    db.session.add(OutboxMessage(recipient="a@example.org", subject="S", body="B", event_id=ev.id, status="kept"))
    db.session.commit()
    with client.pubsub(ignore_subscribe_messages=True) as listening:
        listening.subscribe(cache_bus.channel(app))
        assert listening.get_message(timeout=1) is None  # the subscription's own answer
        app.config["REDIS_URL"] = url
        try:
            db.session.execute(update(OutboxMessage).values(status="sent", sent_at=db.func.now()))  # as the mailer
            db.session.commit()
            db.session.add(OutboxMessage(recipient="b@example.org", subject="S", body="B", status="kept"))
            db.session.commit()
        finally:
            app.config["REDIS_URL"] = None
        _retitle(s, app, "Closing", url)  # then a change that shows: announced
        heard = []
        while (message := listening.get_message(timeout=2)) is not None:
            heard.append(message["data"])
    assert len(heard) == 1


def test_a_commit_does_not_wait_for_redis_when_it_is_away(app):
    ev = f.event()
    s = f.session(ev, "PL1", title=OPENING)
    db.session.commit()
    began = time.monotonic()
    _retitle(s, app, "Closing", "redis://127.0.0.1:1/0")  # nothing listens there
    _retitle(s, app, "Summing up", "redis://127.0.0.1:1/0")  # within the back-off: not even tried
    assert time.monotonic() - began < 2 * cache_bus.REDIS_TIMEOUT + 0.5
    db.session.expire_all()
    assert s.title["en"] == "Summing up"
    cache_bus._quiet_until = 0.0  # the next test announces again at once
