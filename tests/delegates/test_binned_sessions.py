"""A session in the bin is off the attendance page and out of a delegate's sessions in the API;
restored, it comes back with its registrations."""
from dialogue.auth import grant_role
from dialogue.delegates import api, services
from dialogue.extensions import db
from dialogue.sessions import bin as session_bin

from .. import factories as f
from . import factories as df


def _setup():
    ev = f.event()
    f.session(ev, "PL1")
    binned = f.session(ev, "WS9", start="2022-12-13 09:00")
    org = f.user()
    grant_role(org, ev, "organiser")
    user, d = df.focal_point(ev)
    services.nominate(d, {"given_name": "Ana", "family_name": "Quispe", "email": "ana@example.org", "role": "member",
                          "gender": "female", "attendance": "in_person", "salutation": "ms",
                          "sessions": ["PL1", "WS9"]}, user)
    db.session.commit()
    return ev, org, user, d, binned


def test_the_attendance_page_leaves_out_sessions_in_the_bin(app, client, auth):
    ev, org, _user, _d, ws9 = _setup()
    auth.login(org.email)
    assert 'id="s-WS9"' in client.get(f"/en/manage/events/{ev.slug}/attendance").get_data(as_text=True)
    session_bin.bin_session(ws9, org)
    db.session.commit()
    page = client.get(f"/en/manage/events/{ev.slug}/attendance").get_data(as_text=True)
    assert 'id="s-PL1"' in page and 'id="s-WS9"' not in page
    session_bin.restore_session(ws9, org)
    db.session.commit()
    assert "Quispe" in client.get(f"/en/manage/events/{ev.slug}/attendance").get_data(as_text=True).split('id="s-WS9"')[1]


def test_the_api_lists_a_delegate_s_sessions_without_those_in_the_bin(app, client):
    ev, org, user, d, ws9 = _setup()
    _token, secret = api.create_token(user, "ministry", d)
    db.session.commit()
    base = f"/api/v1/events/{ev.slug}/delegations/{d.id}/delegates"
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(base, headers=headers).json["delegates"][0]["sessions"] == ["PL1", "WS9"]
    session_bin.bin_session(ws9, org)
    db.session.commit()
    assert client.get(base, headers=headers).json["delegates"][0]["sessions"] == ["PL1"]


def test_a_change_through_the_api_keeps_the_sign_up_for_a_session_in_the_bin(app, client):
    ev, org, user, d, ws9 = _setup()
    _token, secret = api.create_token(user, "ministry", d, can_write=True)
    db.session.commit()
    base = f"/api/v1/events/{ev.slug}/delegations/{d.id}/delegates"
    headers = {"Authorization": f"Bearer {secret}"}
    delegate = client.get(base, headers=headers).json["delegates"][0]
    session_bin.bin_session(ws9, org)
    db.session.commit()
    # the delegate's sessions as the API shows them (without WS9) go back unchanged with another change
    changed = client.patch(f"{base}/{delegate['id']}", headers=headers, json={"function": "Adviser"})
    assert changed.status_code == 200 and changed.json["sessions"] == ["PL1"]
    # a session in the bin cannot be signed up for
    refused = client.post(base, headers=headers, json={"given_name": "Luis", "family_name": "Rojas",
                                                       "email": "luis@example.org", "sessions": ["WS9"]})
    assert refused.status_code == 422 and refused.json["field"] == "sessions"
    session_bin.restore_session(ws9, org)
    db.session.commit()
    assert client.get(base, headers=headers).json["delegates"][0]["sessions"] == ["PL1", "WS9"]
