"""Browser tests: the demo summit served by a live server, driven by Playwright in Debian's Chromium.

Reusable by every domain's browser tests:

- ``live_server``: base URL (``http://127.0.0.1:PORT``) of the app with the demo data loaded, on
  its own SQLite file (or ``DATABASE_URL`` when set), for the whole test session;
- ``live_app``: that Flask app, to read or prepare data (``with live_app.app_context(): ...``);
- ``browser``: one headless Chromium for the session; ``page``: a fresh context and page per test;
- in ``tests/browser/helpers.py``: ``login(page, email, password=DEMO_PASSWORD, lang="en")`` signs in
  through the form, ``screenshot(page, name)`` saves ``test-artifacts/<name>.png`` (git-ignored),
  ``axe_violations(page)`` runs axe-core, and the demo's constants.

The tests are marked ``browser``; they are skipped when Chromium is missing, unless
``REQUIRE_BROWSER=1``, which turns a missing browser into a failure.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from ..workers import worker_queue
from .helpers import CHROMIUM

BROWSER_DIR = Path(__file__).parent


def _browser_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test of tests/browser as `browser`; skip them without Chromium (unless required)."""
    missing = _browser_missing()
    required = os.environ.get("REQUIRE_BROWSER") == "1"
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).parents and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser") is not None and missing and not required:
            item.add_marker(pytest.mark.skip(reason=f"{missing} (set REQUIRE_BROWSER=1 to fail instead)"))


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app on its own database with the demo loaded (schema by create_all)."""
    from dialogue import create_app
    from dialogue.demo import load_demo
    from dialogue.extensions import db

    instance = tmp_path_factory.mktemp("live-instance")
    config = {"TESTING": False, "SECRET_KEY": "live-server-secret", "WTF_CSRF_ENABLED": True,
              "SERVER_NAME_FOR_MAIL": "http://127.0.0.1", "CELERY_BROKER_URL": "memory://", "CHANGE_NOTICE_DELAY": 0,
              "CELERY_QUEUE": "dialogue-live", "STORAGE_DIR": str(instance / "files"),
              "BADGES_PER_CHUNK": 20, "BADGES_PER_PART": 20}
    if not os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'live.sqlite'}"
    config["CELERY_QUEUE"] = worker_queue(config["CELERY_QUEUE"])
    previous = os.environ.get("DIALOGUE_INSTANCE")
    os.environ["DIALOGUE_INSTANCE"] = str(instance)
    try:
        app = create_app(config)
    finally:
        if previous is None:
            os.environ.pop("DIALOGUE_INSTANCE", None)
        else:
            os.environ["DIALOGUE_INSTANCE"] = previous
    with app.app_context():
        if os.environ.get("DATABASE_URL"):
            db.drop_all()
        db.create_all()
        load_demo()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_worker(live_app):
    """A job worker thread for the live app (badges, lists and PDFs are made by workers)."""
    from ..workers import running_worker
    with running_worker(live_app) as tracker:
        yield tracker


@pytest.fixture(scope="session")
def live_server(live_app, live_worker):
    """Base URL of the live app, served by werkzeug in a thread on a free port."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def _playwright():
    missing = _browser_missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page (own cookies) whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                  locale="en-GB", timezone_id="Europe/Zurich")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
