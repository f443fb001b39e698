"""Fixtures: an app on a real database (SQLite file by default, PostgreSQL with DATABASE_URL)."""
from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import werkzeug.security
from sqlalchemy import create_engine, make_url, text
from sqlalchemy import event as sa_event
from sqlalchemy.pool import NullPool

from dialogue import create_app
from dialogue.cache import cache
from dialogue.extensions import db, limiter

from . import factories
from .smtp import SMTPServer
from .workers import running_worker, worker_queue


def worker_database_url(url: str, xdist_worker: str) -> str:
    """`url` with the database name of this pytest-xdist worker: dialogue_ci -> dialogue_ci_gw0."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{xdist_worker}").render_as_string(hide_password=False)


def _postgres_admin(url: str):
    """An engine on the server's `postgres` database, to create and drop databases."""
    admin = make_url(url).set(drivername="postgresql+psycopg", database="postgres")
    return create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@pytest.fixture(scope="session", autouse=True)
def _database():
    """On PostgreSQL with pytest-xdist, each worker gets a database of its own, created empty and dropped
    at the end: DATABASE_URL's name plus the worker's id (`..._gw0`). Everything reading DATABASE_URL (apps,
    the live server, worker processes and CLI commands the tests start) then uses it. SQLite needs nothing:
    each worker's files are in its own temporary directory."""
    url, xdist_worker = os.environ.get("DATABASE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER")
    if not (xdist_worker and url.startswith("postgres")):
        yield
        return
    own = worker_database_url(url, xdist_worker)
    name = '"{}"'.format(make_url(own).database.replace('"', '""'))
    admin = _postgres_admin(url)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    os.environ["DATABASE_URL"] = own
    try:
        yield
    finally:
        os.environ["DATABASE_URL"] = url
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


#: Werkzeug's scrypt at 2**10 instead of its default 2**15: every user a factory makes and every sign-in
#: hashes a password, and at full cost that was most of the suite's CPU time (0.1 s a hash). The stored
#: hash says its own cost, so checks follow. Tests marked `full_password_hashing` (those that time
#: sign-ins) run at the production cost.
TEST_PASSWORD_METHOD = "scrypt:1024:8:1"


@contextmanager
def _password_method(method: str):
    """Hash new passwords with `method` (werkzeug's default method) for as long as the block lasts."""
    from dialogue.auth import accounts
    hashing = werkzeug.security.generate_password_hash
    defaults = hashing.__defaults__
    hashing.__defaults__ = (method, *defaults[1:])
    accounts._dummy_hash.cache_clear()  # the unknown-email check hashes at the same cost as the rest
    try:
        yield
    finally:
        hashing.__defaults__ = defaults
        accounts._dummy_hash.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    """Every test, and the live server's demo accounts, hash at TEST_PASSWORD_METHOD's cost."""
    assert werkzeug.security.generate_password_hash.__defaults__[0] == "scrypt", "werkzeug changed its default"
    with _password_method(TEST_PASSWORD_METHOD):
        yield


@pytest.fixture(autouse=True)
def _full_password_hashing(request):
    """A test marked `full_password_hashing` hashes at werkzeug's own cost."""
    if request.node.get_closest_marker("full_password_hashing") is None:
        yield
        return
    with _password_method("scrypt"):
        yield


@pytest.fixture(autouse=True)
def _one_redis_test_at_a_time(request):
    """Tests marked `redis` share a Redis database and start real worker processes: they take turns, across
    pytest-xdist workers (`make test` sends each test file to one worker, but two files could meet)."""
    if request.node.get_closest_marker("redis") is None:
        yield
        return
    with open(Path(tempfile.gettempdir()) / "dialogue-redis-tests.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def _app(tmp_path_factory, _database):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["DIALOGUE_INSTANCE"] = str(instance)
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
              "SERVER_NAME_FOR_MAIL": "http://localhost", "CELERY_BROKER_URL": "memory://", "CHANGE_NOTICE_DELAY": 0,
              "SERVE_HEAD_TTL": 0,  # every request asks the database; tests/test_serve_head_ttl.py keeps heads
              "SETTLE_HEAP": False,  # a full collection after each render would cost the suite minutes; test_heap.py
              "CELERY_QUEUE": "dialogue-tests", "STORAGE_DIR": str(instance / "files")}
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'test.sqlite'}"
    config["CELERY_QUEUE"] = worker_queue(config["CELERY_QUEUE"])
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


@pytest.fixture(scope="session")
def _worker(_app):
    with running_worker(_app) as tracker:
        yield tracker


@pytest.fixture(scope="session", autouse=True)
def _no_heavy_work_in_requests():
    """Fail any PDF rendering or SMTP connection attempted inside a request: workers do those."""
    import smtplib

    import weasyprint
    from flask import has_request_context, request

    def guard(what, original):
        def guarded(*args, **kwargs):
            if has_request_context():
                raise AssertionError(f"{what} inside the request {request.method} {request.path}")
            return original(*args, **kwargs)
        return guarded
    write_pdf, smtp_init = weasyprint.HTML.write_pdf, smtplib.SMTP.__init__
    weasyprint.HTML.write_pdf = guard("a PDF rendered", write_pdf)
    smtplib.SMTP.__init__ = guard("an SMTP connection", smtp_init)
    yield
    weasyprint.HTML.write_pdf, smtplib.SMTP.__init__ = write_pdf, smtp_init


@pytest.fixture
def jobs(_worker):
    """The test worker: `jobs.wait()` returns when every background task asked for so far has run."""
    return _worker


@pytest.fixture
def app(_app, _worker):
    """The app with empty tables and CSRF off (a test can turn it on: app.config[...] = True)."""
    _worker.wait()
    with _app.app_context():
        _empty_tables()
    limiter.reset()
    with serving(_app):
        yield _app
    _worker.wait()


def _empty_tables():
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@contextmanager
def serving(app):
    """Inside `app`'s context, with an empty cache and CSRF off; the session rolled back and removed after."""
    cache.clear()
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def organiser_event(app):
    """A published event and its organiser: (org, ev)."""
    org = factories.user()
    return org, factories.event(organiser=org)


@pytest.fixture
def smtp_server():
    """A real SMTP server in a thread (tests/smtp.py), for worker processes to send to."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def pdfua(tmp_path):
    """`pdfua(name, pdf)`: the PDF written to `name`.pdf, which `pdfua check` must pass without a finding;
    returns the file's path."""
    def check(name: str, pdf: bytes) -> Path:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        checked = subprocess.run([sys.executable, "-m", "pdfua", "check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, (name, checked.stdout)
        return path
    return check


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=factories.PASSWORD, lang="en"):
        return self.client.post(f"/{lang}/account/login", data={"email": email, "password": password})

    def logout(self):
        with self.client.session_transaction() as s:
            s.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


class QueryCounter:
    """Statements this thread sends (the test worker's thread has its own)."""

    def __init__(self):
        self.statements: list[str] = []
        self.thread = threading.get_ident()

    def __call__(self, conn, cursor, statement, *args):
        if threading.get_ident() == self.thread and not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|PRAGMA)", statement, re.I):
            self.statements.append(statement)

    @property
    def count(self):
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    @contextmanager
    def counting():
        counter = QueryCounter()
        sa_event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", counter)
    return counting
