"""Fixtures: an app on a real database (SQLite file by default, PostgreSQL with DATABASE_URL)."""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event

from dialogue import create_app
from dialogue.cache import cache
from dialogue.extensions import db, limiter

from . import factories


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["DIALOGUE_INSTANCE"] = str(instance)
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
              "SERVER_NAME_FOR_MAIL": "http://localhost"}
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'test.sqlite'}"
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


@pytest.fixture
def app(_app):
    """The app with empty tables and CSRF off (a test can turn it on: app.config[...] = True)."""
    with _app.app_context():
        _empty_tables()
    cache.clear()
    limiter.reset()
    _app.config["WTF_CSRF_ENABLED"] = False
    with _app.app_context():
        yield _app
        db.session.rollback()
        db.session.remove()


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
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|PRAGMA)", statement, re.I):
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
