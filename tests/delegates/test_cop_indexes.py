"""COP-scale lists: the kept order of delegations follows renames and new delegations at once, and
the indexes the counts and the search read exist (the trigram one on PostgreSQL)."""
from __future__ import annotations

from sqlalchemy import inspect, text

from dialogue.auth import grant_role
from dialogue.delegates import queries
from dialogue.delegates.models import TRIGRAM_INDEX
from dialogue.extensions import db

from .. import factories as f
from . import factories as df


def names(rows) -> list[str]:
    return [r.name for r in rows]


def test_the_kept_order_of_delegations_follows_every_change(app):
    ev = f.event()
    zeta = df.delegation(ev, kind="civil_society", name="Zeta Network")
    alpha = df.delegation(ev, kind="civil_society", name="Alpha Forum")
    df.delegation(ev, "PE")
    df.many_delegates(alpha, 2)
    first = queries.delegations_with_counts(ev, "en", "accredited")
    assert names(first) == ["Peru", "Alpha Forum", "Zeta Network"]
    assert [r.count for r in first] == [0, 2, 0]
    assert names(queries.delegations_with_counts(ev, "es", "accredited"))[0] == "Perú"
    zeta.name = "Ábaco Coalition"  # an accent sorts with its letter
    db.session.commit()
    df.delegation(ev, "EC")
    df.many_delegates(zeta, 1)
    again = queries.delegations_with_counts(ev, "en", "accredited")
    assert names(again) == ["Ecuador", "Peru", "Ábaco Coalition", "Alpha Forum"]
    assert [r.count for r in again] == [0, 0, 1, 2]
    # A deletion, then a new delegation: as many as before, but a higher id.
    db.session.delete(db.session.get(type(zeta), again[0].id))
    db.session.commit()
    assert names(queries.delegations_with_counts(ev, "en", "accredited")) == ["Peru", "Ábaco Coalition", "Alpha Forum"]
    df.delegation(ev, "CL")
    assert names(queries.delegations_with_counts(ev, "en", "accredited"))[:2] == ["Chile", "Peru"]


def test_counts_and_search_read_their_indexes(app):
    inspector = inspect(db.engine)
    indexes = {i["name"] for i in inspector.get_indexes("delegate")}
    assert {"ix_delegate_event_status_delegation_id", "ix_delegate_event_status_delegation"} <= indexes
    if db.engine.dialect.name != "postgresql":
        return
    has_trgm = db.session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))
    found = db.session.scalar(text("SELECT count(*) FROM pg_indexes WHERE indexname = :n"), {"n": TRIGRAM_INDEX})
    assert found == has_trgm


def test_a_search_finds_the_same_with_the_trigram_index(app, client, auth):
    """Whatever index serves it, a search is a word start, accents and script folded."""
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    d = df.delegation(ev, "PE", quota=10)
    for given, family in (("José", "Núñez"), ("Josefina", "Pérez"), ("Ana", "Rejoseado"), ("丽", "王")):
        df.delegate(d, given, family, status="accredited")
    auth.login(org.email)
    page = client.get(f"/en/manage/events/{ev.slug}/participants?q=jose").get_data(as_text=True)
    assert "Núñez".upper() in page and "PÉREZ" in page and "REJOSEADO" not in page
    page = client.get(f"/en/manage/events/{ev.slug}/participants?q=wang").get_data(as_text=True)
    assert "王" in page and "NÚÑEZ" not in page


def test_a_search_count_reads_the_names_from_the_index_on_sqlite(app, count_queries):
    """SQLite would pick the narrow index and read each name from the table; the wide one holds them."""
    if db.engine.dialect.name != "sqlite":
        return
    ev = f.event()
    statements = []
    from sqlalchemy import event as sa_event

    def seen(_conn, _cursor, statement, *_a):
        statements.append(statement)
    sa_event.listen(db.engine, "before_cursor_execute", seen)
    try:
        queries.delegations_with_counts(ev, "en", "accredited", "José")
        queries.delegations_with_counts(ev, "en", "accredited")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", seen)
    # The counts (the order of the delegations is read apart when they changed: here, each time).
    with_search, without = [s for s in statements if "GROUP BY" in s][-2:]
    assert f"INDEXED BY {queries.SEARCH_COUNT_INDEX}" in with_search and "INDEXED BY" not in without
    plan = db.session.execute(text("EXPLAIN QUERY PLAN " + with_search.replace("?", "'x'"))).all()
    assert any("COVERING INDEX" in str(row) for row in plan)
