"""A Celery worker thread for tests, on the in-memory transport, and a way to wait until it is idle.

The worker runs the same tasks as `dialogue worker`, outside any request: tests ask for files
through pages, then `jobs.wait()` returns once every task published so far (and every task those
published) has run.
"""
from __future__ import annotations

import os
import threading
from collections import Counter
from contextlib import contextmanager

from celery.signals import before_task_publish, task_postrun, task_rejected, task_unknown

from dialogue.jobs.engine import mail_queue


def worker_queue(name: str) -> str:
    """The queue `name` of this test process: one per pytest-xdist worker (PYTEST_XDIST_WORKER, e.g. "gw0"),
    so that workers never take each other's tasks, even on a broker they would share."""
    xdist_worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}-{xdist_worker}" if xdist_worker else name


#: Seconds between two looks of a test worker at its in-memory queue (Kombu's default is 1 s: each task
#: of a job, and each test waiting on one, would lose up to a second before the task starts).
POLLING_INTERVAL = 0.01


class Tracker:
    """Counts tasks published to the test workers' queues and not yet run, process-wide (a task sent
    to real worker processes, in the `redis` tests, runs elsewhere and is not waited for)."""

    #: The jobs queue and the mail queue beside it (dialogue/jobs/engine.py) of each app the tests start.
    QUEUES = tuple(name for queue in (worker_queue("dialogue-tests"), worker_queue("dialogue-live"))
                   for name in (queue, mail_queue(queue)))

    def __init__(self):
        #: Task id -> publications to these queues not yet run. By id, not one count: a task that was
        #: never counted (published elsewhere, run at a worker's start) must not make up for one that was.
        #: A retry publishes the same id again (from inside the run that then ends): hence a count per id.
        self.ids: Counter[str] = Counter()
        self.condition = threading.Condition()
        before_task_publish.connect(self._published, weak=False)
        task_postrun.connect(self._ran, weak=False)
        task_unknown.connect(self._ran, weak=False)
        task_rejected.connect(self._ran, weak=False)

    @property
    def pending(self) -> int:
        return sum(self.ids.values())

    def _published(self, routing_key=None, headers=None, **_kwargs):
        if routing_key not in self.QUEUES or not headers or not headers.get("id"):
            return
        with self.condition:
            self.ids[headers["id"]] += 1

    def _ran(self, task_id=None, id=None, message=None, **_kwargs):
        done = task_id or id
        if done is None and message is not None:
            done = (getattr(message, "headers", None) or {}).get("id")
        with self.condition:
            if self.ids.get(done):
                self.ids[done] -= 1
                if not self.ids[done]:
                    del self.ids[done]
            self.condition.notify_all()

    def wait(self, timeout: float = 120) -> None:
        with self.condition:
            if not self.condition.wait_for(lambda: not self.ids, timeout):
                raise TimeoutError(f"{self.pending} background tasks still pending after {timeout} s")


TRACKER = Tracker()


@contextmanager
def running_worker(flask_app):
    """A worker thread for `flask_app`'s Celery app, for as long as the block lasts."""
    from celery.contrib.testing.worker import TestWorkController, start_worker

    class _OwnAppWorker(TestWorkController):
        """Runs tasks with its own Celery app as the current one (thread-local) in its thread.

        A worker looks each task up by name in Celery's *current* app, otherwise the process default: the
        app of whichever test worker started last. With the live server's worker started after the test
        worker (pytest-xdist may order files so), the test worker ran the live app's tasks, on its database.
        """

        def on_consumer_ready(self, consumer):  # called in the worker's thread, before any task
            self.app.set_current()
            # A task with a countdown (a retry, a delayed notice) runs in the worker's timer thread:
            # the same app must be current there, or it runs with the app started last.
            timer = getattr(self, "timer", None)
            if timer is not None:
                timer.call_after(0, self.app.set_current)
            super().on_consumer_ready(consumer)

    celery = flask_app.extensions["celery"]
    if str(celery.conf.broker_url).startswith("memory"):
        celery.conf.broker_transport_options = {**celery.conf.broker_transport_options,
                                                "polling_interval": POLLING_INTERVAL}
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=60, loglevel="WARNING",
                      WorkController=_OwnAppWorker):
        yield TRACKER


def fetch(client, tracker, url: str, **kwargs):
    """GET a file that workers make: ask (which starts the job), wait for the workers, ask again."""
    response = client.get(url, **kwargs)
    if response.status_code == 200 and response.mimetype != "text/html":
        return response
    tracker.wait()
    return client.get(url, **kwargs)


def badge_pdfs(zip_bytes: bytes) -> list[bytes]:
    """The PDFs of a badges ZIP, in order."""
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return [archive.read(name) for name in sorted(archive.namelist())]


def wait_until(check, jobs, timeout: float = 30.0, what: str = "the background work") -> None:
    """Wait for the workers until `check()` is true: a retry or a delayed task (countdown) may still be
    on its way when `jobs.wait()` first returns on a loaded machine. Fails after `timeout` seconds."""
    import time

    from dialogue.extensions import db

    deadline = time.monotonic() + timeout
    while True:
        jobs.wait()
        db.session.expire_all()
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.1)
