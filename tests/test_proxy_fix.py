"""Behind a reverse proxy (PROXY_FIX_X_FOR=1): rate limits count each client address from
X-Forwarded-For; without the setting a client's own X-Forwarded-For changes nothing."""
from __future__ import annotations

import pytest

from dialogue import register_proxy_fix
from dialogue.config import build_config

PROXY = "10.9.0.1"


def login_through_proxy(client, forwarded_for: str | None, n: int = 0):
    """A wrong sign-in (to a different account each time: the per-account lock is not what is tested)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/en/account/login", data={"email": f"nobody{n}@example.org", "password": "guess"},
                       headers=headers, environ_base={"REMOTE_ADDR": PROXY})


@pytest.fixture
def behind_proxy(app):
    original = app.wsgi_app
    app.config["PROXY_FIX_X_FOR"] = 1
    register_proxy_fix(app)
    yield app
    app.wsgi_app = original
    app.config["PROXY_FIX_X_FOR"] = 0


def test_rate_limits_count_the_client_behind_the_proxy(behind_proxy, client):
    limit = 10  # LOGIN_LIMIT_PER_ADDRESS: 10 per minute
    for n in range(limit):
        assert login_through_proxy(client, "198.51.100.20", n).status_code == 401
    assert login_through_proxy(client, "198.51.100.20").status_code == 429
    # Another client behind the same proxy is not slowed by the first one.
    assert login_through_proxy(client, "198.51.100.21").status_code == 401
    # The proxy appends what it saw: a client's forged left-most address is not the one counted.
    assert login_through_proxy(client, "203.0.113.99, 198.51.100.20").status_code == 429


def test_without_the_setting_a_forged_header_does_not_escape_the_limit(app, client):
    for i in range(10):
        assert login_through_proxy(client, f"192.0.2.{i}", i).status_code == 401
    assert login_through_proxy(client, "192.0.2.200").status_code == 429  # all counted as the proxy's address


def test_the_setting_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXY_FIX_X_FOR", "1")
    config = build_config(tmp_path)
    assert config["PROXY_FIX_X_FOR"] == 1 and config["PROXY_FIX_X_PROTO"] == 0
