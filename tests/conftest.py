"""Fixtures: an app on a real database (SQLite file by default, PostgreSQL with DATABASE_URL)."""
from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event

from dialogue import create_app
from dialogue.cache import cache
from dialogue.extensions import db, limiter

from . import factories
from .workers import running_worker


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["DIALOGUE_INSTANCE"] = str(instance)
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
              "SERVER_NAME_FOR_MAIL": "http://localhost", "CELERY_BROKER_URL": "memory://", "CHANGE_NOTICE_DELAY": 0,
              "CELERY_QUEUE": "dialogue-tests", "STORAGE_DIR": str(instance / "files")}
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'test.sqlite'}"
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
    cache.clear()
    limiter.reset()
    _app.config["WTF_CSRF_ENABLED"] = False
    with _app.app_context():
        yield _app
        db.session.rollback()
        db.session.remove()
    _worker.wait()


def _empty_tables():
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


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
