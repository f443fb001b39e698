"""The API for a ministry's own system: Bearer tokens, same rules as the forms, 4xx naming the field."""
import pytest
from sqlalchemy import select

from dialogue.delegates import api
from dialogue.delegates.models import ApiToken, Delegate
from dialogue.extensions import db

from .. import factories as f
from . import factories as df


@pytest.fixture
def setup(app):
    ev = f.event()
    f.session(ev, "PL1")
    user, d = df.focal_point(ev, quota=2)
    _token, secret = api.create_token(user, "ministry", d)
    db.session.commit()
    base = f"/api/v1/events/{ev.slug}/delegations/{d.id}/delegates"
    return {"event": ev, "user": user, "delegation": d, "headers": {"Authorization": f"Bearer {secret}"}, "base": base}


def test_create_list_update_withdraw(app, client, setup):
    base, headers = setup["base"], setup["headers"]
    created = client.post(base, headers=headers, json={"given_name": "José", "family_name": "Núñez", "email": "jose@example.org",
                                                       "role": "head", "sessions": ["PL1"]})
    assert created.status_code == 201, created.json
    delegate = created.json
    assert delegate["family_name"] == "Núñez" and delegate["status"] == "nominated" and delegate["sessions"] == ["PL1"]
    listing = client.get(base, headers=headers).json
    assert listing["held"] == 1 and listing["quota"] == 2 and listing["delegates"][0]["email"] == "jose@example.org"
    changed = client.patch(f"{base}/{delegate['id']}", headers=headers, json={"function": "Vice-ministro"})
    assert changed.status_code == 200 and changed.json["function"] == "Vice-ministro" and changed.json["family_name"] == "Núñez"
    gone = client.delete(f"{base}/{delegate['id']}", headers=headers)
    assert gone.status_code == 200 and gone.json["status"] == "withdrawn"


def test_invalid_input_gets_4xx_naming_the_field(app, client, setup):
    base, headers = setup["base"], setup["headers"]
    for body, field in (({"given_name": "A", "family_name": "B", "email": "nope"}, "email"),
                        ({"given_name": "", "family_name": "B", "email": "a@example.org"}, "given_name"),
                        ({"given_name": "A", "family_name": "B", "email": "a@example.org", "role": "king"}, "role"),
                        ({"given_name": "A", "family_name": "B", "email": "a@example.org", "sessions": ["NOPE"]}, "sessions"),
                        ({"given_name": "A", "family_name": "B", "email": "a@example.org", "sessions": 5}, "sessions"),
                        ({"given_name": ["x"], "family_name": {"y": 1}, "email": 3}, "given_name"),
                        ({"nickname": "x"}, "nickname")):
        response = client.post(base, headers=headers, json=body)
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert response.json["field"] == field, (body, response.json)
    assert client.post(base, headers=headers, data="not json", content_type="application/json").status_code == 400
    assert client.post(base, headers=headers, json=[1, 2]).status_code == 400
    assert db.session.scalar(select(Delegate)) is None


def test_quota_holds_through_the_api_with_a_409(app, client, setup):
    base, headers = setup["base"], setup["headers"]
    for i in range(2):
        assert client.post(base, headers=headers, json={"given_name": "A", "family_name": f"B{i}", "email": f"{i}@example.org"}).status_code == 201
    response = client.post(base, headers={**headers, "Accept-Language": "es"},
                           json={"given_name": "A", "family_name": "C", "email": "c@example.org"})
    assert response.status_code == 409
    assert "cupo" in response.json["error"]


def test_missing_bad_and_revoked_tokens_get_401(app, client, setup):
    base = setup["base"]
    assert client.get(base).status_code == 401
    assert client.get(base, headers={"Authorization": "Bearer wrong"}).status_code == 401
    token = db.session.scalar(select(ApiToken))
    api.revoke_token(setup["user"], token.id)
    db.session.commit()
    assert client.get(base, headers=setup["headers"]).status_code == 401


def test_focal_point_creates_and_revokes_tokens_on_the_page(app, client, auth, setup):
    ev, d = setup["event"], setup["delegation"]
    auth.login(setup["user"].email)
    page = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/tokens", data={"label": "SIGED"}).get_data(as_text=True)
    assert "shown only once" in page and "dlg_" in page
    token = db.session.scalar(select(ApiToken).where(ApiToken.label == "SIGED"))
    assert token.token_hash not in page
    assert client.post(f"/en/events/{ev.slug}/delegations/{d.id}/tokens/{token.id}/revoke").status_code == 302
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_openapi_documents_the_delegates_endpoints(app, client):
    doc = client.get("/api/v1/openapi.json").json
    path = doc["paths"]["/api/v1/events/{slug}/delegations/{delegation_id}/delegates"]
    assert {"get", "post"} <= set(path)
    assert "DelegateInput" in doc["components"]["schemas"] and "FieldError" in doc["components"]["schemas"]
