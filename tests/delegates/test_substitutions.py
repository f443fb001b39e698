"""After accreditation: a focal point asks to replace or withdraw a delegate; organisers decide."""
import re

import pytest
from sqlalchemy import select

from dialogue.actions import DomainError
from dialogue.delegates import services, substitutions
from dialogue.delegates.models import Delegate
from dialogue.delegates.personal_models import ChangeRequest
from dialogue.extensions import db
from dialogue.models import AuditEntry, OutboxMessage

from .. import factories as f
from . import factories as df


def newcomer(**extra):
    return {"new-given_name": "Bruno", "new-family_name": "Mamani", "new-email": "bruno@example.org",
            "new-salutation": "mr", "new-gender": "male", "new-role": "member", "new-attendance": "in_person",
            "new-reason": "Ana is ill", **extra}


def setup(quota=2):
    ev = f.event()
    user, d = df.focal_point(ev, quota=quota)
    user.locale = "es"
    ana = df.delegate(d, "Ana", "Quispe", status="accredited")
    df.delegate(d, "Eva", "Luna", status="accredited")
    admin = f.user(admin=True)
    db.session.commit()
    return ev, user, d, ana, admin


def test_substitution_accepted_replaces_the_badge_within_the_quota(app, client, auth):
    ev, user, d, ana, admin = setup(quota=2)
    old_code = ana.badge_code
    auth.login(user.email)
    page = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    assert "Replace or withdraw" in page
    url = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{ana.id}/change"
    assert client.get(url).status_code == 200
    bad = client.post(url + "?kind=substitute", data=newcomer(**{"new-email": "not-an-email"}))
    assert bad.status_code == 422 and "Bruno" in bad.get_data(as_text=True)
    assert client.post(url + "?kind=substitute", data=newcomer()).status_code == 302
    assert "already waiting" in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(admin.email)
    queue = client.get(f"/en/manage/events/{ev.slug}/accreditation").get_data(as_text=True)
    assert "Replace by Bruno Mamani" in queue
    assert client.get(f"/en/manage/events/{ev.slug}/badges/{old_code}").status_code == 200
    change = db.session.scalar(select(ChangeRequest))
    assert client.post(f"/en/manage/events/{ev.slug}/changes/{change.id}/accept").status_code == 302
    db.session.expire_all()
    bruno = db.session.scalar(select(Delegate).where(Delegate.email == "bruno@example.org"))
    assert bruno.status == "accredited" and bruno.badge_code
    assert db.session.get(Delegate, ana.id).status == "withdrawn"
    assert services.places(d) == 2
    check = client.get(f"/en/manage/events/{ev.slug}/badges/{old_code}")
    assert check.status_code == 404 and "no longer valid" in check.get_data(as_text=True)
    assert client.get(f"/en/manage/events/{ev.slug}/badges/{bruno.badge_code}").status_code == 200
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"delegate.substitute_request", "delegate.withdraw", "delegate.accredit", "delegate.substitute_accepted"} <= actions
    to_fp = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).all()
    assert any("Mamani" in m.subject for m in to_fp)
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "bruno@example.org")) is not None


def test_withdrawal_refused_with_a_reason_keeps_the_badge(app):
    ev, user, d, ana, admin = setup()
    change = substitutions.request_change(ana, "withdraw", "Cannot travel", None, user)
    db.session.commit()
    with pytest.raises(DomainError, match="reason"):
        substitutions.decide(change, False, "", admin)
    db.session.rollback()
    substitutions.decide(change, False, "Too late", admin)
    db.session.commit()
    assert db.session.get(Delegate, ana.id).status == "accredited"
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).all()[-1]
    assert "Too late" in mail.body


def test_withdrawal_accepted(app):
    ev, user, d, ana, admin = setup()
    change = substitutions.request_change(ana, "withdraw", "Cannot travel", None, user)
    substitutions.decide(change, True, "", admin)
    db.session.commit()
    assert db.session.get(Delegate, ana.id).status == "withdrawn"
    assert services.places(d) == 1


def test_only_the_delegations_focal_point_asks_and_only_organisers_decide(app, client, auth):
    ev, user, d, ana, admin = setup()
    other, _d2 = df.focal_point(ev, "CL")
    auth.login(other.email)
    url = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{ana.id}/change"
    assert client.post(url + "?kind=withdraw", data={"out-reason": "x"}).status_code == 404
    change = substitutions.request_change(ana, "withdraw", "Cannot travel", None, user)
    db.session.commit()
    auth.login(user.email)
    assert client.post(f"/en/manage/events/{ev.slug}/changes/{change.id}/accept").status_code == 403
    assert db.session.get(Delegate, ana.id).status == "accredited"


def test_a_substitution_with_an_email_already_registered_is_refused_at_decision(app):
    ev, user, d, ana, admin = setup()
    data = {"given_name": "Bruno", "family_name": "Mamani", "email": "late@example.org", "gender": "male",
            "role": "member", "attendance": "in_person", "salutation": "mr", "sessions": []}
    change = substitutions.request_change(ana, "substitute", "ill", data, user)
    db.session.commit()
    df.delegate(d, email="late@example.org", status="nominated", commit=True)  # meanwhile (quota is 2: 3 places now)
    with pytest.raises(DomainError):
        substitutions.decide(change, True, "", admin)
    db.session.rollback()
    assert db.session.get(Delegate, ana.id).status == "accredited"
    assert db.session.get(ChangeRequest, change.id).status == "pending"


def test_queue_with_requests_takes_the_same_queries_for_2_and_20_requests(app, client, auth, count_queries):
    admin = f.user(admin=True)
    auth.login(admin.email)
    counts = []
    for size in (2, 20):
        ev = f.event()
        user, d = df.focal_point(ev, quota=100)
        for i in range(size):
            person = df.delegate(d, f"P{i}", status="accredited", commit=False)
            db.session.flush()
            substitutions.request_change(person, "withdraw", "reason", None, user)
        db.session.commit()
        with count_queries() as counter:
            page = client.get(f"/en/manage/events/{ev.slug}/accreditation").get_data(as_text=True)
        assert len(re.findall(r'id="change-[0-9]', page)) == size
        counts.append(counter.count)
    assert counts[0] == counts[1]
