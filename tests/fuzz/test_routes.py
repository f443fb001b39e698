"""Every route of the site, found in app.url_map, answers hostile input with 2xx/3xx/4xx: never 5xx.

Signed out and signed in as the demo organiser, focal point and rapporteur; URL parts, query parameters
and form fields get huge numbers, odd Unicode, control characters, long text and bad dates. A route added
later is fuzzed without touching this file."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dialogue.delegates.models import ApiToken, Delegate, Delegation
from dialogue.extensions import db
from dialogue.i18n import LANGUAGES
from dialogue.jobs.models import Job
from dialogue.models import OutboxMessage
from dialogue.outcomes.models import KeyMessage, SessionRapporteur
from dialogue.sessions.models import MeetingSession, Person, Room

from .conftest import FUZZ, SLUG, form_names, signed_in
from .strategies import nasty_text, path_value

QUERY_KEYS = ["page", "after", "before", "delegation", "tz", "lang", "kind", "status", "a", "b", "next", "q", "format"]
ARGUMENT = re.compile(r"<(?:[^<>:]+:)?(\w+)>")


def known_values() -> dict[str, list[str]]:
    """Real values of each URL argument in the demo data, so that fuzzing reaches past the 404s."""
    def ids(model):
        return [str(i) for i in db.session.scalars(select(model.id).order_by(model.id)).all()[:5]]
    return {
        "lang": list(LANGUAGES), "slug": [SLUG], "fmt": ["csv", "xlsx"], "version": ["1", "2"],
        "code": list(db.session.scalars(select(MeetingSession.code)).all()[:5])
                + list(db.session.scalars(select(Delegate.badge_code).where(Delegate.badge_code.is_not(None))).all()[:2]),
        "delegation_id": ids(Delegation), "delegate_id": ids(Delegate),
        "link_id": ids(SessionRapporteur), "token_id": ids(ApiToken), "job_id": ids(Job),
        "message_id": ids(KeyMessage) + ids(OutboxMessage),
        "session_id": ids(MeetingSession),
        "room_id": ids(Room), "person_id": ids(Person),
    }


def rules(app) -> list:
    """Rules of the site to fuzz: all but static files and the API (schemathesis fuzzes the API)."""
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static" and not r.rule.startswith("/api/")),
                  key=lambda r: r.rule)


def build_path(rule, values: dict[str, str]) -> str:
    return ARGUMENT.sub(lambda m: values[m.group(1)], rule.rule)


def real_path(rule, known) -> str | None:
    try:
        return build_path(rule, {name: quote(known[name][0], safe="") for name in rule.arguments})
    except (KeyError, IndexError):
        return None


def field_names(client, app, known) -> set[str]:
    """The names of every form field the signed-in user can see on the site's GET pages."""
    names: set[str] = set()
    for rule in rules(app):
        path = real_path(rule, known)
        if path and "GET" in rule.methods and not path.endswith((".pdf", ".csv", ".xlsx", ".ics")):
            response = client.get(path)
            if response.mimetype == "text/html":
                names |= form_names(response.get_data(as_text=True))
    return names - {"csrf_token"}


@pytest.mark.parametrize("role", [None, "organiser", "focal_point", "rapporteur"])
def test_no_route_answers_5xx(demo, role):
    client = signed_in(demo, role)
    known = known_values()
    names = sorted(field_names(client, demo, known))
    failures = []
    for rule in rules(demo):
        try:
            fuzz_rule(client, rule, known, names, role)
        except Exception as error:
            failures.append(f"{rule.rule}: {error}")
    assert not failures, "\n".join(failures)


def fuzz_rule(client, rule, known, names, role) -> None:
    """Hypothesis over one rule: hostile URL parts, query parameters and (for POST) form fields."""
    methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
    slow = rule.rule.endswith((".pdf", ".xlsx")) or "outcome" in rule.rule
    field = st.sampled_from(names) if names else st.just("x")

    @settings(FUZZ, max_examples=max(3, FUZZ.max_examples // 4) if slow else FUZZ.max_examples)
    @given(data=st.data())
    def check(data):
        path = build_path(rule, {name: data.draw(path_value([quote(v, safe="") for v in known.get(name, [])]), name)
                                 for name in rule.arguments})
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), nasty_text(longest=4001), max_size=3), "query")
        method = data.draw(st.sampled_from(methods), "method")
        form = None
        if method == "POST":
            form = data.draw(st.dictionaries(field, st.one_of(nasty_text(), st.lists(nasty_text(), max_size=3)),
                                             max_size=8), "form")
        try:
            response = client.open(path, method=method, query_string=query, data=form)
        except Exception as error:
            raise AssertionError(f"{method} {path} {query!r} {form!r}: {type(error).__name__}: {error}"[:2000]) from error
        assert response.status_code < 500, (method, path, query, response.status_code)
        if role is None and response.status_code == 302:
            assert "/login" in response.headers["Location"] or rule.rule == "/", response.headers["Location"]

    check()
    if "POST" in methods and names:
        # Every field at once at the classic breaking points, whatever the random draws reached.
        path = real_path(rule, known)
        for value in ("9" * 400, "-2147483649", "0001-01-01T00:00", "10000-01-01", "x" * 100_001):
            if path is not None:
                response = client.post(path, data=dict.fromkeys(names, value))
                assert response.status_code < 500, ("POST", path, value[:20], response.status_code)
