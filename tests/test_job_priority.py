"""Job workers yield to the web and to mail: `dialogue worker --nice` lowers their CPU priority; mail has a
queue of its own, and on Redis small jobs are taken before the chunks of a large one (message priorities)."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from dialogue import create_app


def test_a_worker_lowers_its_own_cpu_priority():
    code = "import os; from dialogue.jobs.engine import lower_priority; print(os.nice(0), lower_priority(3))"
    before, after = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                   check=True).stdout.split()
    assert int(after) == min(19, int(before) + 3)
    help_text = subprocess.run([sys.executable, "-m", "dialogue.cli", "worker", "--help"], capture_output=True,
                               text=True, check=True, env={**os.environ, "FLASK_APP": "dialogue"}).stdout
    assert "--nice" in help_text


def _autogroup_nice(argv: list[str], **kwargs) -> list[str]:
    """Run `lower_priority(7)` in a child and return what its /proc/self/autogroup says of its group's nice."""
    ran = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    assert ran.returncode == 0, f"{argv} exited with {ran.returncode}: {ran.stderr}"
    return ran.stdout.split()


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="Linux autogroups only")
def test_a_worker_leading_its_own_session_lowers_the_sessions_share_and_one_beside_a_server_does_not():
    code = ("from dialogue.jobs.engine import lower_priority; lower_priority(7); "
            "print(open('/proc/self/autogroup').read().split()[-1])")
    # Both run in sessions of their own, away from pytest's (whose group a CI runner may have set up its own way):
    # the worker leads the first; in the second it is the child of a shell that leads it, as beside `dialogue serve`.
    alone = _autogroup_nice([sys.executable, "-c", code], start_new_session=True)
    shell = f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}; cat /proc/$$/autogroup"
    beside = _autogroup_nice(["sh", "-c", shell], start_new_session=True)
    if alone == ["0"]:
        pytest.skip("autogroups are disabled (kernel.sched_autogroup_enabled=0)")
    assert alone == ["7"]  # its session's group yields to gunicorn's
    worker_saw, _, _, shell_saw = beside
    assert worker_saw == shell_saw == "0"  # the session it shares (here, the shell's) keeps its share


@pytest.mark.redis
def test_on_redis_mail_has_its_own_queue_and_small_jobs_go_before_chunks(tmp_path):
    import redis
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    queue = f"priority-check-{os.getpid()}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "REDIS_URL": url, "CELERY_QUEUE": queue,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})
    client = redis.Redis.from_url(url)
    try:
        celery = app.extensions["celery"]
        for task in ("dialogue.run_chunk", "dialogue.run_job", "dialogue.deliver_mail", "dialogue.assemble_job",
                     "dialogue.send_change_notices"):
            celery.send_task(task, args=[0])
        lists = {key.decode(): client.llen(key) for key in client.keys(f"{queue}*")}
        # Kombu's Redis transport keeps one list a priority step and takes from the lowest step first; a
        # worker taking both queues looks at every queue's step 0 before any step 3.
        assert lists == {f"{queue}-mail": 1, f"{queue}-mail\x06\x163": 1, f"{queue}\x06\x163": 2,
                         f"{queue}\x06\x166": 1}
    finally:
        for key in client.keys(f"{queue}*"):
            client.delete(key)
