"""Two organisers decide the same substitution or withdrawal request at the same moment, each from
their own browser (two clients, two threads, two transactions): exactly one decision is taken, the
other organiser reads a clear message in their language, nobody gets an error page, and the audit log
keeps one decision. On SQLite (the default) and on PostgreSQL (DATABASE_URL)."""
import threading

import pytest
from sqlalchemy import event, select

from dialogue.delegates import substitutions
from dialogue.delegates.models import Delegate
from dialogue.delegates.personal_models import ChangeRequest
from dialogue.extensions import db
from dialogue.models import AuditEntry

from .. import factories as f
from . import factories as df

NEWCOMER = {"given_name": "Bruno", "family_name": "Mamani", "email": "bruno@example.org", "gender": "male",
            "role": "member", "attendance": "in_person", "salutation": "mr", "sessions": []}


def both_read_it_pending():
    """Hold each request, once it has read the change request, until the other has read it too: both
    organisers then act on a request they saw pending, the worst moment for a check-then-write."""
    barrier = threading.Barrier(2, timeout=10)
    held = threading.local()

    def after(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM delegate_change_request" in statement \
                and not getattr(held, "done", False) and threading.current_thread().name.startswith("organiser"):
            held.done = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
    return after


def at_once(act):
    """Run act(0) and act(1) in two threads at once (named `organiser-…`, so that each is held once it
    has read the change request until the other has read it too)."""
    listener = both_read_it_pending()
    event.listen(db.engine, "after_cursor_execute", listener)
    try:
        threads = [threading.Thread(target=act, args=(i,), name=f"organiser-{i}") for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        event.remove(db.engine, "after_cursor_execute", listener)


def race(app, slug: str, change_id: int, organisers: list, decisions: list[tuple[str, dict]]):
    """Each organiser posts their decision from their own signed-in client, at once; their responses,
    and the page each is sent back to (with its flashed message)."""
    clients = []
    for user in organisers:
        client = app.test_client()
        assert client.post("/fr/account/login", data={"email": user, "password": f.PASSWORD}).status_code == 302
        clients.append(client)
    results: dict[int, tuple] = {}

    def decide(i):
        client = clients[i]
        decision, data = decisions[i]
        response = client.post(f"/fr/manage/events/{slug}/changes/{change_id}/{decision}", data=data)
        results[i] = (response.status_code, response.headers.get("Location"))

    at_once(decide)
    pages = [clients[i].get(results[i][1]).get_data(as_text=True) if results[i][1] else "" for i in range(2)]
    return [results[i][0] for i in range(2)], pages


@pytest.mark.parametrize("kind", ["withdraw", "substitute"])
def test_two_organisers_deciding_one_request_at_once_exactly_one_decides(app, kind):
    org_a, org_b = f.user("a@example.org"), f.user("b@example.org")
    ev = f.event(organiser=org_a)
    from dialogue.auth import grant_role
    grant_role(org_b, ev, "organiser")
    user, d = df.focal_point(ev, quota=2)
    ana = df.delegate(d, "Ana", "Quispe", status="accredited")
    change = substitutions.request_change(ana, kind, "Ana is ill", NEWCOMER if kind == "substitute" else None, user)
    db.session.commit()
    ids = (ev.slug, change.id, ana.id)
    db.session.remove()

    statuses, pages = race(app, ids[0], ids[1], ["a@example.org", "b@example.org"],
                           [("accept", {}), ("refuse", {"reason": "Trop tard"})])

    assert all(s == 302 for s in statuses), statuses  # no error page for either
    won = ["La demande est acceptée" in pages[0], "La demande est refusée." in pages[1]]
    lost = ["Cette demande est déjà décidée." in page for page in pages]
    assert sorted(won) == [False, True] and won == [not x for x in lost], (won, lost)
    db.session.expire_all()
    decided = db.session.get(ChangeRequest, ids[1])
    decisions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action.in_([f"delegate.{kind}_accepted", f"delegate.{kind}_refused"]))).all()
    assert len(decisions) == 1, decisions
    assert decisions[0] == f"delegate.{kind}_{decided.status}"
    ana = db.session.get(Delegate, ids[2])
    replacements = db.session.scalars(select(Delegate).where(Delegate.email == "bruno@example.org")).all()
    if decided.status == "accepted":
        assert decided.decided_by_id == db.session.scalar(select(AuditEntry.user_id).where(
            AuditEntry.action == decisions[0]))
        assert ana.status == "withdrawn" and len(replacements) == (1 if kind == "substitute" else 0)
    else:
        assert ana.status == "accredited" and not replacements and decided.decision_reason == "Trop tard"


def test_the_same_request_sent_twice_at_once_through_the_api_makes_one(app):
    """A script retrying, or two focal points' systems: one request is taken, the other gets 422 with
    the message in its language, and only one request waits for the organisers."""
    from dialogue.delegates import api
    ev = f.event()
    user, d = df.focal_point(ev, quota=2)
    ana = df.delegate(d, "Ana", "Quispe", status="accredited")
    _t, secret = api.create_token(user, "ministry", d)
    db.session.commit()
    url = f"/api/v1/events/{ev.slug}/delegations/{d.id}/delegates/{ana.id}/changes"
    # A first call writes the token's last use (then not again for minutes): the race is about the request.
    assert app.test_client().get(f"/api/v1/events/{ev.slug}/delegations/{d.id}/changes",
                                 headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    db.session.remove()
    results: dict[int, tuple] = {}

    def ask(i):
        response = app.test_client().post(url, json={"kind": "withdraw", "reason": "Cannot travel"}, headers={
            "Authorization": f"Bearer {secret}", "Accept-Language": "es"})
        results[i] = (response.status_code, response.get_json())

    at_once(ask)
    assert sorted(status for status, _body in results.values()) == [201, 422], results
    refused = next(body for status, body in results.values() if status == 422)
    assert "pendiente de la decisión de los organizadores" in refused["error"], refused
    assert len(db.session.scalars(select(ChangeRequest).where(ChangeRequest.status == "pending")).all()) == 1
