"""`dialogue beat`: the one Celery beat of a deployment sends the erasure of personal details daily at 03:15
UTC and the delegations' reminders hourly, from one schedule in the app's Celery configuration."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from celery.beat import Scheduler
from celery.schedules import crontab
from celery.signals import task_prerun

from dialogue.jobs.engine import celery_for

ROOT = Path(__file__).resolve().parent.parent


def test_the_schedule_holds_the_daily_erasure_and_the_hourly_reminders(app):
    celery = celery_for(app)
    schedule = celery.conf.beat_schedule
    assert set(schedule) == {"erase-personal-data", "delegations-reminders"}
    erasure, reminders = schedule["erase-personal-data"], schedule["delegations-reminders"]
    assert erasure["task"] == "dialogue.erase_personal_data" and reminders["task"] == "dialogue.delegations_reminders"
    assert {erasure["task"], reminders["task"]} <= set(celery.tasks)  # tasks the workers know
    assert erasure["schedule"] == crontab(hour=3, minute=15) and celery.conf.timezone == "UTC"
    assert reminders["schedule"] == 3600
    assert Path(celery.conf.beat_schedule_filename).parent == Path(app.instance_path)


def test_a_due_entry_is_run_by_the_workers(app, jobs):
    """Beat's own scheduler, one tick, the reminders' last run an hour and a minute ago: the worker runs it."""
    ran: list[str] = []

    def record(sender=None, **_kw):
        ran.append(sender.name)
    task_prerun.connect(record, weak=False)
    try:
        scheduler = Scheduler(app=celery_for(app), lazy=True)
        scheduler.setup_schedule()
        entry = scheduler.schedule["delegations-reminders"]
        entry.last_run_at = scheduler.app.now() - timedelta(seconds=3660)
        scheduler.tick()
        jobs.wait()
    finally:
        task_prerun.disconnect(record)
    assert "dialogue.delegations_reminders" in ran and "dialogue.erase_personal_data" not in ran


def _environment(tmp_path) -> dict:
    """A fresh instance on SQLite and the embedded file queue, whatever Redis the suite runs with."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(DIALOGUE_INSTANCE=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'beat.sqlite'}")
    return env


def _wait_for_schedule(process, tmp_path, log, seconds: float) -> None:
    """Until beat has written its schedule file into the instance; the process must not die meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not list(tmp_path.glob("celerybeat-schedule*")):
        assert process.poll() is None, log.read_text()
        time.sleep(0.2)
    assert list(tmp_path.glob("celerybeat-schedule*")), log.read_text()


def test_dialogue_beat_starts_keeps_its_schedule_in_the_instance_and_stops_on_sigterm(tmp_path):
    env = _environment(tmp_path)
    command = [sys.executable, "-m", "dialogue.cli", "beat"]
    usage = subprocess.run([*command, "--help"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert usage.returncode == 0 and "one per deployment" in usage.stdout
    log = tmp_path / "beat.log"
    with log.open("w") as out:
        beat = subprocess.Popen([*command, "--max-interval", "1"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=ROOT)
        try:
            _wait_for_schedule(beat, tmp_path, log, 60)
        finally:
            beat.send_signal(signal.SIGTERM)
            returncode = beat.wait(timeout=30)
    text = log.read_text()
    assert returncode == 0, text
    assert "beat: delegations-reminders, erase-personal-data" in text and "beat: Starting..." in text


def test_a_worker_with_beat_runs_the_schedule_inside_it(tmp_path):
    """`dialogue worker --beat` (what `dialogue serve`, hence `make run`, starts on one machine): the worker
    starts Celery beat inside it, which keeps its schedule in the instance directory."""
    env = _environment(tmp_path)
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "dialogue.cli", "worker", "-c", "1", "--pool", "solo",
                                   "--loglevel", "info", "--beat"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                  cwd=ROOT, start_new_session=True)
        try:
            _wait_for_schedule(worker, tmp_path, log, 90)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
    assert "beat: Starting..." in log.read_text()
