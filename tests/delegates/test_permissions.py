"""A focal point sees and changes only their own delegation; visitors see nothing of delegates."""
import pytest

from dialogue.delegates import api, services
from dialogue.delegates.models import Delegate
from dialogue.extensions import db

from .. import factories as f
from . import factories as df

DOMAIN = ("delegates.", "delegates_manage.", "delegates_api.", "my_delegations.", "delegates_reuse.",
          "public_participants.", "public_participants_manage.")
SECRET_NAME = "Quispe-Secret"
SECRET_EMAIL = "hidden.delegate@example.org"


@pytest.fixture
def world(app):
    ev = f.event()
    f.session(ev, "PL1")
    peru_fp, peru = df.focal_point(ev, "PE")
    colombia_fp, colombia = df.focal_point(ev, "CO")
    delegate = df.delegate(peru, "Rosa", SECRET_NAME, email=SECRET_EMAIL, status="accredited")
    pending = df.delegate(peru, "Luis", SECRET_NAME + "-2", email="pending@example.org")
    token, _secret = api.create_token(peru_fp, "ministry", peru)
    _ctoken, colombia_secret = api.create_token(colombia_fp, "ministry", colombia)
    db.session.commit()
    values = {"lang": "en", "slug": ev.slug, "delegation_id": peru.id, "delegate_id": pending.id,
              "token_id": token.id, "code": delegate.badge_code, "fmt": "xlsx", "source_id": peru.id}
    return {"event": ev, "peru": peru, "colombia_fp": colombia_fp, "colombia_secret": colombia_secret,
            "values": values, "pending": pending}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(DOMAIN):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def call(client, rule, method, values, **kwargs):
    path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
    return client.open(path, method=method, data={} if method != "GET" else None, **kwargs)


def assert_nothing_leaked(response):
    body = response.get_data()
    assert SECRET_NAME.encode() not in body and SECRET_EMAIL.encode() not in body


def test_the_walk_covers_every_route_of_the_domain(app):
    endpoints = {rule.endpoint for rule, _m in routes(app)}
    assert {"delegates.delegation", "delegates.delegate_edit", "delegates.import_file", "delegates_manage.participants_file",
            "delegates_manage.badges_pdf", "delegates_api.create_delegate", "delegates_api.withdraw_delegate"} <= endpoints
    assert len(endpoints) >= 25


def test_another_delegations_focal_point_finds_nothing(app, client, auth, world):
    auth.login(world["colombia_fp"].email)
    for rule, method in routes(app):
        response = call(client, rule, method, world["values"])
        if rule.endpoint == "my_delegations.mine":
            assert response.status_code == 200
        elif rule.endpoint.startswith("delegates_api."):
            assert response.status_code == 401, rule  # a session cookie does not open the API
        else:
            assert response.status_code in (403, 404), (rule, method, response.status_code)
        assert_nothing_leaked(response)
    db.session.expire_all()
    pending = db.session.get(Delegate, world["pending"].id)
    assert pending.status == "nominated"


def test_another_delegations_token_finds_nothing(app, client, world):
    headers = {"Authorization": f"Bearer {world['colombia_secret']}"}
    for rule, method in routes(app):
        if rule.endpoint.startswith("delegates_api."):
            response = call(client, rule, method, world["values"], headers=headers)
            assert response.status_code == 404, rule
            assert_nothing_leaked(response)
    assert db.session.get(Delegate, world["pending"].id).status == "nominated"


def test_anonymous_visitor_finds_nothing(app, client, world):
    for rule, method in routes(app):
        response = call(client, rule, method, world["values"])
        if rule.endpoint.startswith("delegates_api."):
            assert response.status_code == 401
        else:
            # Pages send visitors to the sign-in page, forms refuse them.
            assert response.status_code in (302, 401, 403, 404), (rule, method)
            if response.status_code == 302:
                assert "/account/login" in response.headers["Location"]
        assert_nothing_leaked(response)


def test_public_pages_show_no_personal_data_of_delegates(app, client, world):
    ev = world["event"]
    for url in (f"/en/events/{ev.slug}/", f"/en/events/{ev.slug}/sessions/PL1", f"/api/v1/events/{ev.slug}/sessions",
                "/api/v1/openapi.json", f"/en/events/{ev.slug}/agenda.pdf"):
        assert_nothing_leaked(client.get(url))


def test_focal_point_cannot_reach_another_delegation_through_its_own_url(app, client, auth, world):
    """Mixing one's own delegation id with another delegation's delegate id finds nothing either."""
    fp = world["colombia_fp"]
    colombia = services.my_delegations(fp)[0]
    auth.login(fp.email)
    ev = world["event"]
    pending = world["pending"]
    assert client.get(f"/en/events/{ev.slug}/delegations/{colombia.id}/delegates/{pending.id}/edit").status_code == 404
    assert client.post(f"/en/events/{ev.slug}/delegations/{colombia.id}/delegates/{pending.id}/withdraw").status_code == 404
    assert db.session.get(Delegate, pending.id).status == "nominated"
