"""A deployment with job workers and no mail worker never delivers nor sweeps the outbox: the job worker says so
in its log (`dialogue worker --queues jobs`), and the organisers' outbox asks whether a mail worker is running.

The tests marked `redis` start real `dialogue worker` processes on REDIS_URL's database (flushed first).
"""
from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
import redis
from sqlalchemy import update

from dialogue.extensions import db
from dialogue.jobs.engine import worker_argv
from dialogue.models import OutboxMessage, utcnow

from .test_worker_kill import Worker

NO_MAIL_WORKER = r"No worker takes the mail queue 'dialogue-check-mail'"


@pytest.fixture
def broker():
    """REDIS_URL's database, flushed before and after."""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.flushdb()
    yield os.environ["REDIS_URL"]
    client.flushdb()
    client.close()


def _env(app, tmp_path, **more) -> dict:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "STORAGE_DIR": str(tmp_path / "files"),
           "DIALOGUE_INSTANCE": str(tmp_path / "instance"), "CELERY_QUEUE": "dialogue-check", "MAIL_WORKER_CHECK": "1",
           "PYTHONUNBUFFERED": "1", "DIALOGUE_WORKER_NICE": "0", **more}
    for name in [k for k, v in more.items() if v is None] + ["DIALOGUE_WORKER_QUEUES"]:
        env.pop(name, None)
    return env


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_a_jobs_worker_warns_while_no_worker_takes_the_mail_queue(app, broker, tmp_path):
    env = _env(app, tmp_path, REDIS_URL=broker)
    jobs = Worker("jobs-alone", {**env, "DIALOGUE_WORKER_QUEUES": "jobs"})
    mail = None
    try:
        jobs.wait_for(NO_MAIL_WORKER, timeout=60)
        assert "dialogue worker --queues mail" in jobs.find(NO_MAIL_WORKER)
        mail = Worker("mail-too", {**env, "DIALOGUE_WORKER_QUEUES": "mail"})
        mail.wait_for(r" ready\.")
        assert jobs.wait_for(r"The mail queue 'dialogue-check-mail' is taken by mail-too@", timeout=60)
        # The mail worker, and one taking both queues, never look (they take it themselves).
        assert not mail.find(r"mail queue")
    finally:
        for worker in (jobs, mail):
            if worker is not None:
                worker.stop()


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_a_jobs_worker_beside_a_mail_worker_does_not_warn(app, broker, tmp_path):
    env = _env(app, tmp_path, REDIS_URL=broker)
    both = Worker("both", env)  # `--queues all`, the default
    jobs = None
    try:
        both.wait_for(r" ready\.")
        jobs = Worker("jobs-beside", {**env, "DIALOGUE_WORKER_QUEUES": "jobs"})
        jobs.wait_for(r"The mail queue 'dialogue-check-mail' is taken by both@", timeout=60)
        assert not jobs.find(NO_MAIL_WORKER) and not both.find(r"mail queue"), "".join(jobs.lines[-20:])
    finally:
        for worker in (both, jobs):
            if worker is not None:
                worker.stop()


def test_on_the_embedded_queue_of_make_run_too(app, tmp_path):
    """No Redis: Kombu's filesystem transport answers broadcasts through `instance/queue/control`."""
    env = _env(app, tmp_path, REDIS_URL=None, CELERY_BROKER_URL=None)
    mail = Worker("mail-embedded", {**env, "DIALOGUE_WORKER_QUEUES": "mail"})
    jobs = None
    try:
        mail.wait_for(r" ready\.")
        jobs = Worker("jobs-embedded", {**env, "DIALOGUE_WORKER_QUEUES": "jobs"})
        jobs.wait_for(r"The mail queue 'dialogue-check-mail' is taken by mail-embedded@", timeout=60)
        mail.stop()
        jobs.wait_for(NO_MAIL_WORKER, timeout=60)
    finally:
        for worker in (mail, jobs):
            if worker is not None:
                worker.stop()


def test_workers_are_named_by_what_they_take(monkeypatch):
    """Two workers of one machine under Celery's default name `celery@host` would answer as one."""
    monkeypatch.delenv("DIALOGUE_WORKER_NAME", raising=False)
    assert "--hostname=jobs@%h" in worker_argv(1, None, "info", ["dialogue"], name="jobs@%h")
    monkeypatch.setenv("DIALOGUE_WORKER_NAME", "badges-1@%h")
    assert "--hostname=badges-1@%h" in worker_argv(1, None, "info", ["dialogue"], name="jobs@%h")


# --- the outbox page -----------------------------------------------------------------------------------------------

def _queue_mail(ev, n: int, minutes_ago: int) -> None:
    """Messages queued that long ago, whose delivery no worker took."""
    db.session.add_all([OutboxMessage(recipient=f"d{i}@example.org", subject="Accreditation", body="You are accredited.",
                                      event_id=ev.id, status="queued",
                                      created_at=utcnow() - timedelta(minutes=minutes_ago)) for i in range(n)])
    db.session.commit()


@pytest.mark.parametrize(("lang", "words"), [
    ("en", r"3 messages have waited since (.+?) UTC: is a mail worker running\?"),
    ("fr", r"3 messages attendent depuis le (.+?) UTC : un processus d’envoi du courrier tourne-t-il \?"),
    ("es", r"3 mensajes esperan desde el (.+?) UTC: ¿hay un proceso de envío de correo en marcha\?"),
])
def test_the_outbox_asks_whether_a_mail_worker_runs_when_mail_waits_too_long(app, client, auth, organiser_event,
                                                                             count_queries, lang, words):
    org, ev = organiser_event
    auth.login(org.email)
    url = f"/{lang}/manage/events/{ev.slug}/outbox"
    _queue_mail(ev, 2, minutes_ago=3)
    with count_queries() as fresh:
        page = client.get(url).get_data(as_text=True)
    assert 'id="mail-waiting"' not in page  # 3 minutes: not yet
    _queue_mail(ev, 1, minutes_ago=25)
    with count_queries() as late:
        page = client.get(url).get_data(as_text=True)
    assert 'id="mail-waiting"' in page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('id="mail-waiting"', 1)[1].split("</p>", 1)[0]))
    assert re.search(words, text), text
    assert late.count == fresh.count  # whatever is waiting: the same queries
    # Delivered (or sent by hand), nothing waits: no question.
    db.session.execute(update(OutboxMessage).values(status="sent", sent_at=utcnow()))
    db.session.commit()
    assert 'id="mail-waiting"' not in client.get(url).get_data(as_text=True)
