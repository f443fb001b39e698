"""Every long-running web server builds the delegations' orders once per process (delegates/orders.py):
`dialogue serve` (what `make run` starts) and each gunicorn worker at their start, any other server
on its first request; a request waits only for the order it needs, and not for long."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest

import dialogue
from dialogue.delegates import orders

from .. import factories as f
from ..smtp import free_port
from . import factories as df

ROOT = Path(dialogue.__file__).resolve().parent.parent
BUILT = re.compile(r"delegations' orders of (\d+) events built in [\d.]+ s \(process (\d+)\)")


@pytest.fixture
def current_event(app):
    """A published event under way, with delegations: the one a starting server builds the orders of."""
    today = date.today()
    ev = f.event(organiser=f.user(), starts=today, ends=today + timedelta(days=2))
    for code in ("PE", "DE", "ES"):
        df.delegate(df.delegation(ev, code), "Ana", code, status="accredited")
    f.event(organiser=f.user(), status="draft", starts=today, ends=today + timedelta(days=2))
    return ev


class Server:
    """A server process of its own session (its children stop with it), whose stderr is read line by line."""

    def __init__(self, argv: list[str], app, tmp_path: Path, **more: str):
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "SERVER_SOFTWARE")}
        env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], DIALOGUE_INSTANCE=str(tmp_path),
                   SECRET_KEY="warm-test", PYTHONPATH=str(ROOT), DIALOGUE_WORKER_NICE="0", **more)
        self.port = free_port()
        self.process = subprocess.Popen([a.replace("PORT", str(self.port)) for a in argv], env=env, cwd=tmp_path,
                                        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                        start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.put(line)

    def built(self, count: int, timeout: float = 60) -> list[tuple[int, int]]:
        """The next `count` reports of orders built: (events, process id)."""
        found, seen, deadline = [], [], time.monotonic() + timeout
        while len(found) < count:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{len(found)} of {count} reports of orders built; saw:\n{''.join(seen)}") from None
            seen.append(line)
            if match := BUILT.search(line):
                found.append((int(match[1]), int(match[2])))
        return found

    def quiet(self, seconds: float) -> bool:
        """Whether no further report comes within `seconds`."""
        try:
            self.built(1, timeout=seconds)
        except AssertionError:
            return True
        return False

    def get(self, path: str) -> int:
        return self.fetch(path)[0]

    def fetch(self, path: str) -> tuple[int, str]:
        """(status, text) of a GET, once the server answers."""
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
                    return response.status, response.read().decode()
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.2)

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)  # the group this test started: the server and its children
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def server(app, tmp_path):
    started = []

    def start(*argv: str, **env: str) -> Server:
        started.append(Server(list(argv), app, tmp_path, **env))
        return started[-1]
    yield start
    for one in started:
        one.stop()


def test_dialogue_serve_builds_the_orders_at_its_start(current_event, server):
    serve = server(sys.executable, "-m", "dialogue.cli", "serve", "--port", "PORT", "--concurrency", "1")
    [(events, pid)] = serve.built(1)  # before any request
    assert events == 1 and pid != serve.process.pid  # in the web server, not the command that started it
    assert serve.get("/en/") == 200
    assert serve.quiet(1)


def test_each_gunicorn_worker_builds_the_orders_once(current_event, server, tmp_path):
    config = tmp_path / "gunicorn.conf.py"
    config.write_text('logconfig_dict = {"version": 1, "disable_existing_loggers": False, '
                      '"handlers": {"console": {"class": "logging.StreamHandler"}}, '
                      '"root": {"level": "WARNING", "handlers": ["console"]}, '
                      '"loggers": {"dialogue": {"level": "INFO"}}}\n')
    gunicorn = server(sys.executable, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:PORT", "-c", str(config),
                      "dialogue:create_app()")
    reports = gunicorn.built(2)
    assert [events for events, _pid in reports] == [1, 1] and len({pid for _e, pid in reports}) == 2
    for _ in range(4):
        assert gunicorn.get("/en/") == 200
    assert gunicorn.quiet(1)


def test_another_server_builds_them_on_its_first_request(current_event, server):
    """`dialogue run` (Flask's server; waitress or uWSGI alike) is not known to be a server until it serves."""
    run = server(sys.executable, "-c", "import logging, sys; logging.basicConfig(level=logging.INFO); "
                 "from dialogue.cli import main; sys.argv = ['dialogue', 'run', '--port', 'PORT']; main()")
    assert run.quiet(3)
    assert run.get("/en/") == 200
    assert [events for events, _pid in run.built(1)] == [1]
    assert run.get("/en/") == 200 and run.quiet(1)


def test_warming_is_off_in_tests_and_when_switched_off(app):
    assert orders.warm_orders(app) is None
    app.config.update(TESTING=False, WARM_ORDERS=False)
    try:
        assert orders.warm_orders(app) is None
    finally:
        app.config.update(TESTING=True, WARM_ORDERS=True)


def test_a_request_waits_only_for_the_order_being_sorted(app, current_event, monkeypatch):
    """While the start-up thread sorts (event, fr), a request for fr waits for it, one for es does not;
    and a sort that does not end keeps nobody longer than WARM_WAIT (the request sorts itself then)."""
    ev = current_event
    sorting = threading.Event()
    key = (orders.database(), ev.id, "fr")
    monkeypatch.setitem(orders._BUILDING, key, sorting)
    began = time.monotonic()
    assert not orders.is_known(ev, "es")
    assert time.monotonic() - began < 0.2

    def finish():  # what the thread does once it has sorted
        with app.app_context():
            orders.mark_known(ev, "fr")
        sorting.set()
    threading.Timer(0.3, finish).start()
    began = time.monotonic()
    assert orders.is_known(ev, "fr")
    assert 0.25 < time.monotonic() - began < orders.WARM_WAIT
    monkeypatch.setattr(orders, "WARM_WAIT", 0.3)
    monkeypatch.setitem(orders._BUILDING, (orders.database(), ev.id, "en"), threading.Event())  # never set
    began = time.monotonic()
    assert not orders.is_known(ev, "en")
    assert 0.25 < time.monotonic() - began < 1
