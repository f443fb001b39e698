"""The nomination window: set by organisers in the event's zone, shown with the time left, enforced in
the forms, the import and the API; extended for one delegation; latecomers reminded once."""
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from dialogue.delegates import api, services
from dialogue.delegates.models import Delegate, NominationWindow
from dialogue.extensions import db
from dialogue.models import AuditEntry, OutboxMessage, utcnow

from .. import factories as f
from . import factories as df

FORM = {"given_name": "Ana", "family_name": "Pérez", "email": "ana@example.org", "role": "member",
        "gender": "female", "attendance": "in_person", "salutation": "ms"}


@pytest.fixture
def world(app):
    org = f.user()
    ev = f.event(organiser=org, tz="America/Lima")
    peru_fp, peru = df.focal_point(ev, "PE")
    colombia_fp, colombia = df.focal_point(ev, "CO")
    return {"event": ev, "org": org, "peru_fp": peru_fp, "peru": peru, "colombia_fp": colombia_fp, "colombia": colombia}


def window(ev, *, opens=None, closes=None, days=7):
    db.session.add(NominationWindow(event_id=ev.id, opens_at=opens, closes_at=closes, reminder_days=days))
    db.session.commit()


def test_organiser_sets_the_window_in_the_events_time_zone(app, client, auth, world):
    ev = world["event"]
    auth.login(world["org"].email)
    url = f"/en/manage/events/{ev.slug}/nomination-window"
    assert "America/Lima" in client.get(url).get_data(as_text=True)
    wrong = client.post(url, data={"opens_at": "2030-03-10T09:00", "closes_at": "2030-03-01T09:00", "reminder_days": "5"})
    assert wrong.status_code == 422 and "after the opening" in wrong.get_data(as_text=True)
    assert 'value="2030-03-10T09:00"' in wrong.get_data(as_text=True)
    saved = client.post(url, data={"opens_at": "2030-03-01T09:00", "closes_at": "2030-03-10T18:00", "reminder_days": "5"})
    assert saved.status_code == 302
    row = db.session.get(NominationWindow, ev.id)
    assert (row.opens_at, row.closes_at, row.reminder_days) == (datetime(2030, 3, 1, 14), datetime(2030, 3, 10, 23), 5)
    assert 'value="2030-03-10T18:00"' in client.get(url).get_data(as_text=True)  # shown back in Lima time
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nominations.window")) is not None


@pytest.mark.parametrize(("lang", "days_text", "hours_text"), [
    ("en", "3 days left", "closes in 5 hours"),
    ("fr", "3 jours restants", "ferme dans 5 heures"),
    ("es", "quedan 3 días", "cierra en 5 horas"),
])
def test_focal_point_sees_the_time_left(app, client, auth, world, lang, days_text, hours_text):
    ev, peru = world["event"], world["peru"]
    window(ev, closes=utcnow() + timedelta(days=3, hours=2))
    auth.login(world["peru_fp"].email)
    url = f"/{lang}/events/{ev.slug}/delegations/{peru.id}/"
    page = client.get(url).get_data(as_text=True)
    assert days_text in page.lower() and "(" in page
    db.session.get(NominationWindow, ev.id).closes_at = utcnow() + timedelta(hours=5, minutes=30)
    db.session.commit()
    assert hours_text in client.get(url).get_data(as_text=True).lower()


def test_after_the_deadline_the_form_import_and_api_refuse_with_a_clear_message(app, client, auth, world):
    ev, peru = world["event"], world["peru"]
    window(ev, closes=utcnow() - timedelta(hours=1))
    auth.login(world["peru_fp"].email)
    form = client.post(f"/es/events/{ev.slug}/delegations/{peru.id}/delegates/new", data=FORM)
    assert form.status_code == 422 and "plazo" in form.get_data(as_text=True)
    assert 'value="Pérez"' in form.get_data(as_text=True)
    upload = client.post(f"/fr/events/{ev.slug}/delegations/{peru.id}/import", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"given_name,family_name,email\nA,B,a@example.org\n"), "d.csv")})
    assert upload.status_code == 422 and "date limite" in upload.get_data(as_text=True)
    _t, secret = api.create_token(world["peru_fp"], "system", peru)
    db.session.commit()
    response = client.post(f"/api/v1/events/{ev.slug}/delegations/{peru.id}/delegates", json=FORM,
                           headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"})
    assert response.status_code == 409 and "deadline" in response.json["error"]
    listing = client.get(f"/api/v1/events/{ev.slug}/delegations/{peru.id}/delegates",
                         headers={"Authorization": f"Bearer {secret}"}).json
    assert listing["window"]["open"] is False and listing["window"]["closes_at"].endswith("Z")
    assert db.session.scalar(select(func.count(Delegate.id))) == 0
    assert "ask the organisers for an extension" in client.get(
        f"/en/events/{ev.slug}/delegations/{peru.id}/").get_data(as_text=True)


def test_before_the_opening_nominations_wait(app, world):
    window(world["event"], opens=utcnow() + timedelta(days=2))
    with pytest.raises(services.WindowClosed):
        services.nominate(world["peru"], FORM, world["peru_fp"])


def test_organiser_extends_the_deadline_for_one_delegation_with_a_reason(app, client, auth, world):
    ev, peru, colombia = world["event"], world["peru"], world["colombia"]
    window(ev, closes=utcnow() - timedelta(hours=1))
    auth.login(world["org"].email)
    url = f"/en/manage/events/{ev.slug}/delegations/{peru.id}/extension"
    later = (utcnow() - timedelta(hours=5) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")  # Lima is UTC-5
    no_reason = client.post(url, data={"until": later, "reason": ""})
    assert no_reason.status_code == 422
    too_early = client.post(url, data={"until": (utcnow() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"), "reason": "x"})
    assert too_early.status_code == 422 and "after the deadline" in too_early.get_data(as_text=True)
    assert client.post(url, data={"until": later, "reason": "Note verbale delayed by the elections"}).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nominations.extension"))
    assert entry.data["reason"] == "Note verbale delayed by the elections" and entry.target == f"delegation:{peru.id}"
    edit = client.get(f"/en/manage/events/{ev.slug}/delegations/{peru.id}/edit").get_data(as_text=True)
    assert "Note verbale delayed" in edit
    auth.logout()
    services.nominate(peru, FORM, world["peru_fp"])  # Peru has more time
    db.session.commit()
    with pytest.raises(services.WindowClosed):
        services.nominate(colombia, FORM | {"email": "b@example.org"}, world["colombia_fp"])  # Colombia does not
    db.session.rollback()
    auth.login(world["peru_fp"].email)
    assert "extended for this delegation" in client.get(f"/en/events/{ev.slug}/delegations/{peru.id}/").get_data(as_text=True)


def test_organisers_may_still_nominate_after_the_deadline(app, world):
    window(world["event"], closes=utcnow() - timedelta(days=1))
    services.nominate(world["peru"], FORM, world["org"])
    db.session.commit()


def test_reminder_goes_once_to_delegations_that_nominated_nobody(app, runner, world):
    ev, peru, colombia = world["event"], world["peru"], world["colombia"]
    world["colombia_fp"].locale = "es"
    df.delegate(peru, email="someone@example.org")
    window(ev, closes=utcnow() + timedelta(days=5, hours=1), days=7)
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "1 delegation" in result.output, result.output
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in mails] == [world["colombia_fp"].email]
    assert "Recordatorio" in mails[0].subject and "Colombia" in mails[0].subject and "quedan 5 días" in mails[0].body.lower()
    runner.invoke(args=["reminders", "send"])
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # idempotent
    # A new deadline for Colombia: reminded again, once.
    services.extend_deadline(colombia, datetime.now() + timedelta(days=6), "late elections", world["org"])
    db.session.commit()
    runner.invoke(args=["reminders", "send"])
    runner.invoke(args=["reminders", "send"])
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_no_reminder_too_early(app, runner, world):
    window(world["event"], closes=utcnow() + timedelta(days=30), days=7)
    runner.invoke(args=["reminders", "send"])
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_celery_task_sends_the_same_reminders(app, world):
    from dialogue.delegates.jobs import send_reminders
    window(world["event"], closes=utcnow() + timedelta(days=2), days=7)
    assert send_reminders.run() == {"reminded": 2, "reported": 0}
    assert send_reminders.run() == {"reminded": 0, "reported": 0}


def test_after_the_deadline_the_focal_point_may_withdraw_but_not_change(app, client, auth, world):
    ev, peru = world["event"], world["peru"]
    pending = df.delegate(peru, email="pending@example.org")
    window(ev, closes=utcnow() - timedelta(hours=1))
    auth.login(world["peru_fp"].email)
    page = client.get(f"/en/events/{ev.slug}/delegations/{peru.id}/").get_data(as_text=True)
    assert f"/delegates/{pending.id}/edit" not in page and f"/delegates/{pending.id}/withdraw" in page
    assert client.post(f"/en/events/{ev.slug}/delegations/{peru.id}/delegates/{pending.id}/withdraw").status_code == 302
    assert db.session.get(Delegate, pending.id).status == "withdrawn"
