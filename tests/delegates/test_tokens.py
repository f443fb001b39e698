"""API tokens open one delegation, read only or read and write, until their expiry; their last use is shown."""
import importlib.util
import pathlib
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import select, text

from dialogue.delegates import api
from dialogue.delegates.models import ApiToken, Delegate
from dialogue.extensions import db
from dialogue.models import utcnow

from .. import factories as f
from . import factories as df

BODY = {"given_name": "Ana", "family_name": "Pérez", "email": "ana@example.org"}


@pytest.fixture
def world(app):
    ev = f.event()
    user, peru = df.focal_point(ev, "PE")
    colombia = df.delegation(ev, "CO", focal_point=user)  # the same person registers two delegations
    df.delegate(peru, email="first@example.org")
    return {"event": ev, "user": user, "peru": peru, "colombia": colombia}


def base(world, d):
    return f"/api/v1/events/{world['event'].slug}/delegations/{d.id}/delegates"


def bearer(secret, lang="en"):
    return {"Authorization": f"Bearer {secret}", "Accept-Language": lang}


def test_a_token_opens_only_its_delegation(app, client, world):
    _t, secret = api.create_token(world["user"], "peru system", world["peru"])
    db.session.commit()
    assert client.get(base(world, world["peru"]), headers=bearer(secret)).status_code == 200
    other = client.get(base(world, world["colombia"]), headers=bearer(secret))
    assert other.status_code == 404 and other.json["status"] == 404
    assert client.post(base(world, world["colombia"]), headers=bearer(secret), json=BODY).status_code == 404


def test_a_read_only_token_reads_and_is_refused_writes_with_a_clear_json_error(app, client, world):
    _t, secret = api.create_token(world["user"], "dashboard", world["peru"], can_write=False)
    db.session.commit()
    url = base(world, world["peru"])
    assert client.get(url, headers=bearer(secret)).json["held"] == 1
    first = db.session.scalar(select(Delegate))
    for method, path, body in (("POST", url, BODY), ("PATCH", f"{url}/{first.id}", {"function": "x"}),
                               ("DELETE", f"{url}/{first.id}", None)):
        response = client.open(path, method=method, headers=bearer(secret, "es"), json=body)
        assert response.status_code == 403, method
        assert response.is_json and "solo lectura" in response.json["error"]
    assert db.session.scalar(select(Delegate)).status == "nominated" and len(db.session.scalars(select(Delegate)).all()) == 1


def test_an_expired_token_is_refused_with_401(app, client, world):
    token, secret = api.create_token(world["user"], "old", world["peru"])
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(base(world, world["peru"]), headers=bearer(secret, "fr"))
    assert response.status_code == 401 and "expiré" in response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_from_before_scopes_is_refused_and_asks_to_be_recreated(app, client, world):
    token, secret = api.create_token(world["user"], "legacy", world["peru"])
    token.delegation_id, token.expires_at = None, None
    db.session.commit()
    response = client.get(base(world, world["peru"]), headers=bearer(secret))
    assert response.status_code == 401 and "create a new one" in response.json["error"]


def test_last_use_is_written_at_most_every_few_minutes(app, client, world):
    token, secret = api.create_token(world["user"], "busy script", world["peru"])
    db.session.commit()
    url = base(world, world["peru"])
    client.get(url, headers=bearer(secret))
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    for _ in range(3):
        client.get(url, headers=bearer(secret))
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == first
    db.session.get(ApiToken, token.id).last_used_at = first - timedelta(minutes=10)
    db.session.commit()
    client.get(url, headers=bearer(secret))
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at > first - timedelta(minutes=10)


def test_focal_point_chooses_access_and_expiry_on_the_page(app, client, auth, world):
    ev, peru = world["event"], world["peru"]
    auth.login(world["user"].email)
    url = f"/en/events/{ev.slug}/delegations/{peru.id}/tokens"
    form = client.get(url).get_data(as_text=True)
    assert (utcnow().date() + timedelta(days=90)).isoformat() in form  # the default expiry
    day = utcnow().date() + timedelta(days=30)
    page = client.post(url, data={"label": "reader", "access": "read", "expires_on": day.isoformat()})
    assert page.status_code == 200 and "shown only once" in page.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken).where(ApiToken.label == "reader"))
    assert (token.delegation_id, token.can_write, token.expires_at.date()) == (peru.id, False, day + timedelta(days=1))
    listing = client.get(url).get_data(as_text=True)
    assert "Read only" in listing and "reader" in listing and format_date(day, "medium", locale="en_GB") in listing
    for late in (utcnow().date() + timedelta(days=400), utcnow().date() - timedelta(days=1)):
        refused = client.post(url, data={"label": "too long", "access": "write", "expires_on": late.isoformat()})
        assert refused.status_code == 422 and "one year from now" in refused.get_data(as_text=True)
        assert 'value="too long"' in refused.get_data(as_text=True)  # what was typed stays
    spanish = client.get(f"/es/events/{ev.slug}/delegations/{peru.id}/tokens").get_data(as_text=True)
    assert "Solo lectura" in spanish


def test_old_tokens_are_scoped_by_the_migration_when_their_owner_has_one_delegation(app, world):
    single_user, single = df.focal_point(world["event"], "EC")
    one, _s1 = api.create_token(single_user, "one", single)
    two, _s2 = api.create_token(world["user"], "two", world["peru"])
    for t in (one, two):
        t.delegation_id, t.expires_at = None, None
    db.session.commit()
    path = pathlib.Path(__file__).parents[2] / "migrations/versions/d4a7c2e9b1f6_delegations_window_tokens_duplicates.py"
    spec = importlib.util.spec_from_file_location("migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(text(migration.SCOPE_OLD_TOKENS), {"expires": utcnow() + timedelta(days=90)})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ApiToken, one.id).delegation_id == single.id  # exactly one delegation: scoped
    assert db.session.get(ApiToken, one.id).expires_at > utcnow()
    assert db.session.get(ApiToken, two.id).delegation_id is None  # two delegations: to be made again


def test_openapi_describes_scopes_and_read_only_refusals(app, client):
    doc = client.get("/api/v1/openapi.json").json
    post = doc["paths"]["/api/v1/events/{slug}/delegations/{delegation_id}/delegates"]["post"]
    assert "403" in post["responses"] and "expires" in post["description"]
