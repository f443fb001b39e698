"""Delegates are told, in their language, that they are nominated, accredited or rejected (tests read the outbox)."""
from datetime import date, timedelta

from sqlalchemy import select

from dialogue.delegates import services
from dialogue.delegates.models import Delegate
from dialogue.delegates.personal_models import DetailsPolicy
from dialogue.extensions import db
from dialogue.models import OutboxMessage

from .. import factories as f
from . import factories as df


def nominee(email, **extra):
    return {"given_name": "Ana", "family_name": "Quispe", "email": email, "role": "member", "gender": "female",
            "attendance": "in_person", "salutation": "ms", "sessions": [], **extra}


def mails_to(email):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)).all()


def test_nomination_mail_in_the_focal_points_language_with_the_details_link(app):
    soon = date.today() + timedelta(days=30)
    ev = f.event(starts=soon, ends=soon + timedelta(days=2))
    db.session.add(DetailsPolicy(event_id=ev.id, fields=["nationality"], erase_after_days=30))
    user, d = df.focal_point(ev)
    user.locale = "es"
    db.session.commit()
    delegate = services.nominate(d, nominee("ana@example.org"), user)
    assert delegate.language == "es"
    db.session.rollback()  # nothing committed: no mail either
    assert mails_to("ana@example.org") == []
    delegate = services.nominate(d, nominee("ana@example.org"), user)
    db.session.commit()
    [mail] = mails_to("ana@example.org")
    assert "Cumbre de prueba" in mail.subject
    assert "/es/my-details/" in mail.body


def test_no_link_when_the_event_asks_for_nothing(app):
    ev = f.event()
    user, d = df.focal_point(ev)
    user.locale = "fr"
    services.nominate(d, nominee("bo@example.org"), user)
    db.session.commit()
    [mail] = mails_to("bo@example.org")
    assert "Sommet de test" in mail.subject and "my-details" not in mail.body


def test_accredited_and_rejected_delegates_are_told_in_their_language(app):
    ev = f.event()
    organiser = f.user(admin=True)
    _user, d = df.focal_point(ev)
    yes = df.delegate(d, email="yes@example.org", language="fr")
    no = df.delegate(d, email="no@example.org", language="es")
    services.accredit(yes, organiser)
    services.reject(no, "Plus de place", organiser)
    db.session.commit()
    [accredited] = mails_to("yes@example.org")
    [rejected] = mails_to("no@example.org")
    assert "Sommet de test" in accredited.subject and "accréditation" in accredited.subject
    assert "Cumbre de prueba" in rejected.subject and "Plus de place" in rejected.body


def test_bulk_accreditation_tells_each_delegate(app):
    ev = f.event()
    organiser = f.user(admin=True)
    _user, d = df.focal_point(ev)
    people = [df.delegate(d, email=f"p{i}@example.org", language="en") for i in range(3)]
    services.accredit_many(ev, [p.id for p in people], organiser)
    db.session.commit()
    assert all(len(mails_to(p.email)) == 1 for p in people)
    assert db.session.scalar(select(Delegate).where(Delegate.status == "accredited")) is not None


def test_focal_point_sets_the_language_of_mails(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev)
    person = df.delegate(d, email="lang@example.org", language="en")
    auth.login(user.email)
    url = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{person.id}/language"
    assert client.post(url, data={"language": "fr"}).status_code == 302
    assert db.session.get(Delegate, person.id).language == "fr"
    assert client.post(url, data={"language": "xx"}).status_code == 302
    assert db.session.get(Delegate, person.id).language == "fr"
    services.accredit(db.session.get(Delegate, person.id), f.user(admin=True))
    db.session.commit()
    assert "Sommet de test" in mails_to("lang@example.org")[-1].subject


def test_accreditation_mail_has_the_details_link_while_details_are_missing(app):
    soon = date.today() + timedelta(days=30)
    ev = f.event(starts=soon, ends=soon + timedelta(days=2))
    db.session.add(DetailsPolicy(event_id=ev.id, fields=["nationality"], erase_after_days=30))
    _user, d = df.focal_point(ev)
    person = df.delegate(d, email="late@example.org", language="es")
    services.accredit(person, f.user(admin=True))
    db.session.commit()
    assert "/es/my-details/" in mails_to("late@example.org")[-1].body
