"""Two nominations race for the last place: on PostgreSQL one wins, the other gets a clear message."""
import os
import threading

import pytest
from sqlalchemy import func, select

from dialogue.delegates import services
from dialogue.delegates.models import Delegate, Delegation
from dialogue.extensions import db
from dialogue.models import User

from .. import factories as f
from . import factories as df

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif("postgresql" not in os.environ.get("DATABASE_URL", ""),
                       reason="SQLite has no row locks and serialises writers: the race needs PostgreSQL (DATABASE_URL)"),
]


def race(app, delegation_id, user_id, emails):
    """Nominate one delegate per email, each in its own thread and transaction, all at once."""
    barrier = threading.Barrier(len(emails))
    results = {}

    def nominate(email):
        with app.app_context():
            d = db.session.get(Delegation, delegation_id)
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                services.nominate(d, {"given_name": "A", "family_name": email, "email": email}, user)
                db.session.commit()
                results[email] = "ok"
            except services.DelegationError as error:
                db.session.rollback()
                results[email] = error.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=nominate, args=(e,)) for e in emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_nominations_for_the_last_place_one_wins(app):
    ev = f.event()
    for attempt in range(3):
        user, d = df.focal_point(ev, ("PE", "CO", "MX")[attempt], quota=2)
        df.delegate(d, email=f"first{attempt}@example.org")
        ids = (d.id, user.id)
        db.session.remove()
        results = race(app, *ids, [f"a{attempt}@example.org", f"b{attempt}@example.org"])
        assert list(results.values()).count("ok") == 1, results
        loser = next(v for v in results.values() if v != "ok")
        assert "quota of 2 delegates is reached" in loser
        held = db.session.scalar(select(func.count(Delegate.id)).where(Delegate.delegation_id == ids[0],
                                                                       Delegate.status == "nominated"))
        assert held == 2


def test_two_delegations_racing_for_one_email_both_are_taken_and_flagged_for_organisers(app):
    ev = f.event()
    peru_fp, peru = df.focal_point(ev, "PE")
    colombia_fp, colombia = df.focal_point(ev, "CO")
    pairs = ((peru.id, peru_fp.id), (colombia.id, colombia_fp.id))
    db.session.remove()
    barrier = threading.Barrier(2)
    results = []

    def nominate(delegation_id, user_id):
        with app.app_context():
            d = db.session.get(Delegation, delegation_id)
            u = db.session.get(User, user_id)
            barrier.wait()
            try:
                services.nominate(d, {"given_name": "A", "family_name": "B", "email": "same@example.org"}, u)
                db.session.commit()
                results.append("ok")
            except services.DelegationError as error:
                db.session.rollback()
                results.append(error.field)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=nominate, args=args) for args in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # Refusing one would tell its focal point who else is coming: both are taken...
    assert results == ["ok", "ok"]
    # ... and the scheduled notices flag whatever the race kept either from seeing.
    assert services.send_duplicate_notices() == 1
    db.session.commit()
    flags = db.session.scalars(select(Delegate.also_in_delegation_id).order_by(Delegate.delegation_id)).all()
    assert flags == [pairs[1][0], pairs[0][0]]
