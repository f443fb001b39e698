"""The issue's "done means": real worker processes on Redis, one killed with SIGKILL mid-delivery, and
the mail still arrives exactly once, with the outbox saying sent.

Needs Redis (REDIS_URL); uses its own database number (5), flushed first.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.jobs import storage
from dialogue.jobs.models import Job, JobChunk
from dialogue.models import OutboxMessage, utcnow

from . import factories as f
from .delegates import factories as df
from .worker_processes import Worker, flushed, redis_url, worker_env

pytestmark = [pytest.mark.redis,
              pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")]

WEB_SIDE = """
from dialogue import create_app
from dialogue.extensions import db
from dialogue.mail import send_mail
with create_app().app_context():
    message = send_mail("delegate@example.org", "Accreditation", "You are accredited.")
    db.session.commit()
    print(message.id)
"""


@pytest.fixture
def broker():
    """REDIS_URL's server, database 5: this file's own, flushed before and after."""
    with flushed(redis_url(5)) as found:
        yield found


def test_a_worker_killed_mid_delivery_leaves_the_mail_to_another_that_sends_it_once(app, smtp_server, broker, tmp_path):
    url, client = broker
    mailbox = smtp_server.mailbox
    mailbox.hold = threading.Event()
    env = worker_env(app, smtp_server, url, tmp_path)
    workers = [Worker("mail-kill-a", env), Worker("mail-kill-b", env)]
    try:
        for worker in workers:
            worker.wait_for(r" ready\.")
        # The web side, in a process of its own: a change that sends mail, committed.
        web = subprocess.run([sys.executable, "-c", WEB_SIDE], env=env, capture_output=True, text=True, timeout=120,
                             check=False)
        assert web.returncode == 0, web.stderr
        message_id = int(web.stdout.split()[-1])

        assert mailbox.held.wait(60), "no worker reached DATA"
        [(_at, (_host, client_port))] = mailbox.attempts
        [holder] = [w for w in workers if w.holds_connection_to(smtp_server.port, client_port)]
        [other] = [w for w in workers if w is not holder]
        holder.kill()
        assert mailbox.dropped.wait(30), "the server did not see the killed worker go"
        mailbox.hold.set()

        # Redis gives the unacknowledged task to the other worker after the visibility timeout;
        # by then the claim is older than MAIL_SENDING_TIMEOUT, so it sends the message again.
        task = other.wait_for(r"Task dialogue\.deliver_mail\[[^\]]+\] succeeded in [\d.]+s: 'sent'")
        received = mailbox.wait_for(1)
        assert len(received) == 1 and received[0]["To"] == "delegate@example.org"
        task_id = re.search(r"deliver_mail\[([^\]]+)\]", task).group(1)
        db.session.expire_all()
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id))
        assert (message.status, message.attempts, message.error) == ("sent", 2, None)
        assert received[0]["Message-ID"] == message.message_id
        logs = "".join(holder.lines + ["=====\n"] + other.lines)
        assert any(task_id in line and "received" in line for line in holder.lines), logs  # the same task, redelivered
        other.stop()  # a warm shutdown: what it holds unacknowledged goes back to the queue
        # Nothing left to run again, in the jobs queue or in the mail queue (where deliveries go).
        assert client.hlen("unacked") == 0 and client.llen("dialogue") == 0 and client.llen("dialogue-mail") == 0, logs
    finally:
        for worker in workers:
            worker.stop()


def test_a_restarted_worker_sends_what_lost_tasks_left_queued_or_stuck(app, smtp_server, broker, tmp_path):
    """No task in the broker at all (lost with a dead machine): the sweep on worker start finds them."""
    url, _client = broker
    long_ago = utcnow() - timedelta(minutes=5)
    db.session.add_all([
        OutboxMessage(recipient="queued@example.org", subject="Queued", body="Body", status="queued",
                      created_at=long_ago, message_id="<outbox-queued@example.org>"),
        OutboxMessage(recipient="stuck@example.org", subject="Stuck", body="Body", status="sending", attempts=1,
                      created_at=long_ago, last_attempt_at=long_ago, message_id="<outbox-stuck@example.org>"),
        OutboxMessage(recipient="sent@example.org", subject="Sent", body="Body", status="sent", attempts=1,
                      created_at=long_ago, sent_at=long_ago, message_id="<outbox-sent@example.org>"),
    ])
    db.session.commit()
    worker = Worker("mail-restart", worker_env(app, smtp_server, url, tmp_path))
    try:
        worker.wait_for(r"Task dialogue\.sweep_outbox\[[^\]]+\] succeeded in [\d.]+s: 2")
        received = smtp_server.mailbox.wait_for(2)
        assert sorted(m["Message-ID"] for m in received) == ["<outbox-queued@example.org>", "<outbox-stuck@example.org>"]
        worker.wait_for(r"Task dialogue\.deliver_mail\[[^\]]+\] succeeded in [\d.]+s: 'sent'")
    finally:
        worker.stop()
    db.session.expire_all()
    states = {m.recipient: (m.status, m.attempts) for m in db.session.scalars(select(OutboxMessage))}
    assert states == {"queued@example.org": ("sent", 1), "stuck@example.org": ("sent", 2), "sent@example.org": ("sent", 1)}
    assert len(smtp_server.mailbox.messages) == 2


BADGES_WEB_SIDE = """
import sys
from dialogue import create_app
from dialogue.extensions import db
from dialogue.jobs import services
from dialogue.models import User
from dialogue.sessions.models import Event
with create_app().app_context():
    event, organiser = db.session.get(Event, int(sys.argv[1])), db.session.get(User, int(sys.argv[2]))
    job = services.start("badges", event, "en", organiser)
    db.session.commit()
    print(job.id)
"""


def test_a_worker_killed_mid_chunk_leaves_the_badges_job_to_finish_once(app, smtp_server, broker, tmp_path):
    """Three delegations, one chunk each: the worker that takes a chunk first is killed while it renders."""
    url, client = broker
    organiser, event = f.user(), f.event()
    grant_role(organiser, event, "organiser")
    db.session.commit()
    for country in ("PE", "CL", "MX"):
        df.many_delegates(df.delegation(event, country, quota=90), 80)
    # One chunk per delegation, each ten pages of WeasyPrint (seconds even on a quiet machine, since badges
    # got cheaper): time enough to kill a worker in it.
    env = {**worker_env(app, smtp_server, url, tmp_path), "BADGES_PER_CHUNK": "80", "BADGES_PER_PART": "80"}
    logs = threading.Condition()
    workers = [Worker("badges-kill-a", env, logs), Worker("badges-kill-b", env, logs)]
    try:
        for worker in workers:
            worker.wait_for(r" ready\.")
        web = subprocess.run([sys.executable, "-c", BADGES_WEB_SIDE, str(event.id), str(organiser.id)], env=env,
                             capture_output=True, text=True, timeout=120, check=False)
        assert web.returncode == 0, web.stderr
        job_id = int(web.stdout.split()[-1])

        chunk_received = r"Task dialogue\.run_chunk\[[^\]]+\] received"
        with logs:
            assert logs.wait_for(lambda: any(w.find(chunk_received) for w in workers), 120), "no chunk started"
            [victim, *_] = [w for w in workers if w.find(chunk_received)]
            victim.kill()
        killed_task = re.search(r"run_chunk\[([^\]]+)\]", victim.find(chunk_received)).group(1)
        [survivor] = [w for w in workers if w is not victim]
        db.session.expire_all()
        assert db.session.get(Job, job_id).chunks_done < 3

        survivor.wait_for(r"Task dialogue\.assemble_job\[[^\]]+\] succeeded")
        # The killed worker's chunk, never finished there, was delivered again to the survivor.
        assert not victim.find(rf"run_chunk\[{killed_task}\] succeeded")
        assert survivor.find(rf"run_chunk\[{killed_task}\] succeeded")
        logs_text = "".join(victim.lines + ["=====\n"] + survivor.lines)
        survivor.stop()  # a warm shutdown: anything it still held goes back to the queue
        assert client.hlen("unacked") == 0 and client.llen("dialogue") == 0, logs_text
    finally:
        for worker in workers:
            worker.stop()
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.status, job.chunks_done, job.chunks_total, job.done, job.total) == ("done", 3, 3, 240, 240), logs_text
    assert [c.status for c in db.session.scalars(select(JobChunk).where(JobChunk.job_id == job_id))] == ["done"] * 3
    previous = app.config["STORAGE_DIR"]
    app.config["STORAGE_DIR"] = env["STORAGE_DIR"]
    try:
        zipped = storage.read(job.sha256)
    finally:
        app.config["STORAGE_DIR"] = previous
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        names = archive.namelist()
        assert len(names) == 3 and len(set(names)) == 3, names
        assert all(archive.read(name).startswith(b"%PDF") for name in names)
