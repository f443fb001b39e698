"""No registration oracle: a person already on another delegation is taken, flagged for the organisers,
and the focal point gets the same answer, in the same number of statements, as for anyone else."""
import io
import re
import threading
from contextlib import contextmanager

from sqlalchemy import event, select

from dialogue.auth import grant_role
from dialogue.delegates import api
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.models import OutboxMessage

from .. import factories as f
from . import factories as df

FORM = {"given_name": "Ana", "family_name": "Pérez", "role": "member", "gender": "female",
        "attendance": "in_person", "salutation": "ms"}


def two_delegations():
    org = f.user()
    ev = f.event(organiser=org)
    peru_fp, peru = df.focal_point(ev, "PE")
    colombia_fp, colombia = df.focal_point(ev, "CO")
    df.delegate(colombia, email="taken@example.org")
    return ev, org, (peru_fp, peru), (colombia_fp, colombia)


def mails_to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)))


def test_focal_point_gets_the_same_answer_and_organisers_see_the_flag(app, client, auth, count_queries):
    ev, org, (peru_fp, peru), (_cfp, colombia) = two_delegations()
    auth.login(peru_fp.email)
    url = f"/en/events/{ev.slug}/delegations/{peru.id}/delegates/new"
    client.post(url, data=FORM | {"email": "warmup@example.org"})  # first request of a client loads more
    with count_queries() as fresh_count:
        fresh = client.post(url, data=FORM | {"family_name": "Uno", "email": "fresh@example.org"})
    with count_queries() as taken_count:
        taken = client.post(url, data=FORM | {"family_name": "Dos", "email": "taken@example.org"})
    assert fresh.status_code == taken.status_code == 302
    assert fresh.headers["Location"] == taken.headers["Location"]
    assert fresh_count.count == taken_count.count, (fresh_count.statements, taken_count.statements)
    page = client.get(fresh.headers["Location"]).get_data(as_text=True)
    assert "Ana Dos is nominated." in page and "Colombia" not in page and "Also nominated" not in page
    both = db.session.scalars(select(Delegate).where(Delegate.email == "taken@example.org").order_by(Delegate.id)).all()
    assert [d.delegation_id for d in both] == [colombia.id, peru.id]
    assert [d.also_in_delegation_id for d in both] == [peru.id, colombia.id]
    assert not mails_to(peru_fp.email) and not mails_to(_cfp.email)
    auth.logout()
    auth.login(org.email)
    for lang, text in (("en", "Also nominated by Peru"), ("fr", "Aussi désigné·e par : Pérou"),
                       ("es", "También designado/a por Perú")):
        queue = client.get(f"/{lang}/manage/events/{ev.slug}/accreditation").get_data(as_text=True)
        assert text in queue, lang


@contextmanager
def recording_writes():
    """The writes this thread sends, as (verb, table, rows written): what the database does, and so
    how long it takes, beyond the number of statements."""
    writes: list[tuple[str, str, int]] = []
    thread = threading.get_ident()

    def after(conn, cursor, statement, parameters, context, executemany):
        found = re.match(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", statement, re.I)
        if found and threading.get_ident() == thread:
            writes.append((found.group(1).split()[0].upper(), found.group(2), cursor.rowcount))
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield writes
    finally:
        event.remove(db.engine, "after_cursor_execute", after)


def row_of(page: str, family: str, email: str) -> str:
    """The table row of the delegation's page that shows this person, names, ids and CSRF tokens blanked
    (a token carries the second it was signed in: two pages a second apart differ there)."""
    rows = [r for r in re.findall(r"<tr\b.*?</tr>", page, re.S) if email in r]
    assert len(rows) == 1, rows
    row = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1TOKEN"', rows[0])
    return re.sub(r"\d+", "#", re.sub(family, "NAME", row.replace(email, "EMAIL"), flags=re.I))


def flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash ([a-z]+)"[^>]*>(.*?)</p>', page)


def test_fresh_and_duplicate_nominations_answer_alike_and_do_the_same_work(app, client, auth, count_queries):
    """Same status, address, message and page; the same statements and the same writes, row for row
    (the duplicate path flags a row of the other delegation, the fresh path writes its own row once
    more), so neither the answer nor its timing tells a focal point who else is coming."""
    ev, _org, (peru_fp, peru), (_cfp, _colombia) = two_delegations()
    auth.login(peru_fp.email)
    url = f"/en/events/{ev.slug}/delegations/{peru.id}/delegates/new"
    client.post(url, data=FORM | {"email": "warmup@example.org"})
    client.get(f"/en/events/{ev.slug}/delegations/{peru.id}/")
    answers = {}
    for name, email in (("Uno", "fresh@example.org"), ("Dos", "taken@example.org")):
        with count_queries() as counter, recording_writes() as writes:
            response = client.post(url, data=FORM | {"family_name": name, "email": email})
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers[name] = {"status": response.status_code, "location": response.headers["Location"],
                         "body": response.get_data(as_text=True), "statements": counter.count, "writes": writes,
                         "flashes": [(kind, text.replace(name, "NAME")) for kind, text in flashes(page)],
                         "row": row_of(page, name, email)}
    fresh, taken = answers["Uno"], answers["Dos"]
    assert fresh["flashes"] == taken["flashes"] == [("success", "Ana NAME is nominated.")]
    for key in ("status", "location", "body", "statements", "writes"):
        assert fresh[key] == taken[key], (key, fresh[key], taken[key])
    assert all(rows == 1 for verb, table, rows in fresh["writes"] if (verb, table) == ("UPDATE", "delegate")), fresh["writes"]
    assert fresh["row"] and fresh["row"] == taken["row"]  # the person's line on the delegation's page


def test_a_duplicate_within_ones_own_delegation_is_still_refused(app, client, auth):
    ev, _org, _peru, (colombia_fp, colombia) = two_delegations()
    auth.login(colombia_fp.email)
    again = client.post(f"/en/events/{ev.slug}/delegations/{colombia.id}/delegates/new",
                        data=FORM | {"email": "taken@example.org"})
    assert again.status_code == 422 and "already registered" in again.get_data(as_text=True)


def test_api_answers_a_duplicate_like_any_nomination(app, client):
    ev, _org, (peru_fp, peru), _colombia = two_delegations()
    _token, secret = api.create_token(peru_fp, "ministry", peru)
    db.session.commit()
    base, headers = f"/api/v1/events/{ev.slug}/delegations/{peru.id}/delegates", {"Authorization": f"Bearer {secret}"}
    fresh = client.post(base, headers=headers, json={"given_name": "A", "family_name": "B", "email": "new@example.org"})
    taken = client.post(base, headers=headers, json={"given_name": "A", "family_name": "C", "email": "taken@example.org"})
    assert fresh.status_code == taken.status_code == 201
    assert set(fresh.json) == set(taken.json) and taken.json["status"] == "nominated"
    listing = client.get(base, headers=headers).get_data(as_text=True)
    assert "also" not in listing and "Colombia" not in listing


def test_import_takes_a_person_on_another_delegation(app, client, auth):
    ev, _org, (peru_fp, peru), _colombia = two_delegations()
    auth.login(peru_fp.email)
    body = b"given_name,family_name,email\nAna,Uno,one@example.org\nBea,Dos,taken@example.org\n"
    response = client.post(f"/en/events/{ev.slug}/delegations/{peru.id}/import",
                           data={"file": (io.BytesIO(body), "d.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    flagged = db.session.scalar(select(Delegate).where(Delegate.delegation_id == peru.id,
                                                       Delegate.email == "taken@example.org"))
    assert flagged.also_in_delegation_id is not None


def test_withdrawing_one_side_clears_the_other_sides_flag(app):
    from dialogue.delegates import services
    ev, _org, (peru_fp, peru), (_cfp, colombia) = two_delegations()
    mine = services.nominate(peru, FORM | {"email": "taken@example.org"}, peru_fp)
    db.session.commit()
    services.withdraw(mine, peru_fp)
    db.session.commit()
    other = db.session.scalar(select(Delegate).where(Delegate.delegation_id == colombia.id))
    assert other.also_in_delegation_id is None


def test_organisers_get_one_notice_per_duplicate_and_focal_points_none(app, runner):
    from dialogue.delegates import services
    ev, org, (peru_fp, peru), (colombia_fp, _colombia) = two_delegations()
    grant_role(org, ev, "organiser")
    org.locale = "es"
    services.nominate(peru, FORM | {"email": "taken@example.org"}, peru_fp)
    db.session.commit()
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0 and "1 duplicate" in first.output, first.output
    notices = mails_to(org.email)
    assert len(notices) == 1
    assert "dos delegaciones" in notices[0].subject
    assert "taken@example.org" in notices[0].body and "Perú" in notices[0].body and "Colombia" in notices[0].body
    runner.invoke(args=["reminders", "send"])
    assert len(mails_to(org.email)) == 1  # sent once
    assert not mails_to(peru_fp.email) and not mails_to(colombia_fp.email)
    # Besides the organisers' notice, only the nominated person's own "you were nominated" mail.
    recipients = sorted(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == sorted([org.email, "taken@example.org"]), recipients


def test_duplicates_a_race_left_unflagged_are_flagged_by_the_notices(app):
    from dialogue.delegates import services
    _ev, _org, (_pfp, peru), (_cfp, colombia) = two_delegations()
    df.delegate(peru, email="taken@example.org")  # as if both had checked before the other committed
    assert services.send_duplicate_notices() == 1
    db.session.commit()
    flags = db.session.scalars(select(Delegate.also_in_delegation_id).order_by(Delegate.delegation_id)).all()
    assert sorted(flags) == sorted([peru.id, colombia.id])
