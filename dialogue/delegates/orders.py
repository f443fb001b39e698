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
    """Whether this process read the event's delegations already (its order is likely kept); waits
    for the building at the worker's start, if it is under way (`warm_orders`)."""
    if not _WARMED.is_set():
        _WARMED.wait(WARM_WAIT)
    with LOCK:
        return KNOWN.get((database(), event.id, lang)) == event.created_at


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


# --- at a worker's start ------------------------------------------------------------------------

#: Clear while this process builds the orders at its start.
_WARMED = threading.Event()
_WARMED.set()
#: Seconds a request waits for that, at most (then it builds the order itself).
WARM_WAIT = 10.0
#: Events whose orders a starting worker builds: published, ended at most WARM_ENDED ago, latest first.
WARM_EVENTS, WARM_ENDED = 20, timedelta(days=7)


def warm_orders(app, *, force: bool = False) -> threading.Thread | None:
    """At a web worker's start (gunicorn's; not in tests or commands unless `force`), build in a thread
    the order of the delegations of each recent published event in each language: loading the
    collation table and sorting a COP's 2,500 names in three alphabets takes hundreds of
    milliseconds, which an organiser's first request in each process paid. A request that needs an
    order meanwhile waits for the thread (`is_known`) rather than sort the same names beside it.

    The thread reads on a connection of its own, outside the app's pool, so that a process that forks
    after it (gunicorn --preload) hands no connection to its children; they inherit the orders built,
    or build them again if the fork came first."""
    if not force and (app.testing or not os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/")):
        return None
    _warming["app"] = app
    return _start_warming()


#: The app whose orders a thread of this process builds (started again in a forked child).
_warming: dict = {}


def _start_warming() -> threading.Thread:
    _WARMED.clear()
    thread = threading.Thread(target=_warm, args=(_warming["app"],), name="warm-delegation-orders", daemon=True)
    thread.start()
    return thread


def _warm(app) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

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
                            delegation_order(event.id, lang, tuple(rows[0][4:]), [row[:4] for row in rows])
                            mark_known(event, lang)
            except Exception:  # no tables yet, the database away: requests build the orders themselves
                app.logger.warning("could not build the delegations' orders at start", exc_info=True)
            finally:
                engine.dispose()
    finally:
        _WARMED.set()


def _after_fork_in_child() -> None:
    """In a forked child: locks a thread of the parent held stay held, and that thread is gone."""
    global LOCK, _WARMED
    LOCK = threading.Lock()
    warmed, _WARMED = _WARMED.is_set(), threading.Event()
    _WARMED.set()
    if not warmed and "app" in _warming:
        _start_warming()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
