"""The kept order of an event's delegations (kind, then names in each language's alphabet), per process.

Delegations change rarely, their counts on every accreditation; reading and sorting a COP's 2,500
names costs more than counting. So each process keeps the order per event, language and version
of the delegations (how many, the last id, the last change), and a web worker builds it for recent
published events when it starts (`warm_orders`), so no organiser's first request pays for it.
"""
from __future__ import annotations

import os
import struct
import threading
from datetime import date, timedelta
from functools import lru_cache

from cachetools import LRUCache
from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..i18n import LANGUAGES
from ..sessions.models import Event
from .models import DELEGATION_KINDS, Delegation
from .services import collation_key, country_name


@lru_cache(maxsize=16384)
def collation(name: str, lang: str) -> bytes:
    """The collation key of a delegation's name as bytes, which compare in C: names recur on every
    page, and sorting 2,500 of them by tuples of weights alone costs tens of milliseconds."""
    key = collation_key(name, lang)
    return struct.pack(f">{len(key)}I", *key)


@lru_cache(maxsize=1024)
def country(code: str, lang: str) -> str:
    return country_name(code, lang)


#: (database, event id, language, version of its delegations) -> [(id, kind, name)] in order.
ORDERS: LRUCache = LRUCache(maxsize=64)
#: (database, event id, language) -> when that event was made (an id may come again after a deletion):
#: its delegations were read once in this process, their order is likely kept.
KNOWN: LRUCache = LRUCache(maxsize=64)
LOCK = threading.Lock()


def database() -> str:
    """Which database: two apps in one process (tests, a live server beside them) have their own."""
    return current_app.config.get("SQLALCHEMY_DATABASE_URI", "")


def version_columns(event_id: int) -> list:
    """How many delegations the event has, its last id and last change: any insert, rename or
    deletion changes one of them (a change sets `updated_at`, a new one takes a higher id)."""
    return [select(column).where(Delegation.event_id == event_id).scalar_subquery()
            for column in (func.count(Delegation.id), func.max(Delegation.id), func.max(Delegation.updated_at))]


def is_known(event: Event, lang: str) -> bool:
    """Whether this process read the event's delegations already (its order is likely kept). While the
    start-up thread (`warm_orders`) sorts this very order, wait for it (at most WARM_WAIT): it is
    nearer the end than a sort started now. Any other order is not waited for."""
    key = (database(), event.id, lang)
    with LOCK:
        building = _BUILDING.get(key)
    if building is not None:
        building.wait(WARM_WAIT)
    with LOCK:
        return KNOWN.get(key) == event.created_at


def mark_known(event: Event, lang: str) -> None:
    with LOCK:
        KNOWN[(database(), event.id, lang)] = event.created_at


def delegation_order(event_id: int, lang: str, version: tuple | None,
                     delegations: list | None = None) -> list[tuple[int, str, str]]:
    """The event's delegations in the list's order, kept per version; sorted from `delegations`
    (id, kind, country, name) or read when this version is not kept (`None`: unknown)."""
    key = (database(), event_id, lang, version)
    with LOCK:
        order = ORDERS.get(key) if version is not None else None
    if order is None:
        if delegations is None:
            delegations = db.session.execute(select(Delegation.id, Delegation.kind, Delegation.country, Delegation.name)
                                             .where(Delegation.event_id == event_id)).all()
        rank = {kind: i for i, kind in enumerate(DELEGATION_KINDS)}
        order = [(i, kind, country(code, lang) if code else name) for i, kind, code, name in delegations]
        order.sort(key=lambda d: (rank.get(d[1], len(rank)), collation(d[2], lang), d[0]))
        if version is not None:
            with LOCK:
                ORDERS[key] = order
    return order


# --- at a server's start -----------------------------------------------------------------------

#: The order the start-up thread is sorting now -> set when it is kept (a request needing it waits).
_BUILDING: dict[tuple, threading.Event] = {}
#: Seconds a request waits for the order being sorted by that thread, at most (then it sorts it itself).
WARM_WAIT = 2.0
#: Events whose orders a starting server builds: published, ended at most WARM_ENDED ago, latest first.
WARM_EVENTS, WARM_ENDED = 20, timedelta(days=7)
#: This process's warming: the app, the process that started it, and whether it ended.
_warming: dict = {}


def warm_orders(app, *, force: bool = False) -> threading.Thread | None:
    """Build in a thread, once per server process, the order of the delegations of each recent
    published event in each language: loading the collation table and sorting a COP's 2,500 names in
    three alphabets takes hundreds of milliseconds, which an organiser's first request in each
    process paid.

    With WARM_ORDERS on (the default; never under TESTING unless `force`): at once in a gunicorn
    worker or the server of `dialogue serve` (their environments say so), else on the first request
    a process serves (any other WSGI server), so that commands and job workers, which create the app
    too, never do it. A request meanwhile waits only for the order it needs, and only while the
    thread sorts that one (`is_known`).

    The thread reads on a connection of its own, outside the app's pool, so that a process that forks
    after it (gunicorn --preload) hands no connection to its children; they inherit the orders built,
    or build them again if the fork came first."""
    from ..cli import SERVE_MARK
    if not force and (app.testing or not app.config.get("WARM_ORDERS", True)):
        return None
    _warming.update(app=app, pid=None, ended=False)
    if force or os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/") or os.environ.get(SERVE_MARK):
        return _start_warming()

    @app.before_request
    def _warm_on_first_request():
        if _warming.get("pid") != os.getpid() and _warming.get("app") is app:
            with LOCK:
                if _warming.get("pid") == os.getpid():
                    return
                _warming["pid"] = os.getpid()
            _start_warming()
    return None


def _start_warming() -> threading.Thread:
    _warming.update(pid=os.getpid(), ended=False)
    thread = threading.Thread(target=_warm, args=(_warming["app"],), name="warm-delegation-orders", daemon=True)
    thread.start()
    return thread


def _warm(app) -> None:
    import time

    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    began = time.monotonic()
    try:
        with app.app_context():
            engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=NullPool)
            try:
                with engine.connect() as conn:
                    events = conn.execute(
                        select(Event.id, Event.created_at)
                        .where(Event.status == "published", Event.ends_on >= date.today() - WARM_ENDED,
                               select(Delegation.id).where(Delegation.event_id == Event.id).exists())
                        .order_by(Event.starts_on.desc()).limit(WARM_EVENTS)).all()
                    for event in events:
                        rows = conn.execute(
                            select(Delegation.id, Delegation.kind, Delegation.country, Delegation.name,
                                   *version_columns(event.id)).where(Delegation.event_id == event.id)).all()
                        for lang in LANGUAGES:
                            _build(event, lang, tuple(rows[0][4:]), [row[:4] for row in rows])
                app.logger.info("delegations' orders of %d events built in %.2f s (process %d)",
                                len(events), time.monotonic() - began, os.getpid())
            except Exception:  # no tables yet, the database away: requests build the orders themselves
                app.logger.warning("could not build the delegations' orders at start", exc_info=True)
            finally:
                engine.dispose()
    finally:
        _warming["ended"] = True


def _build(event, lang: str, version: tuple, delegations: list) -> None:
    """Sort one order, letting a request that needs this very one wait for it (`is_known`)."""
    key = (database(), event.id, lang)
    done = threading.Event()
    with LOCK:
        _BUILDING[key] = done
    try:
        delegation_order(event.id, lang, version, delegations)
        mark_known(event, lang)
    finally:
        with LOCK:
            _BUILDING.pop(key, None)
        done.set()


def _after_fork_in_child() -> None:
    """In a forked child: locks a thread of the parent held stay held, and that thread is gone (so
    is its order under way: a request must not wait for it)."""
    global LOCK
    LOCK = threading.Lock()
    _BUILDING.clear()
    if _warming.get("pid") is not None:
        _warming["pid"] = os.getpid()  # the parent's orders are this child's; those not built yet, here
        if not _warming.get("ended"):
            _start_warming()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
