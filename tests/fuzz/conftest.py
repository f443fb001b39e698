"""Fixtures of the fuzz suites: the demo summit on the test database, a client per role, an API token."""
from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import select

from dialogue.demo import DEMO_PASSWORD, SLUG, load_demo
from dialogue.extensions import db

#: Examples per route (more with FUZZ_EXAMPLES=200 locally); derandomized so CI runs are reproducible.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
settings.register_profile("fuzz", max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
FUZZ = settings.get_profile("fuzz")

ROLES = {"organiser": "organiser@example.org", "focal_point": "focal.point@example.org",
         "rapporteur": "rapporteur@example.org"}


@pytest.fixture(scope="package")
def demo(_app):
    """The app with only the demo summit in its tables; the fuzzed requests may change it."""
    from ..conftest import _empty_tables, serving
    with _app.app_context():
        _empty_tables()
        load_demo()
        db.session.commit()
        db.session.remove()
    with serving(_app):
        yield _app
    with _app.app_context():
        _empty_tables()


def signed_in(app, role: str | None):
    """A test client signed in as the demo account of `role` (None: anonymous)."""
    client = app.test_client()
    if role is not None:
        response = client.post("/en/account/login", data={"email": ROLES[role], "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.status_code
    return client


@pytest.fixture(scope="package")
def token(demo):
    """A personal API token of the demo focal point, and the id of the delegation it opens."""
    from dialogue.delegates.api import create_token
    from dialogue.delegates.models import FocalPoint
    from dialogue.models import User
    user = db.session.scalar(select(User).where(User.email == ROLES["focal_point"]))
    _token, secret = create_token(user, "fuzz")
    delegation_id = db.session.scalar(select(FocalPoint.delegation_id).where(FocalPoint.user_id == user.id))
    db.session.commit()
    return secret, delegation_id


def form_names(html: str) -> set[str]:
    """Names of the inputs, selects and textareas of a page."""
    return set(re.findall(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"', html))


__all__ = ["EXAMPLES", "FUZZ", "ROLES", "SLUG", "form_names", "signed_in"]
