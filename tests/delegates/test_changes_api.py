"""Changes after accreditation through the API: a read-write token of the delegation asks, any token of it
reads the requests and their state, the organisers decide in the application."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dialogue.delegates import api, substitutions
from dialogue.delegates.models import Delegate
from dialogue.delegates.personal_models import ChangeRequest
from dialogue.extensions import db
from dialogue.models import AuditEntry, utcnow

from .. import factories as f
from . import factories as df

NEWCOMER = {"given_name": "Bruno", "family_name": "Mamani", "email": "bruno@example.org", "gender": "male"}


@pytest.fixture
def world(app):
    ev = f.event()
    user, peru = df.focal_point(ev, "PE", quota=3)
    colombia_fp, colombia = df.focal_point(ev, "CO")
    ana = df.delegate(peru, "Ana", "Quispe", status="accredited")
    luis = df.delegate(peru, "Luis", "Pending")  # nominated, not accredited
    return {"event": ev, "user": user, "peru": peru, "colombia": colombia, "colombia_fp": colombia_fp,
            "ana": ana, "luis": luis}


def url(world, d, delegate=None):
    base = f"/api/v1/events/{world['event'].slug}/delegations/{d.id}"
    return f"{base}/delegates/{delegate.id}/changes" if delegate is not None else f"{base}/changes"


def bearer(secret, lang="en"):
    return {"Authorization": f"Bearer {secret}", "Accept-Language": lang}


def requests_count():
    return db.session.scalar(select(func.count(ChangeRequest.id)))


def test_a_read_write_token_asks_for_a_substitution_and_reads_its_state_until_the_organisers_decide(app, client, world):
    _t, secret = api.create_token(world["user"], "ministry", world["peru"])
    db.session.commit()
    sent = client.post(url(world, world["peru"], world["ana"]), headers=bearer(secret),
                       json={"kind": "substitute", "reason": "Ana is ill", "replacement": NEWCOMER})
    assert sent.status_code == 201, sent.json
    assert sent.json["status"] == "pending" and sent.json["kind"] == "substitute"
    assert sent.json["replacement"]["family_name"] == "Mamani" and sent.json["replacement_delegate"] is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delegate.substitute_request"))
    again = client.post(url(world, world["peru"], world["ana"]), headers=bearer(secret, "es"),
                        json={"kind": "withdraw", "reason": "otra vez"})
    assert again.status_code == 422 and "organizadores" in again.json["error"]  # already pending, in Spanish
    listed = client.get(url(world, world["peru"]), headers=bearer(secret)).json
    assert [c["status"] for c in listed["changes"]] == ["pending"]
    admin = f.user(admin=True)
    change = db.session.get(ChangeRequest, sent.json["id"])
    substitutions.decide(change, True, "", admin)
    db.session.commit()
    decided = client.get(url(world, world["peru"]), headers=bearer(secret)).json["changes"][0]
    bruno = db.session.scalar(select(Delegate).where(Delegate.email == "bruno@example.org"))
    assert decided["status"] == "accepted" and decided["replacement_delegate"] == bruno.id
    assert decided["decided_at"].endswith("Z")


def test_a_withdrawal_refused_shows_the_organisers_reason(app, client, world):
    _t, secret = api.create_token(world["user"], "ministry", world["peru"])
    db.session.commit()
    sent = client.post(url(world, world["peru"], world["ana"]), headers=bearer(secret),
                       json={"kind": "withdraw", "reason": "Cannot travel"})
    assert sent.status_code == 201 and sent.json["replacement"] is None
    substitutions.decide(db.session.get(ChangeRequest, sent.json["id"]), False, "Too late", f.user(admin=True))
    db.session.commit()
    decided = client.get(url(world, world["peru"]), headers=bearer(secret)).json["changes"][0]
    assert (decided["status"], decided["decision_reason"]) == ("refused", "Too late")


def test_a_read_only_token_reads_the_requests_and_cannot_ask(app, client, world):
    substitutions.request_change(world["ana"], "withdraw", "Cannot travel", None, world["user"])
    _t, secret = api.create_token(world["user"], "dashboard", world["peru"], can_write=False)
    db.session.commit()
    assert len(client.get(url(world, world["peru"]), headers=bearer(secret)).json["changes"]) == 1
    refused = client.post(url(world, world["peru"], world["ana"]), headers=bearer(secret, "fr"),
                          json={"kind": "withdraw", "reason": "x"})
    assert refused.status_code == 403 and "lecture seule" in refused.json["error"]
    assert requests_count() == 1


def test_a_token_of_another_delegation_or_an_expired_one_finds_nothing(app, client, world):
    substitutions.request_change(world["ana"], "withdraw", "Cannot travel", None, world["user"])
    _c, other = api.create_token(world["colombia_fp"], "colombia", world["colombia"])
    old, expired = api.create_token(world["user"], "old", world["peru"])
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    for secret, status in ((other, 404), (expired, 401)):
        listed = client.get(url(world, world["peru"]), headers=bearer(secret))
        asked = client.post(url(world, world["peru"], world["ana"]), headers=bearer(secret),
                            json={"kind": "withdraw", "reason": "x"})
        assert (listed.status_code, asked.status_code) == (status, status)
        assert "Cannot travel" not in listed.get_data(as_text=True)
    # Its own delegation's id with another delegation's delegate: nothing either.
    _p, own = api.create_token(world["colombia_fp"], "colombia 2", world["colombia"])
    db.session.commit()
    mixed = client.post(url(world, world["colombia"], world["ana"]), headers=bearer(own), json={"kind": "withdraw",
                                                                                              "reason": "x"})
    assert mixed.status_code == 404
    assert requests_count() == 1


def test_wrong_requests_get_a_clear_json_error_and_write_nothing(app, client, world):
    _t, secret = api.create_token(world["user"], "ministry", world["peru"])
    db.session.commit()
    target = url(world, world["peru"], world["ana"])
    cases = [
        ({"kind": "withdraw"}, 422, "reason"),
        ({"kind": "move", "reason": "x"}, 422, "kind"),
        ({"kind": "withdraw", "reason": "x", "extra": 1}, 400, "extra"),
        ({"kind": "substitute", "reason": "x", "replacement": {**NEWCOMER, "email": "not an email"}}, 422, None),
        ({"kind": "substitute", "reason": "x", "replacement": {**NEWCOMER, "shoe": 42}}, 400, "replacement.shoe"),
        ({"kind": "substitute", "reason": "x"}, 422, None),  # no replacement: the service names the field
    ]
    for body, status, field in cases:
        response = client.post(target, headers=bearer(secret), json=body)
        assert response.status_code == status, (body, response.json)
        assert response.json["error"] and (field is None or response.json.get("field") == field), response.json
    pending = client.post(url(world, world["peru"], world["luis"]), headers=bearer(secret),
                          json={"kind": "withdraw", "reason": "x"})
    assert pending.status_code == 422 and "accredited" in pending.json["error"]  # not accredited yet
    assert requests_count() == 0


def test_an_organisers_token_reads_but_only_focal_points_ask(app, client, world):
    org = f.user("organiser@example.org")
    from dialogue.auth import grant_role
    grant_role(org, world["event"], "organiser")
    _t, secret = api.create_token(org, "desk", world["peru"])
    db.session.commit()
    assert client.get(url(world, world["peru"]), headers=bearer(secret)).status_code == 200
    asked = client.post(url(world, world["peru"], world["ana"]), headers=bearer(secret),
                        json={"kind": "withdraw", "reason": "x"})
    assert asked.status_code == 403 and asked.json["error"]
    assert requests_count() == 0


def test_openapi_documents_the_change_requests(app, client):
    doc = client.get("/api/v1/openapi.json").json
    listing = doc["paths"]["/api/v1/events/{slug}/delegations/{delegation_id}/changes"]["get"]
    asking = doc["paths"]["/api/v1/events/{slug}/delegations/{delegation_id}/delegates/{delegate_id}/changes"]["post"]
    assert {"401", "404"} <= set(listing["responses"]) and {"201", "403", "422"} <= set(asking["responses"])
    assert {"ChangeInput", "ChangeRequest"} <= set(doc["components"]["schemas"])
