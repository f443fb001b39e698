"""Real workers on Redis: one is killed (SIGKILL) in the middle of a badge job; the job still finishes,
each chunk counted once, each delegation's badges once in the ZIP."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from sqlalchemy import select

pytestmark = [pytest.mark.redis,
              pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")]

REDIS_DB = "redis://127.0.0.1:6379/6"


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    """An app on its own database and Redis db, and a way to start real `dialogue worker` processes."""
    import redis
    database = os.environ.get("DATABASE_URL")
    if database and "postgresql" in database:
        import psycopg
        base, _, _name = database.rpartition("/")
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS dialogue_kill")
            conn.execute("CREATE DATABASE dialogue_kill")
        database = f"{base}/dialogue_kill"
    else:
        database = f"sqlite:///{tmp_path / 'kill.sqlite'}"
    env = {**os.environ, "DATABASE_URL": database, "REDIS_URL": REDIS_DB, "DIALOGUE_INSTANCE": str(tmp_path),
           "STORAGE_DIR": str(tmp_path / "files"), "SECRET_KEY": "kill-test", "CELERY_VISIBILITY_TIMEOUT": "5",
           "BADGES_PER_CHUNK": "6", "BADGES_PER_PART": "6", "CELERY_QUEUE": "dialogue-kill"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    redis.Redis.from_url(REDIS_DB).flushdb()
    from dialogue import create_app
    from dialogue.extensions import db
    app = create_app({"CELERY_QUEUE": "dialogue-kill"})
    with app.app_context():
        db.create_all()
    workers = []

    def start_worker(name):
        worker_env = {**env, "DIALOGUE_WORKER_NAME": f"{name}@%h"}
        process = subprocess.Popen([sys.executable, "-m", "dialogue.cli", "worker", "--concurrency", "1",
                                    "--loglevel", "warning"], env=worker_env, start_new_session=True)
        workers.append(process)
        return process
    yield app, start_worker
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError(what)


def test_a_worker_killed_mid_job_leaves_the_job_to_finish_once(cluster):
    from dialogue.auth import grant_role
    from dialogue.extensions import db
    from dialogue.jobs import services
    from dialogue.jobs.models import Job, JobChunk

    from . import factories as f
    from .delegates import factories as df
    app, start_worker = cluster
    with app.app_context():
        org = f.user()
        ev = f.event()
        grant_role(org, ev, "organiser")
        db.session.commit()
        for country in ("AR", "BO", "CL", "CO", "EC", "PE"):
            df.many_delegates(df.delegation(ev, country, quota=30), 6)
        first, second = start_worker("one"), start_worker("two")
        job = services.start("badges", ev, "en", org)
        db.session.commit()
        job_id = job.id

        def progress():
            db.session.expire_all()
            return db.session.get(Job, job_id)
        _wait(lambda: progress().chunks_done >= 1, 180, "no chunk finished")
        assert progress().chunks_done < progress().chunks_total, "too late to kill in the middle"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        _wait(lambda: progress().status in ("done", "failed"), 300, "the job did not finish")
        job = progress()
        assert job.status == "done", job.error_detail
        assert job.chunks_done == job.chunks_total == 6 and job.done == job.total == 36
        chunks = db.session.scalars(select(JobChunk).where(JobChunk.job_id == job_id)).all()
        assert all(c.status == "done" for c in chunks)
        from dialogue.jobs import storage
        names = zipfile.ZipFile(io.BytesIO(storage.read(job.sha256))).namelist()
        assert len(names) == len(set(names)) == 6
        assert second.poll() is None
