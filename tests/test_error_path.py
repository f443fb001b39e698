"""One error path: views commit only through perform(), app-level handlers answer what escapes a
view, and what domains register is kept per app."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_login import login_user

from dialogue import create_app
from dialogue.actions import DomainError
from dialogue.extensions import db
from dialogue.formatting import extra_manage_links
from dialogue.models import User
from dialogue.permissions import PermissionDenied
from dialogue.registry import registry

from . import factories as f

PACKAGE = Path(__file__).resolve().parent.parent / "dialogue"

#: Views that commit by themselves, as (module path, function): why. None today.
COMMIT_ALLOWED: dict[tuple[str, str], str] = {}


def _view_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "Blueprint(" in source:
            yield path, ast.parse(source)


def _session_calls(tree: ast.AST, names: tuple[str, ...]):
    """(function name, line, call) of every db.session.<name>() call, by enclosing top-level function."""
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr in names
                    and ast.unparse(inner.func.value) == "db.session"):
                yield node.name, inner.lineno, inner.func.attr


def test_no_view_module_commits_or_rolls_back_outside_perform():
    found = []
    modules = list(_view_modules())
    assert len(modules) >= 7  # auth, sessions views and api, delegates views and api, outcomes views and api
    for path, tree in modules:
        for function, line, call in _session_calls(tree, ("commit", "rollback")):
            if (str(path.relative_to(PACKAGE)), function) not in COMMIT_ALLOWED:
                found.append(f"{path.relative_to(PACKAGE)}:{line} {function}() calls db.session.{call}()")
    assert not found, "end the transaction with actions.perform():\n" + "\n".join(found)


@pytest.fixture
def second_app(app):
    """Another app in the same process, on the same database, like a worker or a benchmark makes."""
    return create_app({"TESTING": True, "SECRET_KEY": "second", "WTF_CSRF_ENABLED": False,
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_a_second_app_in_one_process_duplicates_no_menu_link(app, second_app):
    ev = f.event()
    with app.test_request_context("/en/"):
        first = extra_manage_links(ev)
        first_paths = dict(registry().openapi_paths)
    with second_app.test_request_context("/en/"):
        second = extra_manage_links(ev)
    with app.test_request_context("/en/"):
        again = extra_manage_links(ev)
    urls = [link["url"] for link in first]
    assert len(urls) == len(set(urls)) >= 9  # delegates' and outcomes' entries, once each
    assert [link["url"] for link in second] == urls == [link["url"] for link in again]
    assert registry(second_app) is not registry(app)
    assert registry(second_app).openapi_paths.keys() == first_paths.keys() == registry(app).openapi_paths.keys()
    assert len(registry(app).dashboard_links) == len(registry(second_app).dashboard_links) == 2


@pytest.fixture
def raising_app(app):
    """A fresh app with two routes that let a DomainError and a PermissionDenied escape their view."""
    fresh = create_app({"TESTING": True, "SECRET_KEY": "raising", "WTF_CSRF_ENABLED": False,
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    def fail():
        """Raise what a service would: a wrong input, or a refusal."""
        from flask import request
        db.session.add(User(email="written-before-the-error@example.org"))
        db.session.flush()
        if request.args.get("what") == "denied":
            raise PermissionDenied("Not for you.", int(request.args.get("status", 403)))
        raise DomainError("The quota is too small.", "quota")
    for prefix in ("/en/fail", "/api/v1/fail"):
        fresh.add_url_rule(prefix, f"fail{prefix.count('api')}", fail, methods=["GET", "POST"])
    return fresh


def test_escaped_errors_are_answered_in_json_for_the_api(raising_app):
    client = raising_app.test_client()
    response = client.post("/api/v1/fail")
    assert response.status_code == 422
    assert response.get_json() == {"error": "The quota is too small.", "field": "quota", "status": 422}
    response = client.get("/api/v1/fail?what=denied")
    assert response.status_code == 403 and response.get_json() == {"error": "Not for you.", "status": 403}
    with raising_app.app_context():
        assert db.session.query(User).filter_by(email="written-before-the-error@example.org").count() == 0


def test_escaped_errors_are_answered_in_html_for_pages(raising_app):
    client = raising_app.test_client()
    response = client.post("/en/fail", headers={"Referer": "http://localhost/en/manage/"})
    assert response.status_code == 303 and response.headers["Location"] == "http://localhost/en/manage/"
    with client.session_transaction() as session:
        assert session["_flashes"] == [("error", "The quota is too small.")]
    response = client.get("/en/fail")
    assert response.status_code == 422 and "The quota is too small." in response.get_data(as_text=True)
    response = client.get("/en/fail?what=denied")  # a visitor: the sign-in page
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    response = client.get("/en/fail?what=denied&status=404")
    assert response.status_code == 404 and "Not for you." not in response.get_data(as_text=True)


def test_a_signed_in_user_refused_gets_403_with_the_reason(raising_app):
    with raising_app.app_context():
        user = f.user()
        user_id = user.id

    @raising_app.before_request
    def sign_in():
        login_user(db.session.get(User, user_id))

    response = raising_app.test_client().get("/en/fail?what=denied")
    assert response.status_code == 403 and "Not for you." in response.get_data(as_text=True)
