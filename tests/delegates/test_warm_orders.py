"""A web worker builds the delegations' orders of recent published events at its start, so that no
organiser's first participants page in that process sorts the names (delegates/orders.py)."""
from datetime import date, timedelta

from dialogue.delegates import orders

from .. import factories as f
from . import factories as df


def test_a_starting_worker_builds_the_orders_of_recent_published_events_only(app, client, auth, count_queries):
    today = date.today()
    org = f.user()
    current = f.event(organiser=org, starts=today, ends=today + timedelta(days=2))
    draft = f.event(organiser=org, status="draft", starts=today, ends=today + timedelta(days=2))
    past = f.event(organiser=org, starts=today - timedelta(days=30), ends=today - timedelta(days=28))
    for ev in (current, draft, past):
        for code in ("PE", "DE", "ES"):
            df.delegate(df.delegation(ev, code), "Ana", code, status="accredited")
    df.delegation(current, kind="ngo", name="Red Ñandú")
    assert orders.warm_orders(app) is None  # not in tests (servers: tests/delegates/test_warm_servers.py)
    orders.warm_orders(app, force=True).join(timeout=30)
    for lang in ("fr", "es", "en"):
        assert orders.is_known(current, lang)
        assert not orders.is_known(draft, lang) and not orders.is_known(past, lang)
    names = [name for _i, _kind, name in orders.delegation_order(current.id, "es", None)]
    assert names == ["Alemania", "España", "Perú", "Red Ñandú"]  # states, then organisations, in Spanish
    # The first request finds the order built: the counts only, no sorting (no collation key asked for).
    auth.login(org.email)
    def sorted_names() -> int:  # the collation keys asked for so far (the sort asks one per delegation)
        info = orders.collation.cache_info()
        return info.hits + info.misses
    before = sorted_names()
    with count_queries() as warmed:
        page = client.get(f"/es/manage/events/{current.slug}/participants").get_data(as_text=True)
    assert sorted_names() == before
    with count_queries() as cold:  # the draft's first request sorts its delegations: the same queries
        other = client.get(f"/es/manage/events/{draft.slug}/participants").get_data(as_text=True)
    assert sorted_names() == before + 3
    assert warmed.count == cold.count
    for shown in (page, other):
        assert shown.index("Alemania") < shown.index("España") < shown.index("Perú")
