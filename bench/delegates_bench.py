"""Benchmark: the participants list (page, CSV), a delegation page and statistics at 100,000 delegates.

    .venv/bin/python bench/delegates_bench.py [--delegates 100000] [--keep]

Builds a throw-away database (SQLite in a temporary instance, or DATABASE_URL), generates one
delegation per country with accredited delegates, then times each page through the app and counts
its SQL queries. Not a test: it prints numbers.
"""
from __future__ import annotations

import argparse
import os
import statistics as stats
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate(ev, n_delegates: int):
    """One member-state delegation per country, filled with accredited delegates (bulk inserts).

    Returns (delegations, delegates per delegation). Also used by bench/generate.py --delegates.
    """
    import time

    from sqlalchemy import insert

    from dialogue.delegates import services
    from dialogue.delegates.models import Delegate, Delegation
    from dialogue.extensions import db

    codes = [c for c, _n in services.countries("en")]
    per = n_delegates // len(codes) + 1
    delegations = [Delegation(event=ev, kind="member_state", country=c, quota=per) for c in codes]
    db.session.add_all(delegations)
    db.session.commit()
    t0 = time.perf_counter()
    rows, n = [], 0
    for d in delegations:
        for i in range(per):
            if n >= n_delegates:
                break
            rows.append({"delegation_id": d.id, "event_id": ev.id, "given_name": f"Given{i}", "family_name": f"Fámily{n}",
                         "email": f"d{n}@example.org", "role": "head" if i == 0 else "member", "status": "accredited",
                         "gender": ("female", "male")[n % 2], "function": "Delegate", "badge_code": f"b{n}"})
            n += 1
        if len(rows) >= 20_000:
            db.session.execute(insert(Delegate), rows)
            rows = []
    if rows:
        db.session.execute(insert(Delegate), rows)
    db.session.commit()
    print(f"generated {n} delegates in {len(delegations)} delegations in {time.perf_counter() - t0:.1f}s "
          f"({db.engine.url.get_backend_name()})")
    return delegations, per


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delegates", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DIALOGUE_INSTANCE", tempfile.mkdtemp(prefix="dialogue-bench-"))

    from sqlalchemy import event as sa_event

    from dialogue import create_app
    from dialogue.auth import grant_role
    from dialogue.extensions import db
    from dialogue.models import User
    from dialogue.sessions.models import Event

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        org = User(email="org@example.org", name="Organiser")
        org.set_password("bench-password")
        ev = Event(slug="bench", title={"en": "Bench"}, starts_on=date(2022, 12, 12), ends_on=date(2022, 12, 14),
                   status="published")
        db.session.add_all([org, ev])
        db.session.flush()
        grant_role(org, ev, "organiser")
        delegations, per = generate(ev, args.delegates)
        big = delegations[0].id

        client = app.test_client()
        client.post("/en/account/login", data={"email": "org@example.org", "password": "bench-password"})
        counter = {"n": 0}

        def count(*_a):
            counter["n"] += 1
        sa_event.listen(db.engine, "before_cursor_execute", count)
        for label, url in (("participants page", "/fr/manage/events/bench/participants"),
                           ("participants CSV", "/es/manage/events/bench/participants.csv"),
                           (f"delegation page ({per} delegates)", f"/en/events/bench/delegations/{big}/"),
                           ("statistics page", "/en/manage/events/bench/statistics"),
                           ("delegations list", "/en/manage/events/bench/delegations/")):
            times = []
            for _r in range(args.runs):
                counter["n"] = 0
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, (url, response.status_code)
            print(f"{label:<36} median {stats.median(times):6.2f}s  min {min(times):6.2f}s  "
                  f"{len(response.data) / 1e6:6.1f} MB  {counter['n']} queries")


if __name__ == "__main__":
    main()
