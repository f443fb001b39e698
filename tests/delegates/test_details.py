"""Delegates' own details: the organisers' choice, the signed link, the delegate's page, erasure."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from dialogue.delegates import details, services
from dialogue.delegates.models import Delegate
from dialogue.delegates.personal_models import DelegateDetails, DetailsPolicy
from dialogue.extensions import db
from dialogue.models import AuditEntry, OutboxMessage

from .. import factories as f
from . import factories as df

ALL = ["document_number", "nationality", "birth_date", "arrival_date", "departure_date", "visa_letter"]


def future_event():
    soon = date.today() + timedelta(days=40)
    return f.event(starts=soon, ends=soon + timedelta(days=3))


def asking(ev, fields=ALL, days=30):
    db.session.add(DetailsPolicy(event_id=ev.id, fields=list(fields), erase_after_days=days))
    db.session.commit()


def link_of(delegate, lang="es"):
    return "/" + lang + details.details_url(delegate, lang).split("/" + lang, 1)[1]


def good(ev, **more):
    return {"document_number": "ab 123456", "nationality": "PE", "birth_date": "1980-05-17",
            "arrival_date": str(ev.starts_on - timedelta(days=1)), "departure_date": str(ev.ends_on), "visa_letter": "y",
            **more}


def test_organiser_chooses_the_fields_and_the_erasure_day(app, client, auth):
    ev = future_event()
    organiser = f.user()
    from dialogue.auth import grant_role
    grant_role(organiser, ev, "organiser")
    db.session.commit()
    auth.login(organiser.email)
    page = client.get(f"/fr/manage/events/{ev.slug}/personal-data")
    assert page.status_code == 200 and "Numéro de passeport" in page.get_data(as_text=True)
    response = client.post(f"/fr/manage/events/{ev.slug}/personal-data",
                           data={"fields": ["nationality", "birth_date"], "erase_after_days": "10"})
    assert response.status_code == 302
    assert details.asked_fields(ev) == ["nationality", "birth_date"]
    assert details.policy(ev).erase_after_days == 10
    bad = client.post(f"/fr/manage/events/{ev.slug}/personal-data", data={"fields": ["nationality"], "erase_after_days": "-3"})
    assert bad.status_code == 422


def test_delegate_fills_in_their_details_in_spanish_and_the_focal_point_sees_it(app, client, auth):
    ev = future_event()
    asking(ev)
    user, d = df.focal_point(ev)
    person = df.delegate(d, "Ana", "Quispe")
    auth.login(user.email)
    page = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/details").get_data(as_text=True)
    assert "Missing: Passport or ID number" in page
    assert client.post(f"/en/events/{ev.slug}/delegations/{d.id}/delegates/{person.id}/details-link").status_code == 302
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == person.email)).all()[-1]
    url = re.search(r"http\S+/my-details/\S+", mail.body).group(0)
    auth.logout()
    token = url.rsplit("/", 1)[1]
    page = client.get(f"/es/my-details/{token}").get_data(as_text=True)
    assert "Número de pasaporte" in page and "Perú" in page
    assert "Nationalité" in client.get(f"/fr/my-details/{token}").get_data(as_text=True)  # switchable
    wrong = client.post(f"/es/my-details/{token}", data=good(ev, departure_date=str(ev.starts_on - timedelta(days=3))))
    assert wrong.status_code == 422 and "salida" in wrong.get_data(as_text=True).lower()
    assert "ab 123456" in wrong.get_data(as_text=True)  # what was typed is kept
    old = client.post(f"/es/my-details/{token}", data=good(ev, birth_date="1850-01-01"))
    assert old.status_code == 422
    child = client.post(f"/es/my-details/{token}", data=good(ev, birth_date=str(ev.starts_on - timedelta(days=300))))
    assert child.status_code == 422
    assert client.post(f"/es/my-details/{token}", data=good(ev)).status_code == 302
    saved = db.session.scalar(select(DelegateDetails))
    assert (saved.document_number, saved.nationality, saved.visa_letter) == ("AB 123456", "PE", True)
    assert db.session.get(Delegate, person.id).language == "es"
    auth.login(user.email)
    page = client.get(f"/es/events/{ev.slug}/delegations/{d.id}/details").get_data(as_text=True)
    assert "Completo" in page and "AB 123456" in page and "17 may 1980" in page and "Perú" in page


def test_links_that_are_forged_or_for_someone_withdrawn_are_refused(app, client):
    ev = future_event()
    asking(ev)
    _user, d = df.focal_point(ev)
    person = df.delegate(d)
    token = link_of(person).rsplit("/", 1)[1]
    assert client.get(f"/en/my-details/{token}x").status_code == 403
    person.status = "withdrawn"
    db.session.commit()
    assert client.get(f"/en/my-details/{token}").status_code == 403


def test_another_delegations_focal_point_sees_nothing(app, client, auth):
    ev = future_event()
    asking(ev)
    _user, d = df.focal_point(ev, "PE")
    other, _d2 = df.focal_point(ev, "CL")
    df.delegate(d)
    auth.login(other.email)
    assert client.get(f"/en/events/{ev.slug}/delegations/{d.id}/details").status_code == 404


def test_personal_details_are_not_in_the_participants_list(app):
    ev = future_event()
    asking(ev)
    _user, d = df.focal_point(ev)
    person = df.delegate(d, status="accredited")
    details.save_details(person, {"document_number": "ZX998877", "nationality": "PE"}, "en")
    db.session.commit()
    assert "ZX998877" not in repr(services.participants(ev, "en"))


def test_erasure_runs_after_the_event_and_leaves_lists_and_statistics(app, runner):
    ev = future_event()
    asking(ev, days=30)
    _user, d = df.focal_point(ev)
    people = [df.delegate(d, status="accredited") for _ in range(3)]
    for p in people:
        details.save_details(p, {"nationality": "PE", "document_number": "X1"}, "en")
    db.session.commit()
    stats_before = services.statistics(ev, "en")
    listed_before = repr(services.participants(ev, "en"))
    early = runner.invoke(args=["personal-data", "erase", "--today", str(ev.ends_on + timedelta(days=29))])
    assert "0 details erased" in early.output
    assert db.session.scalar(select(func.count(DelegateDetails.id))) == 3
    done = runner.invoke(args=["personal-data", "erase", "--today", str(ev.ends_on + timedelta(days=30))])
    assert "3 details erased in 1 events" in done.output, done.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(DelegateDetails.id))) == 0
    assert db.session.scalar(select(func.count(Delegate.id))) == 3
    assert repr(services.statistics(ev, "en")) == repr(stats_before)
    assert repr(services.participants(ev, "en")) == listed_before
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "personal_data.erase"))
    assert entry.data["count"] == 3


def test_the_worker_task_erases_too(app):
    from dialogue.delegates.erasure import erase_personal_data
    ev = f.event(starts=date(2020, 1, 1))
    asking(ev, days=0)
    _user, d = df.focal_point(ev)
    details.save_details(df.delegate(d), {"nationality": "PE"}, "en")
    db.session.commit()
    assert erase_personal_data.run() == 1


def test_completeness_page_takes_the_same_queries_for_3_and_30_delegates(app, client, auth, count_queries):
    ev = future_event()
    asking(ev)
    counts = []
    for size, code in ((3, "PE"), (30, "CL")):
        user, d = df.focal_point(ev, code, quota=100)
        for i in range(size):
            person = df.delegate(d, f"P{i}", commit=False)
            db.session.flush()
            if i % 2:
                details.save_details(person, {"nationality": "PE"}, "en")
        db.session.commit()
        auth.logout()
        auth.login(user.email)
        with count_queries() as counter:
            page = client.get(f"/en/events/{ev.slug}/delegations/{d.id}/details").get_data(as_text=True)
        assert page.count('id="details-') == size
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 10


def test_an_expired_link_is_refused_with_a_clear_message(app, client):
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class MonthAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 30 * 86400

    ev = future_event()
    asking(ev)
    _user, d = df.focal_point(ev)
    person = df.delegate(d)
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="delegate-details", signer=MonthAgo).dumps(
        {"d": person.id, "e": person.email})
    response = client.get(f"/fr/my-details/{old}")
    assert response.status_code == 403 and "expiré" in response.get_data(as_text=True)
    fresh = details.details_token(person)
    assert client.get(f"/fr/my-details/{fresh}").status_code == 200
