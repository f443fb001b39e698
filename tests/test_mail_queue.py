"""Mail has a queue of its own: `dialogue worker --queues mail` delivers it however busy the job workers are, a
worker started with `--queues jobs` never takes it, and one with the default (`all`) takes both, on Redis as on the
embedded filesystem transport of `make run`.

The tests marked `redis` start real `dialogue worker` processes on REDIS_URL's database (flushed first).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from dialogue import create_app
from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.jobs.engine import MAIL_TASKS, queue_for, queues_named, worker_argv
from dialogue.jobs.models import Job
from dialogue.models import OutboxMessage

from . import factories as f
from .delegates import factories as df
from .worker_processes import Worker, flushed, redis_url, worker_env

#: Seconds within which a mail worker must deliver a queued mail (it takes well under one on a quiet machine).
PROMPTLY = 15


def test_mail_tasks_go_to_the_mail_queue_and_everything_else_to_the_jobs_queue(app):
    celery = app.extensions["celery"]
    queue = app.config["CELERY_QUEUE"]
    mail = {"dialogue.deliver_mail", "dialogue.sweep_outbox", "dialogue.send_change_notices",
            "dialogue.delegations_reminders"}
    assert MAIL_TASKS == mail
    ours = {name for name in celery.tasks if name.startswith("dialogue.")}
    assert mail < ours and {"dialogue.run_job", "dialogue.run_chunk", "dialogue.sweep"} < ours
    for name in sorted(ours):
        routed = celery.amqp.router.route({}, name)
        expected = f"{queue}-mail" if name in mail else queue
        assert (name, routed["queue"].name, routed["queue"].routing_key) == (name, expected, expected)
        assert queue_for(name, queue) == expected
    # Priorities stay as they were, within each queue.
    priorities = {name: celery.amqp.router.route({}, name)["priority"] for name in
                  ("dialogue.deliver_mail", "dialogue.sweep_outbox", "dialogue.run_job", "dialogue.run_chunk")}
    assert priorities == {"dialogue.deliver_mail": 0, "dialogue.sweep_outbox": 0, "dialogue.run_job": 3,
                          "dialogue.run_chunk": 6}
    # A worker without -Q (`--queues all`, `make run`'s, the tests') takes both queues.
    assert set(celery.amqp.queues.consume_from) == {queue, f"{queue}-mail"}


def test_dialogue_worker_queues_option_picks_the_queues(app):
    queue = app.config["CELERY_QUEUE"]
    assert queues_named(app, "all") == [queue, f"{queue}-mail"]
    assert queues_named(app, "jobs") == [queue]
    assert queues_named(app, "mail") == [f"{queue}-mail"]
    assert f"--queues={queue}-mail" in worker_argv(1, None, "info", queues_named(app, "mail"))
    help_text = subprocess.run([sys.executable, "-m", "dialogue.cli", "worker", "--help"], capture_output=True,
                               text=True, check=True, env={**os.environ, "FLASK_APP": "dialogue"}).stdout
    assert "--queues [all|jobs|mail]" in help_text


@contextmanager
def web_side(app, smtp_server, **config):
    """An app context of the web side, as a web server has it: this test's database, the broker of `config`."""
    web = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                      "CELERY_QUEUE": "dialogue", "MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port,
                      "MAIL_USE_TLS": False, "STORAGE_DIR": app.config["STORAGE_DIR"], **config})
    with web.app_context():
        yield web
        db.session.remove()


def send_one(recipient: str) -> int:
    """Put a mail in the outbox and commit: its delivery is published to the broker."""
    from dialogue.mail import send_mail
    message = send_mail(recipient, "Accreditation", "You are accredited.")
    db.session.commit()
    return message.id


def start_badges(event_id: int, organiser_id: int) -> int:
    from dialogue.jobs import services
    from dialogue.models import User
    from dialogue.sessions.models import Event
    job = services.start("badges", db.session.get(Event, event_id), "en", db.session.get(User, organiser_id))
    db.session.commit()
    return job.id


def outbox_state(message_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))


def test_a_single_worker_on_the_filesystem_transport_takes_both_queues(app, smtp_server, tmp_path, monkeypatch):
    """`make run`'s worker: no Redis, the embedded filesystem queue, one worker with the default `--queues all`."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("DIALOGUE_INSTANCE", str(instance))
    env = {**os.environ, "DIALOGUE_INSTANCE": str(instance), "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "MAIL_SERVER": smtp_server.host, "MAIL_PORT": str(smtp_server.port), "MAIL_USE_TLS": "0",
           "STORAGE_DIR": app.config["STORAGE_DIR"], "PYTHONUNBUFFERED": "1", "DIALOGUE_WORKER_NICE": "0"}
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_QUEUE", "DIALOGUE_WORKER_QUEUES"):
        env.pop(name, None)
    worker = Worker("embedded", env)
    try:
        # Its start sweeps both queues: the jobs sweep ran from the jobs queue, the outbox's from the mail queue.
        worker.wait_for(r"Task dialogue\.sweep\[[^\]]+\] succeeded")
        worker.wait_for(r"Task dialogue\.sweep_outbox\[[^\]]+\] succeeded")
        with web_side(app, smtp_server, CELERY_BROKER_URL=None, REDIS_URL=None) as web:
            assert web.extensions["celery"].conf.broker_url.startswith("filesystem")
            message_id = send_one("embedded@example.org")
        [received] = smtp_server.mailbox.wait_for(1)
        assert received["To"] == "embedded@example.org"
        worker.wait_for(r"Task dialogue\.deliver_mail\[[^\]]+\] succeeded in [\d.]+s: 'sent'")
        assert outbox_state(message_id) == "sent"
        assert {p.name.split(".", 1)[1] for p in (instance / "queue" / "processed").iterdir()} <= {
            "dialogue.msg", "dialogue-mail.msg"}
    finally:
        worker.stop()


# --- real workers on Redis ---------------------------------------------------------------------------------------

@pytest.fixture
def broker():
    """REDIS_URL's database, flushed before and after."""
    with flushed(redis_url()) as found:
        yield found


def badges_event(badges: int) -> tuple[int, int]:
    organiser, event = f.user(), f.event()
    grant_role(organiser, event, "organiser")
    db.session.commit()
    df.many_delegates(df.delegation(event, "PE", quota=badges + 10), badges)
    return event.id, organiser.id


def queued_tasks(client, queue: str) -> list[str]:
    """The names of the tasks waiting in `queue` on Redis, at every priority step."""
    keys = [key for key in client.keys(f"{queue}*") if key.decode().partition("\x06\x16")[0] == queue]
    return sorted(json.loads(body)["headers"]["task"] for key in keys for body in client.lrange(key, 0, -1))


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_a_mail_worker_delivers_at_once_while_the_job_worker_is_held_by_a_badges_job(app, smtp_server, broker, tmp_path):
    """The jobs worker takes a chunk of a badges job and is then frozen (SIGSTOP) in the middle of it, holding its
    message and whatever it prefetched: the longest a job can keep a worker busy. A mail queued then is delivered by
    the mail worker (`--queues mail --nice 0`) within seconds, while the job is still running."""
    url, _client = broker
    event_id, organiser_id = badges_event(80)
    env = {**worker_env(app, smtp_server, url, tmp_path), "BADGES_PER_CHUNK": "40", "BADGES_PER_PART": "40"}
    jobs_worker = Worker("jobs-busy", {**env, "DIALOGUE_WORKER_QUEUES": "jobs"})
    mail_worker = Worker("mail-only", {**env, "DIALOGUE_WORKER_QUEUES": "mail", "DIALOGUE_WORKER_NICE": "0"})
    try:
        for worker in (jobs_worker, mail_worker):
            worker.wait_for(r" ready\.")
        with web_side(app, smtp_server, CELERY_BROKER_URL=None, REDIS_URL=url):
            job_id = start_badges(event_id, organiser_id)
            jobs_worker.wait_for(r"Task dialogue\.run_chunk\[[^\]]+\] received")
            os.killpg(jobs_worker.process.pid, signal.SIGSTOP)  # the worker and its pool process, mid-job
            queued_at = time.monotonic()
            message_id = send_one("delegate@example.org")
        [received] = smtp_server.mailbox.wait_for(1, timeout=60)
        waited = time.monotonic() - queued_at
        assert received["To"] == "delegate@example.org"
        mail_worker.wait_for(r"Task dialogue\.deliver_mail\[[^\]]+\] succeeded in [\d.]+s: 'sent'")
        assert outbox_state(message_id) == "sent"
        db.session.expire_all()
        assert db.session.get(Job, job_id).status == "running"  # the job worker still holds its chunk
        assert waited < PROMPTLY, f"the mail waited {waited:.1f} s"
        print(f"mail delivered {waited:.2f} s after it was queued, the job worker frozen mid-chunk")

        os.killpg(jobs_worker.process.pid, signal.SIGCONT)
        jobs_worker.wait_for(r"Task dialogue\.assemble_job\[[^\]]+\] succeeded")
        db.session.expire_all()
        assert db.session.get(Job, job_id).status == "done"
        logs = "".join(jobs_worker.lines + ["=====\n"] + mail_worker.lines)
        # Each took only its own queue's tasks.
        assert not any(jobs_worker.logged(task) for task in ("deliver_mail", "sweep_outbox")), logs
        assert not any(mail_worker.logged(task) for task in ("run_job", "run_chunk", "assemble_job", "sweep")), logs
        assert len(smtp_server.mailbox.messages) == 1
    finally:
        if jobs_worker.process.poll() is None:
            os.killpg(jobs_worker.process.pid, signal.SIGCONT)
        for worker in (jobs_worker, mail_worker):
            worker.stop()


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_with_no_job_worker_mail_goes_out_and_a_job_worker_never_takes_mail(app, smtp_server, broker, tmp_path):
    url, client = broker
    event_id, organiser_id = badges_event(6)
    env = worker_env(app, smtp_server, url, tmp_path)
    with web_side(app, smtp_server, CELERY_BROKER_URL=None, REDIS_URL=url):
        job_id = start_badges(event_id, organiser_id)  # waits in the jobs queue: no worker takes it yet
        first = send_one("first@example.org")

    # 1. A mail worker alone: the mail goes out, the job stays queued.
    mail_worker = Worker("mail-alone", {**env, "DIALOGUE_WORKER_QUEUES": "mail", "DIALOGUE_WORKER_NICE": "0"})
    try:
        mail_worker.wait_for(r"Task dialogue\.deliver_mail\[[^\]]+\] succeeded in [\d.]+s: 'sent'")
        mail_worker.wait_for(r"Task dialogue\.sweep_outbox\[[^\]]+\] succeeded")  # its start's sweep, in the mail queue
        assert outbox_state(first) == "sent"
        assert [m["To"] for m in smtp_server.mailbox.messages] == ["first@example.org"]
    finally:
        mail_worker.stop()
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == "queued"
    # run_job waits in the jobs queue, at its priority, with the erasure every worker start asks for.
    assert queued_tasks(client, "dialogue") == ["dialogue.erase_personal_data", "dialogue.run_job"]
    assert not any(mail_worker.logged(task) for task in ("run_job", "sweep")), "".join(mail_worker.lines)

    # 2. A job worker alone: it makes the badges; a mail queued meanwhile waits in the mail queue for a mail worker.
    with web_side(app, smtp_server, CELERY_BROKER_URL=None, REDIS_URL=url):
        second = send_one("second@example.org")
    jobs_worker = Worker("jobs-alone", {**env, "DIALOGUE_WORKER_QUEUES": "jobs"})
    try:
        jobs_worker.wait_for(r"Task dialogue\.assemble_job\[[^\]]+\] succeeded")
        time.sleep(2)  # idle now, with a mail waiting
        assert queued_tasks(client, "dialogue-mail") == ["dialogue.deliver_mail"], "".join(mail_worker.lines + ["=====\n"] + jobs_worker.lines)
        assert not any(jobs_worker.logged(task) for task in ("deliver_mail", "sweep_outbox")), "".join(jobs_worker.lines)
    finally:
        jobs_worker.stop()
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == "done"
    assert outbox_state(second) == "queued"
    assert len(smtp_server.mailbox.messages) == 1
