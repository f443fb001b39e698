"""Every access rule against every kind of user, from one table; refusals answered in HTML or JSON."""
from __future__ import annotations

from datetime import date

import pytest
from flask_login import AnonymousUserMixin

from dialogue import permissions as p
from dialogue.auth import grant_role
from dialogue.extensions import db
from dialogue.permissions import PermissionDenied
from dialogue.sessions import services as agenda

from . import factories as f
from .delegates import factories as df
from .outcomes import factories as of


@pytest.fixture
def world(app):
    """An event with its organisers, two delegations, two sessions with rapporteurs and key messages."""
    org = f.user(name="Organiser")
    co_org = f.user(name="Co-organiser")
    ev = f.event(organiser=org)
    grant_role(co_org, ev, "organiser")
    draft = f.event(status="draft", organiser=org)
    other_org = f.user(name="Other organiser")
    f.event(organiser=other_org)
    s1, s2 = f.session(ev, "S1"), f.session(ev, "S2")
    rap = of.rapporteur(s1)
    other_rap = of.rapporteur(s2)
    fp, peru = df.focal_point(ev, "PE")
    other_fp, _colombia = df.focal_point(ev, "CO")
    by_rap = of.message(s1, rap, status="submitted")
    by_co_org = of.message(s1, co_org, status="submitted")
    approved = of.message(s1, rap, status="approved", reviewer=org)
    users = {"anonymous": AnonymousUserMixin(), "nobody": None, "stranger": f.user(name="Stranger"),
             "admin": f.user(name="Admin", admin=True), "organiser": org, "co-organiser": co_org,
             "other organiser": other_org, "focal point": fp, "other focal point": other_fp,
             "rapporteur": rap, "other rapporteur": other_rap}
    return {"users": users, "event": ev, "draft": draft, "peru": peru, "s1": s1, "by_rap": by_rap,
            "by_co_org": by_co_org, "approved": approved}


RULES = {  # rule: how it is asked of the world
    "create event": lambda w, u: p.can_create_event(u),
    "view published": lambda w, u: p.can_view_event(u, w["event"]),
    "view draft": lambda w, u: p.can_view_event(u, w["draft"]),
    "organise": lambda w, u: p.can_organise(u, w["event"]),
    "edit delegation": lambda w, u: p.can_edit_delegation(u, w["peru"]),
    "write messages": lambda w, u: p.can_write_messages(u, w["event"]),
    "edit message": lambda w, u: p.can_edit_message(u, w["by_rap"]),
    "edit in session": lambda w, u: p.can_edit_message(u, w["s1"]),
    "delete approved": lambda w, u: p.can_delete_message(u, w["approved"]),
    "delete draft": lambda w, u: p.can_delete_message(u, w["by_rap"]),
    "review rapporteur's": lambda w, u: p.can_review_message(u, w["by_rap"]),
    "review own": lambda w, u: p.can_review_message(u, w["by_co_org"]),
}

#                     create view  view  organ edit  write edit  edit  del   del   review review
#                     event  pub  draft  ise   deleg msgs  msg   sess  appr  draft rap's  own
TABLE = {
    "anonymous":         (0,   1,    0,    0,    0,    0,    0,    0,    0,    0,    0,     0),
    "nobody":            (0,   1,    0,    0,    0,    0,    0,    0,    0,    0,    0,     0),
    "stranger":          (0,   1,    0,    0,    0,    0,    0,    0,    0,    0,    0,     0),
    "admin":             (1,   1,    1,    1,    1,    1,    1,    1,    1,    1,    1,     1),
    "organiser":         (0,   1,    1,    1,    1,    1,    1,    1,    1,    1,    1,     1),
    "co-organiser":      (0,   1,    0,    1,    1,    1,    1,    1,    1,    1,    1,     0),
    "other organiser":   (0,   1,    0,    0,    0,    0,    0,    0,    0,    0,    0,     0),
    "focal point":       (0,   1,    0,    0,    1,    0,    0,    0,    0,    0,    0,     0),
    "other focal point": (0,   1,    0,    0,    0,    0,    0,    0,    0,    0,    0,     0),
    "rapporteur":        (0,   1,    0,    0,    0,    1,    1,    1,    0,    1,    0,     0),
    "other rapporteur":  (0,   1,    0,    0,    0,    1,    0,    0,    0,    0,    0,     0),
}


def test_every_rule_for_every_user(world):
    wrong = []
    for name, expected in TABLE.items():
        user = world["users"][name]
        for (rule, ask), want in zip(RULES.items(), expected, strict=True):
            if ask(world, user) != bool(want):
                wrong.append(f"{name} / {rule}: expected {bool(want)}")
    assert not wrong, "\n".join(wrong)


def test_the_bulk_answers_agree_with_the_rules(world):
    events = [world["event"], world["draft"]]
    for name, user in world["users"].items():
        assert p.viewable_events(user, events) == [e for e in events if p.can_view_event(user, e)], name
        assert p.organised_events(user, events) == [e for e in events if p.can_organise(user, e)], name


def test_ensure_raises_with_the_rules_message_and_status(world):
    users = world["users"]
    with pytest.raises(PermissionDenied) as refused:
        p.ensure(p.can_organise, users["stranger"], world["event"])
    assert refused.value.status == 403 and "Only the organisers" in refused.value.message
    with pytest.raises(PermissionDenied) as refused:
        p.ensure(p.can_review_message, users["co-organiser"], world["by_co_org"])
    assert "another organiser must review it" in refused.value.message
    with pytest.raises(PermissionDenied) as refused:
        p.ensure(p.can_edit_delegation, users["other focal point"], world["peru"], status=404)
    assert refused.value.status == 404 and "focal points" not in refused.value.message  # says nothing of it
    p.ensure(p.can_organise, users["organiser"], world["event"])  # holds: no error


def test_creating_an_event_is_checked_by_the_service_not_only_the_page(world):
    data = {"slug": "new-summit", "title": {"en": "New summit"}, "timezone": "UTC", "original_language": "en",
            "starts_on": date(2030, 1, 1), "ends_on": date(2030, 1, 2), "status": "draft"}
    for name in ("stranger", "organiser", "anonymous"):
        with pytest.raises(PermissionDenied):
            agenda.save_event(data, world["users"][name])
        db.session.rollback()
    assert agenda.save_event(data, world["users"]["admin"]).slug == "new-summit"


def test_a_refused_page_names_the_rule_and_a_visitor_is_sent_to_sign_in(client, auth, world):
    slug = world["event"].slug
    response = client.get(f"/en/manage/events/{slug}/")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    auth.login(world["users"]["stranger"].email)
    response = client.get(f"/en/manage/events/{slug}/")
    assert response.status_code == 403
    assert "Only the organisers of this event may do this." in response.get_data(as_text=True)
    response = client.get(f"/fr/manage/events/{slug}/")
    assert "Seuls les organisateurs de cet événement peuvent faire cela." in response.get_data(as_text=True)
    assert client.get("/en/manage/events/new").status_code == 403


def test_hidden_things_are_404_and_the_api_ignores_session_cookies(client, auth, world):
    draft, users = world["draft"], world["users"]
    assert client.get(f"/en/events/{draft.slug}/").status_code == 404  # a visitor: not even a sign-in page
    auth.login(users["organiser"].email)
    assert client.get(f"/en/events/{draft.slug}/").status_code == 200
    response = client.get(f"/api/v1/events/{draft.slug}")
    assert response.status_code == 404 and response.get_json()["status"] == 404
    auth.logout()
    auth.login(users["other focal point"].email)
    response = client.get(f"/en/events/{world['event'].slug}/delegations/{world['peru'].id}/")
    assert response.status_code == 404
    assert "Peru" not in response.get_data(as_text=True)
