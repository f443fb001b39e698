"""A focal point starts a delegation from the one they registered for an earlier event."""
from datetime import date

import pytest
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.delegates.models import Delegate, FocalPoint
from dialogue.extensions import db
from dialogue.models import AuditEntry

from .. import factories as f
from . import factories as df


@pytest.fixture
def two_events(app):
    """A focal point who registered Peru at a 2022 event and now registers it at a 2024 one."""
    old = f.event(starts=date(2022, 12, 12), ends=date(2022, 12, 14))
    new = f.event(starts=date(2024, 6, 3), ends=date(2024, 6, 5))
    user, before = df.focal_point(old, "PE")
    now = df.delegation(new, "PE", quota=3)
    grant_role(user, new, "focal_point")
    db.session.add(FocalPoint(user=user, delegation=now))
    db.session.commit()
    people = [df.delegate(before, "Rosa", "Alarcón", status="accredited", role="head", salutation="he_ms",
                          function="Ministra", email="rosa@example.org"),
              df.delegate(before, "Ana", "Zevallos", status="nominated", function="Asesora", email="ana@example.org"),
              df.delegate(before, "Gone", "Withdrawn", status="withdrawn")]
    return user, before, now, people


def _copy(client, ev, now, before, ids, lang="en"):
    return client.post(f"/{lang}/events/{ev.slug}/delegations/{now.id}/reuse/{before.id}",
                       data={"person": [str(i) for i in ids]})


@pytest.mark.parametrize("lang,word", [("fr", "Copier ces personnes"), ("es", "Copiar a estas personas"),
                                       ("en", "Copy these people")])
def test_page_lists_my_earlier_delegation_and_its_people(app, client, auth, two_events, lang, word):
    user, before, now, _people = two_events
    auth.login(user.email)
    page = client.get(f"/{lang}/events/{now.event.slug}/delegations/{now.id}/reuse")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and word in text
    assert "ALARCÓN" in text and "ZEVALLOS" in text and "WITHDRAWN" not in text


def test_copy_makes_nominations_with_names_functions_roles_only(app, client, auth, two_events):
    user, before, now, (rosa, ana, _gone) = two_events
    f.session(before.event, "OLD1")
    auth.login(user.email)
    response = _copy(client, now.event, now, before, [rosa.id, ana.id])
    assert response.status_code == 302
    copied = db.session.scalars(select(Delegate).where(Delegate.delegation_id == now.id).order_by(Delegate.id)).all()
    assert [(d.given_name, d.family_name, d.function, d.role, d.salutation, d.status) for d in copied] == [
        ("Rosa", "Alarcón", "Ministra", "head", "he_ms", "nominated"),
        ("Ana", "Zevallos", "Asesora", "member", "none", "nominated")]
    assert all(d.badge_code is None and not d.registrations for d in copied)
    assert rosa.status == "accredited" and rosa.delegation_id == before.id  # the earlier one is untouched
    assert db.session.scalar(select(AuditEntry.data).where(AuditEntry.action == "delegation.reuse")) == {
        "source": before.id, "copied": 2}


def test_quota_exceeded_copies_nobody_and_says_why(app, client, auth, two_events):
    user, before, now, (rosa, ana, _gone) = two_events
    df.delegate(now, "Already", "There", email="there@example.org")
    df.delegate(now, "Also", "There", email="also@example.org")
    auth.login(user.email)
    response = _copy(client, now.event, now, before, [rosa.id, ana.id])
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 people chosen, but the delegation has 1 free place (quota 3)" in text
    assert db.session.scalar(select(db.func.count()).select_from(Delegate).where(Delegate.delegation_id == now.id)) == 2
    # What was ticked stays ticked.
    assert f'value="{rosa.id}" id="person-{rosa.id}" checked' in text


def test_a_clash_in_the_middle_copies_nobody(app, client, auth, two_events):
    user, before, now, (rosa, ana, _gone) = two_events
    # The delegation has its head already: Rosa, head in 2022, cannot be a second one.
    # (An email on another delegation is no clash: it is taken and flagged to organisers, no oracle.)
    df.delegate(now, "Other", "Head", role="head", email="head@example.org")
    auth.login(user.email)
    response = _copy(client, now.event, now, before, [ana.id, rosa.id])
    assert response.status_code == 422 and "Nobody was copied" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Delegate).where(Delegate.delegation_id == now.id)) == 1


def test_only_my_own_earlier_delegations(app, client, auth, two_events):
    user, before, now, (rosa, _ana, _gone) = two_events
    # Someone else's delegation at the old event: not listed, and copying from it is 404.
    stranger_user, theirs = df.focal_point(before.event, "CL")
    secret = df.delegate(theirs, "Secret", "Person", status="accredited")
    auth.login(user.email)
    assert "PERSON" not in client.get(f"/en/events/{now.event.slug}/delegations/{now.id}/reuse").get_data(as_text=True)
    assert _copy(client, now.event, now, theirs, [secret.id]).status_code == 404
    # Another focal point cannot copy my people into their delegation, nor mine into theirs.
    auth.logout()
    auth.login(stranger_user.email)
    assert _copy(client, now.event, now, before, [rosa.id]).status_code == 404
    # People of another delegation smuggled into the form are ignored.
    auth.logout()
    auth.login(user.email)
    response = _copy(client, now.event, now, before, [secret.id])
    assert response.status_code == 422 and "Choose at least one person" in response.get_data(as_text=True)


def test_a_later_event_cannot_be_copied_backwards(app, client, auth, two_events):
    user, before, now, (rosa, _ana, _gone) = two_events
    auth.login(user.email)
    assert _copy(client, before.event, before, now, [rosa.id]).status_code == 404


def test_reuse_page_takes_a_fixed_number_of_queries(app, client, auth, two_events, count_queries):
    user, before, now, _people = two_events
    auth.login(user.email)
    url = f"/en/events/{now.event.slug}/delegations/{now.id}/reuse"
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    older = f.event(starts=date(2021, 1, 1), ends=date(2021, 1, 2))
    extra = df.delegation(older, "PE", focal_point=user)
    df.many_delegates(extra, 20)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert few.count == many.count, "\n".join(s[:150] for s in few.statements + ["----"] + many.statements)


def test_people_already_in_the_delegation_are_not_offered_again(app, client, auth, two_events):
    user, before, now, (rosa, ana, _gone) = two_events
    df.delegate(now, "Rosa", "Alarcón", email="rosa@example.org")
    auth.login(user.email)
    text = client.get(f"/en/events/{now.event.slug}/delegations/{now.id}/reuse").get_data(as_text=True)
    assert f'value="{rosa.id}" id="person-{rosa.id}" disabled' in text and "already in this delegation" in text
    assert f'value="{ana.id}" id="person-{ana.id}" checked' in text


def test_copy_keeps_the_email_and_the_name_as_written_but_no_personal_details_or_photo(app, client, auth, two_events):
    """The email is contact data (the new details link goes there); details and photo are given again."""
    from datetime import date as day

    from dialogue.delegates.personal_models import DelegateDetails
    user, before, now, _people = two_events
    li = df.delegate(before, "Ming", "Li", status="accredited", email="li@example.org", name_order="family_given",
                     native_name="李明", photo_sha256="a" * 64)
    db.session.add(DelegateDetails(delegate_id=li.id, event_id=before.event_id, document_number="X1234567",
                                   nationality="CN", birth_date=day(1980, 1, 2)))
    db.session.commit()
    auth.login(user.email)
    assert _copy(client, now.event, now, before, [li.id]).status_code == 302
    copy = db.session.scalar(select(Delegate).where(Delegate.delegation_id == now.id))
    assert (copy.email, copy.name_order, copy.native_name) == ("li@example.org", "family_given", "李明")
    assert copy.photo_sha256 is None
    assert db.session.scalar(select(DelegateDetails).where(DelegateDetails.delegate_id == copy.id)) is None
