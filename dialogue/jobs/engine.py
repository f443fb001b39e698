"""The job engine: one Celery app per Flask app, Redis when REDIS_URL is set, an embedded queue otherwise.

Heavy work (PDFs, spreadsheets, mail) never runs in a request. A service records a `Job` (or an
outbox message) in the same transaction as the change that causes it; when that transaction
commits, the message naming it is published to Celery. Workers (`dialogue worker`) take it, with
late acknowledgement: a worker killed mid-task leaves its message to be delivered again, and the
tasks are written to be run twice safely.

Without Redis (a newcomer's `make run`), the broker is Kombu's filesystem transport in
`instance/queue/`, and `dialogue serve` starts a worker beside the web server: the same code
path, no other service to install. Tests run a worker thread on the in-memory transport.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_ready
from flask import Flask
from kombu import Exchange, Queue
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

#: The tasks whose only work is mail (delivering it, or writing notices and reminders to the outbox): they
#: go to a queue of their own, `<CELERY_QUEUE>-mail`, so that a worker started with `--queues mail` delivers
#: mail at once however many badge chunks wait in (or are prefetched from) the jobs queue.
MAIL_TASKS = frozenset({"dialogue.deliver_mail", "dialogue.sweep_outbox", "dialogue.send_change_notices",
                        "dialogue.delegations_reminders"})
#: Message priorities on Redis, within each queue (0 first; Kombu's steps are 0, 3, 6, 9): a worker that
#: takes both queues takes mail first, and a small job (an agenda, a delegation's preview) starts before
#: the remaining chunks of a large one. The embedded transports ignore priorities.
PRIORITIES = {"dialogue.deliver_mail": 0, "dialogue.sweep_outbox": 0, "dialogue.run_chunk": 6}
DEFAULT_PRIORITY = 3
#: How much a job worker yields the CPU to the web server on the same machine (`dialogue worker
#: --nice`): renders are CPU-bound and would otherwise take the cores gunicorn answers from.
DEFAULT_NICE = 10
#: Seconds a worker waits for the others' answers when it asks which queues they take.
INSPECT_TIMEOUT = 3.0

log = logging.getLogger(__name__)


def mail_queue(queue: str) -> str:
    """The name of the mail queue beside the jobs queue `queue`."""
    return f"{queue}-mail"


def queue_for(name: str, queue: str) -> str:
    """The queue the task `name` goes to: the mail queue for mail tasks, `queue` for everything else."""
    return mail_queue(queue) if name in MAIL_TASKS else queue


def _router(queue: str):
    """Celery's route for every task: its queue, at the task's priority."""
    def route(name, _args, _kwargs, _options, task=None, **_kw):
        return {"queue": queue_for(name, queue), "priority": PRIORITIES.get(name, DEFAULT_PRIORITY)}
    return route


def queues_named(app: Flask, which: str) -> list[str]:
    """The queues a worker started with `--queues which` (all, jobs, mail) takes."""
    queue = app.config.get("CELERY_QUEUE", "dialogue")
    return {"all": [queue, mail_queue(queue)], "jobs": [queue], "mail": [mail_queue(queue)]}[which]


def beat_schedule(app: Flask) -> dict:
    """What `dialogue beat` sends, from the settings: the erasure of personal details past their day, daily
    at ERASE_PERSONAL_DATA_AT (UTC), and the delegations' reminders every REMINDERS_EVERY seconds. Both
    tasks are idempotent: a beat restarted, or a second one by mistake, sends them again harmlessly."""
    hour, minute = (int(part) for part in str(app.config.get("ERASE_PERSONAL_DATA_AT") or "03:15").split(":"))
    return {
        "erase-personal-data": {"task": "dialogue.erase_personal_data", "schedule": crontab(hour=hour, minute=minute)},
        "delegations-reminders": {"task": "dialogue.delegations_reminders",
                                  "schedule": float(app.config.get("REMINDERS_EVERY") or 3600)},
    }


def celery_config(app: Flask) -> dict:
    """Celery settings from the Flask config: Redis when REDIS_URL is set, else files in instance/."""
    redis_url = app.config.get("REDIS_URL")
    broker = app.config.get("CELERY_BROKER_URL") or redis_url
    options: dict = {}
    if not broker:
        queue_dir = Path(app.instance_path) / "queue"
        for sub in ("in", "processed", "control"):
            (queue_dir / sub).mkdir(parents=True, exist_ok=True)
        broker = "filesystem://"
        options = {"data_folder_in": str(queue_dir / "in"), "data_folder_out": str(queue_dir / "in"),
                   "processed_folder": str(queue_dir / "processed"), "store_processed": False,
                   "control_folder": str(queue_dir / "control")}  # else ./control in the working directory
    elif broker.startswith("redis"):
        # A message not acknowledged this long after delivery goes to another worker.
        timeout = int(app.config.get("CELERY_VISIBILITY_TIMEOUT") or 3600)
        # Look for such messages every few seconds (Kombu's default is every 100 s).
        options = {"visibility_timeout": timeout, "unacked_restore_throttle": 1,
                   "unacked_restore_interval": max(1, min(10, timeout // 5))}
    queue = app.config.get("CELERY_QUEUE", "dialogue")
    return {
        "broker_url": broker,
        "broker_transport_options": options,
        "broker_connection_retry_on_startup": True,
        # Job state, progress and files live in our database and storage, not in a result backend.
        "task_ignore_result": True,
        "result_backend": None,
        "result_expires": None,  # nothing to expire: else beat adds a daily `celery.backend_cleanup`
        # Acknowledge after the task ran: a killed worker's task is delivered again.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": queue,
        # Both queues declared: a worker started without -Q (`--queues all`, the test workers) takes both.
        "task_queues": (Queue(queue, Exchange(queue), routing_key=queue),
                        Queue(mail_queue(queue), Exchange(mail_queue(queue)), routing_key=mail_queue(queue))),
        "task_routes": (_router(queue),),
        "task_serializer": "json",
        "accept_content": ["json"],
        "worker_hijack_root_logger": False,
        # `dialogue beat`: the schedule in UTC; when each entry last ran is kept under the instance directory.
        "beat_schedule": beat_schedule(app),
        "timezone": "UTC",
        "beat_schedule_filename": str(Path(app.instance_path) / "celerybeat-schedule"),
        "broker_connection_timeout": 3,
    }


def init_celery(app: Flask) -> Celery:
    """Create the app's Celery instance; its tasks run inside an app context of this Flask app."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    from ..extensions import db
                    db.session.remove()

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(app))
    celery.flask_app = app
    from .. import mailer  # noqa: F401  (dialogue.deliver_mail, dialogue.sweep_outbox)
    from . import tasks  # noqa: F401  (registers the shared tasks on every Celery app)
    from .kinds import kinds
    kinds()  # imports the domains' job modules, whose tasks register the same way
    app.extensions["celery"] = celery
    return celery


@worker_ready.connect
def _sweep_on_start(sender, **_kwargs) -> None:
    """A (re)started worker publishes again what lost messages or killed workers left behind, for the
    queues it takes: the outbox's sweep goes to the mail queue and republishes deliveries there."""
    taken = set(sender.app.amqp.queues.consume_from)
    queue = sender.app.conf.task_default_queue
    for task in ("dialogue.sweep", "dialogue.sweep_outbox"):
        if queue_for(task, queue) in taken:
            sender.app.send_task(task)


@worker_ready.connect
def _watch_for_mail_workers(sender, **_kwargs) -> None:
    """A worker that does not take the mail queue (`--queues jobs`) looks, at its start and every
    MAIL_WORKER_CHECK seconds, for one that does, and warns in its log when there is none: without it
    the outbox is never delivered, nor swept (a deployment that forgot `dialogue worker --queues mail`)."""
    celery = sender.app
    mail = mail_queue(celery.conf.task_default_queue)
    flask_app = getattr(celery, "flask_app", None)
    interval = float(flask_app.config.get("MAIL_WORKER_CHECK") or 0) if flask_app is not None else 0.0
    if mail in set(celery.amqp.queues.consume_from) or interval <= 0:
        return
    threading.Thread(target=_watch, args=(celery, mail, interval), name="mail-worker-check", daemon=True).start()


def mail_workers(celery: Celery, mail: str, timeout: float = INSPECT_TIMEOUT) -> list[str]:
    """The names of the running workers that take the queue `mail`, from their answers to a broadcast."""
    answers = celery.control.inspect(timeout=timeout).active_queues() or {}
    return sorted(name for name, queues in answers.items() if any(q.get("name") == mail for q in queues or ()))


def _watch(celery: Celery, mail: str, interval: float) -> None:
    """Warn at every look that finds no mail worker; say once when one is found (again)."""
    seen = False
    while True:
        try:
            found = mail_workers(celery, mail)
        except Exception:  # the broker away a moment: the worker says so itself; look again later
            log.info("could not ask the workers which queues they take", exc_info=True)
        else:
            if not found:
                log.warning("No worker takes the mail queue %r: mail stays in the outbox, undelivered and never "
                            "swept. Start one with `dialogue worker --queues mail` (or `--queues all`).", mail)
            elif not seen:
                log.info("The mail queue %r is taken by %s", mail, ", ".join(found))
            seen = bool(found)
        time.sleep(interval)


def celery_for(app: Flask) -> Celery:
    return app.extensions["celery"]


# --- publishing after commit ------------------------------------------------------------------

def publish_after_commit(session: OrmSession, task: str, *args, countdown: float | None = None) -> None:
    """Send `task(*args)` to the workers once this transaction commits (never if it rolls back),
    to run at once or `countdown` seconds later."""
    pending = session.info.setdefault("dialogue_publish", [])
    if not any(t == task and a == args for t, a, _c in pending):
        pending.append((task, args, countdown))


@sa_event.listens_for(OrmSession, "after_commit")
def _publish(session: OrmSession) -> None:
    pending = session.info.pop("dialogue_publish", None)
    if not pending:
        return
    from flask import current_app
    celery = celery_for(current_app)
    for task, args, countdown in pending:
        try:
            celery.send_task(task, args=list(args), countdown=countdown or None)
        except Exception:
            current_app.logger.exception("could not publish %s%r; it stays queued for the sweeper", task, args)


@sa_event.listens_for(OrmSession, "after_rollback")
def _forget(session: OrmSession) -> None:
    session.info.pop("dialogue_publish", None)


def lower_priority(nice: int) -> int:
    """Lower this process's CPU priority by `nice` (0: unchanged); its pool processes inherit it."""
    if nice > 0 and hasattr(os, "nice"):
        _lower_session(nice)
        return os.nice(nice)
    return os.nice(0) if hasattr(os, "nice") else 0


def _lower_session(nice: int) -> None:
    """With Linux's autogroups (kernel.sched_autogroup_enabled, on in most distributions), nice ranks a
    process only against those of its own session: each session shares the cores equally, so a worker
    started in a session of its own (systemd, setsid, a bench) took a full share from gunicorn whatever its
    nice (measured: p99 of the JSON 3.2x idle). A worker that leads its session lowers the session's group
    too; one sharing the session of a web server (`dialogue serve`) does not, or the server would drop too."""
    try:
        if os.getsid(0) != os.getpid():
            return
        with open("/proc/self/autogroup", "w") as group:
            group.write(str(nice))
    except OSError:  # no autogroups (other systems, disabled), or not allowed: nice alone then
        pass


def worker_argv(concurrency: int | None, pool: str | None, loglevel: str, queues: list[str] | None = None,
                name: str | None = None) -> list[str]:
    """Celery's worker arguments; its node name from DIALOGUE_WORKER_NAME, else `name` (e.g. `jobs@%h`: two
    workers of one machine with Celery's default `celery@%h` answer a broadcast under one name, and a jobs
    worker looking for a mail worker would not tell them apart)."""
    argv = ["worker", f"--loglevel={loglevel}"]
    if queues:
        argv.append(f"--queues={','.join(queues)}")
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if pool:
        argv.append(f"--pool={pool}")
    if os.environ.get("DIALOGUE_WORKER_NAME") or name:
        argv.append(f"--hostname={os.environ.get('DIALOGUE_WORKER_NAME') or name}")
    return argv
