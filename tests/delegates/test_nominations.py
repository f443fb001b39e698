"""A focal point nominates delegates within the rules; organisers accredit or reject them."""
import re

import pytest
from sqlalchemy import select

from dialogue.auth import PermissionDenied
from dialogue.delegates import services
from dialogue.delegates.models import Delegate, FocalPoint
from dialogue.extensions import db
from dialogue.models import AuditEntry, OutboxMessage

from .. import factories as f
from . import factories as df


def nominee(**extra):
    return {"given_name": "Ana", "family_name": "Pérez", "email": f"ana{len(extra)}-{id(extra)}@example.org",
            "role": "member", "gender": "female", "attendance": "in_person", "salutation": "ms", **extra}


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page).group(1) \
        or re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_focal_point_nominates_through_the_form_with_csrf(app, client, auth):
    ev = f.event()
    f.session(ev, "PL1")
    user, d = df.focal_point(ev, "PE")
    auth.login(user.email)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(f"/es/events/{ev.slug}/delegations/{d.id}/delegates/new").get_data(as_text=True)
    assert "Perú" in page
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/es/events/{ev.slug}/delegations/{d.id}/delegates/new", data={
        "csrf_token": token, "salutation": "he_ms", "given_name": "María José", "family_name": "Núñez Ibáñez",
        "function": "Ministra", "email": "MJ.Nunez@Example.org", "gender": "female", "role": "head",
        "attendance": "in_person", "sessions": ["PL1"]})
    assert response.status_code == 302
    delegate = db.session.scalar(select(Delegate))
    assert (delegate.given_name, delegate.family_name, delegate.email) == ("María José", "Núñez Ibáñez", "mj.nunez@example.org")
    assert [r.session.code for r in delegate.registrations] == ["PL1"]
    page = client.get(f"/es/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    assert "Núñez Ibáñez" in page and "1 de 5" in page


def test_form_without_csrf_token_is_refused(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    auth.login(user.email)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/new", data=nominee())
    assert response.status_code == 400
    assert db.session.scalar(select(Delegate)) is None


@pytest.mark.parametrize("given,family", [("Ñusta", "Çelik"), ("محمد", "العلي"), ("丽", "王"), ("Zoë", "O'Brien-Łukasz")])
def test_names_in_any_script_are_kept_exactly(app, given, family):
    ev = f.event()
    user, d = df.focal_point(ev)
    delegate = services.nominate(d, nominee(given_name=f"  {given} ", family_name=family), user)
    db.session.commit()
    db.session.expire_all()
    assert (delegate.given_name, delegate.family_name) == (given, family)


def test_focal_point_cannot_exceed_quota(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=2)
    for i in range(2):
        services.nominate(d, nominee(email=f"p{i}@example.org"), user)
    db.session.commit()
    with pytest.raises(services.QuotaReached):
        services.nominate(d, nominee(email="third@example.org"), user)
    db.session.rollback()
    auth.login(user.email)
    response = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/new", data=nominee(email="third@example.org"))
    assert response.status_code == 422
    assert "quota of 2 delegates is reached" in response.get_data(as_text=True)
    assert services.places(d) == 2


def test_withdrawn_and_rejected_nominations_free_their_place(app, organiser_event):
    org, ev = organiser_event
    user, d = df.focal_point(ev, quota=1)
    first = services.nominate(d, nominee(email="a@example.org"), user)
    services.withdraw(first, user)
    second = services.nominate(d, nominee(email="a@example.org"), user)
    services.reject(second, "Not a member of the government.", org)
    services.nominate(d, nominee(email="b@example.org"), user)
    db.session.commit()
    assert services.places(d) == 1


def test_only_one_head_of_delegation(app):
    ev = f.event()
    user, d = df.focal_point(ev)
    services.nominate(d, nominee(email="head@example.org", role="head"), user)
    with pytest.raises(services.DelegationError) as error:
        services.nominate(d, nominee(email="other@example.org", role="head"), user)
    assert error.value.field == "role"


def test_an_email_once_per_delegation_and_flagged_across_delegations(app):
    ev = f.event()
    peru_fp, peru = df.focal_point(ev, "PE")
    colombia_fp, colombia = df.focal_point(ev, "CO")
    first = services.nominate(peru, nominee(email="same@example.org"), peru_fp)
    db.session.commit()
    with pytest.raises(services.DelegationError) as error:
        services.nominate(peru, nominee(email="SAME@example.org"), peru_fp)
    assert error.value.field == "email"
    db.session.rollback()
    # Another delegation: taken (refusing it would tell Colombia that Peru nominated this person), flagged.
    second = services.nominate(colombia, nominee(email="SAME@example.org"), colombia_fp)
    db.session.commit()
    db.session.refresh(first)
    assert (first.also_in_delegation_id, second.also_in_delegation_id) == (colombia.id, peru.id)
    other_event = f.event()
    fp2, d2 = df.focal_point(other_event, "PE")
    services.nominate(d2, nominee(email="same@example.org"), fp2)  # another event: fine


def test_focal_point_edits_until_accredited_then_cannot(app, client, auth, organiser_event):
    org, ev = organiser_event
    user, d = df.focal_point(ev)
    delegate = services.nominate(d, nominee(email="x@example.org"), user)
    db.session.commit()
    auth.login(user.email)
    url = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{delegate.id}/edit"
    assert client.post(url, data=nominee(email="x@example.org", function="Adviser to the minister")).status_code == 302
    assert db.session.get(Delegate, delegate.id).function == "Adviser to the minister"
    services.accredit(db.session.get(Delegate, delegate.id), org)
    db.session.commit()
    response = client.post(url, data=nominee(email="x@example.org", function="Changed"))
    assert response.status_code == 422
    assert "already decided" in response.get_data(as_text=True)
    client.post(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{delegate.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(Delegate, delegate.id).status == "accredited"


def test_organiser_accredits_and_rejects_with_reason_focal_point_is_told_and_audit_records(app, client, auth,
                                                                                             organiser_event):
    org, ev = organiser_event
    user, d = df.focal_point(ev)
    user.locale = "fr"
    a = services.nominate(d, nominee(email="a@example.org", given_name="Ana", family_name="Quispe"), user)
    b = services.nominate(d, nominee(email="b@example.org", given_name="Beto", family_name="Rojas"), user)
    db.session.commit()
    auth.login(org.email)
    queue = client.get(f"/en/manage/events/{ev.slug}/accreditation").get_data(as_text=True)
    assert "Quispe" in queue and "Rojas" in queue
    assert client.post(f"/en/manage/events/{ev.slug}/delegates/{a.id}/accredit").status_code == 302
    client.post(f"/en/manage/events/{ev.slug}/delegates/{b.id}/reject", data={"reason": ""})
    assert db.session.get(Delegate, b.id).status == "nominated"
    client.post(f"/en/manage/events/{ev.slug}/delegates/{b.id}/reject", data={"reason": "Pas sur la liste officielle."})
    db.session.expire_all()
    assert db.session.get(Delegate, a.id).status == "accredited"
    assert db.session.get(Delegate, b.id).reason == "Pas sur la liste officielle."
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).all()
    assert len(mails) == 2
    assert any("accrédité" in m.subject for m in mails)  # in the focal point's language
    assert any("Pas sur la liste officielle." in m.body for m in mails)
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.event_id == ev.id)))
    assert {"delegate.nominate", "delegate.accredit", "delegate.reject"} <= actions
    auth.logout()
    auth.login(user.email)
    page = client.get(f"/fr/events/{ev.slug}/delegations/{d.id}/").get_data(as_text=True)
    assert "Accrédité" in page and "Refusé" in page and "Pas sur la liste officielle." in page
    audit_page = client.get(f"/en/manage/events/{ev.slug}/audit")
    assert audit_page.status_code == 403


def test_organiser_creates_a_delegation_and_invites_its_focal_point(app, client, auth, organiser_event):
    org, ev = organiser_event
    auth.login(org.email)
    page = client.get(f"/fr/manage/events/{ev.slug}/delegations/").get_data(as_text=True)
    assert "Pérou" in page  # Babel's names in the page's language
    response = client.post(f"/fr/manage/events/{ev.slug}/delegations/", data={"kind": "member_state", "country": "PE", "quota": 20})
    assert response.status_code == 302
    d = db.session.scalar(select(services.Delegation))
    again = client.post(f"/fr/manage/events/{ev.slug}/delegations/", data={"kind": "member_state", "country": "PE", "quota": 3})
    assert again.status_code == 422
    response = client.post(f"/fr/manage/events/{ev.slug}/delegations/{d.id}/focal-points",
                           data={"fp-email": "Focal@Example.org", "fp-name": "Rosa Huamán"})
    assert response.status_code == 302
    link = db.session.scalar(select(FocalPoint))
    assert link.user.email == "focal@example.org"
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "focal@example.org"))
    assert "Pérou" in mail.subject
    url = re.search(r"http://localhost(/fr/account/set-password/\S+)", mail.body).group(1)
    auth.logout()
    assert client.post(url, data={"password": "a long password 1", "confirm": "a long password 1"}).status_code == 302
    assert client.get(f"/fr/events/{ev.slug}/delegations/{d.id}/").status_code == 200
    assert "Pérou" in client.get("/fr/delegations/").get_data(as_text=True)


def test_session_capacity_holds(app):
    ev = f.event()
    f.session(ev, "WS1", capacity=1)
    user, d = df.focal_point(ev)
    services.nominate(d, nominee(email="a@example.org", sessions=["WS1"]), user)
    with pytest.raises(services.DelegationError) as error:
        services.nominate(d, nominee(email="b@example.org", sessions=["WS1"]), user)
    assert error.value.field == "sessions" and "full" in error.value.message


def test_organisers_see_who_attends_each_session(app, client, auth, organiser_event):
    org, ev = organiser_event
    f.session(ev, "WS1", capacity=10)
    user, d = df.focal_point(ev)
    services.nominate(d, nominee(email="a@example.org", family_name="Quispe", sessions="WS1"), user)
    db.session.commit()
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/attendance").get_data(as_text=True)
    assert "Quispe" in page and "1 of 10 places taken" in page


def test_another_user_cannot_nominate_through_the_service(app):
    ev = f.event()
    _user, d = df.focal_point(ev)
    stranger = f.user()
    with pytest.raises(PermissionDenied):
        services.nominate(d, nominee(), stranger)


def test_focal_point_finds_the_delegation_on_my_work(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, "PE")
    auth.login(user.email)
    page = client.get("/fr/manage/").get_data(as_text=True)
    assert f"/fr/events/{ev.slug}/delegations/{d.id}/" in page and "Pérou" in page


def test_accreditation_queue_pages_a_long_queue(app, client, auth, organiser_event):
    org, ev = organiser_event
    d = df.delegation(ev, "PE", quota=500)
    df.many_delegates(d, 150, status="nominated")
    auth.login(org.email)
    first = client.get(f"/en/manage/events/{ev.slug}/accreditation").get_data(as_text=True)
    assert "1–100 of 150" in first and first.count("Accredit</button>") == 100
    import html
    import re
    following = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    second = client.get(following).get_data(as_text=True)
    assert second.count("Accredit</button>") == 50
