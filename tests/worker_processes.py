"""Real `dialogue worker` processes for the tests that start them (test_worker_kill.py, test_mail_queue.py):
a worker in a process group of its own with its log read line by line, the environment it runs in, and a
Redis database flushed around a test. (tests/workers.py is the in-process worker thread of the other tests.)
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psutil
import redis

#: Seconds after which Redis gives a task a worker took and never acknowledged to another worker.
VISIBILITY_TIMEOUT = 5


class Worker:
    """`dialogue worker` in a process group of its own, its log read line by line."""

    def __init__(self, name: str, env: dict, condition: threading.Condition | None = None):
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dialogue.cli", "worker", "--concurrency", "1", "--pool", "prefork",
             "--loglevel", "info"],
            env={**env, "DIALOGUE_WORKER_NAME": f"{name}@%h"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True)
        self.lines: list[str] = []
        #: Notified on every line; workers may share one to wait for whichever logs first.
        self.condition = condition or threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self.condition:
                self.lines.append(line)
                self.condition.notify_all()
        with self.condition:
            self.lines.append("<exited>")
            self.condition.notify_all()

    def find(self, pattern: str) -> str | None:
        return next((line for line in self.lines if re.search(pattern, line)), None)

    def wait_for(self, pattern: str, timeout: float = 120) -> str:
        """The first log line matching `pattern`, once it is written."""
        with self.condition:
            if not self.condition.wait_for(lambda: self.find(pattern) or "<exited>" in self.lines, timeout) \
                    or not self.find(pattern):
                raise AssertionError(f"{self.name}: no {pattern!r} in its log:\n{''.join(self.lines[-40:])}")
            return self.find(pattern)

    def logged(self, task: str) -> bool:
        """Whether this worker took a task named dialogue.`task` (received, ran or failed it)."""
        return bool(self.find(rf"Task dialogue\.{task}\["))

    def holds_connection_to(self, port: int, local_port: int) -> bool:
        """Whether this worker (or one of its pool processes) has this SMTP connection open."""
        parent = psutil.Process(self.process.pid)
        for proc in [parent, *parent.children(recursive=True)]:
            for conn in proc.net_connections(kind="tcp"):
                if conn.raddr and conn.raddr.port == port and conn.laddr.port == local_port:
                    return True
        return False

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as when a machine dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def worker_env(app, smtp_server, url: str, tmp_path) -> dict:
    """The environment of a worker on this test's database, Redis database and SMTP server."""
    return {**os.environ, "REDIS_URL": url, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "STORAGE_DIR": str(tmp_path / "files"),
            "MAIL_SERVER": smtp_server.host, "MAIL_PORT": str(smtp_server.port), "MAIL_USE_TLS": "0",
            "MAIL_SENDING_TIMEOUT": "3", "PYTHONUNBUFFERED": "1"}


def redis_url(database: int | None = None) -> str:
    """REDIS_URL, or its server with another database number."""
    if database is None:
        return os.environ["REDIS_URL"]
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


@contextmanager
def flushed(url: str) -> Iterator[tuple[str, redis.Redis]]:
    """(url, a client) of this Redis database, flushed before and after."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url, client
    finally:
        client.flushdb()
        client.close()
