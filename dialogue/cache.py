"""Render once per change, then serve bytes.

Public agenda pages and exports are keyed by the event's revision, which every change bumps
(see sessions/models.py). Each worker keeps the rendered bytes and their ETag in a bounded LRU
(cachetools), so a repeated request costs one small query (the revision) and a lookup; Werkzeug
answers conditional and range requests. Workers on other machines see the same revision in the
database, so no node ever serves a stale agenda.

The served surfaces (`SERVED`: the agenda page, its JSON and iCalendar exports, the stored agenda
PDF, published outcome files) should cost what a static file of the same bytes costs (README,
issue 7: within 1.1x). So their one query runs on a pooled DBAPI connection without SQLAlchemy's
execution layer (`head_row`), their responses carry headers built once (`_headers`), stored files
go through Werkzeug's file wrapper as static files do (`file_response`), and no rate limit is
counted for them (`unlimited`): no limit exists on a GET, and counting nothing cost as much as
the rest of the request.

That one query is not made on every request either: each worker keeps the head rows it read for
`SERVE_HEAD_TTL` seconds (default 1; cachetools' TTLCache), so at most one query per event and
second reaches the database from a worker, and a change made on another node or worker shows
within that time. A change committed in this process forgets them at once (`forget_heads`), and with
REDIS_URL set every other process too, within milliseconds (cache_bus.py). The
bytes and ETags stay keyed by revision: a client never gets a 304 for bytes it does not hold.
"""
from __future__ import annotations

import functools
import hashlib
import os
import threading
import unicodedata
from collections import namedtuple
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote

from cachetools import LRUCache, TTLCache
from flask import Response, current_app, has_app_context, request
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import dump_options_header, is_resource_modified
from werkzeug.utils import get_content_type
from werkzeug.wsgi import wrap_file

from .cache_bus import announce, listen
from .extensions import db, limiter
from .heap import settle_after_response

#: Endpoints that serve stored or rendered bytes to anyone who may see them, on GET and HEAD.
SERVED = frozenset({"sessions.event", "api.sessions", "ics.agenda_ics", "sessions.agenda_pdf",
                    "outcomes.download", "outcomes.download_version",
                    "outcomes.download_docx", "outcomes.download_docx_version"})


@limiter.request_filter
def unlimited() -> bool:
    """Flask-Limiter's request filter: the served surfaces on GET/HEAD count against no limit (every
    limit of the app is on a POST), so the limiter's bookkeeping is skipped for them."""
    return request.method in ("GET", "HEAD") and request.endpoint in SERVED


class RenderCache:
    def __init__(self, max_entries: int = 512):
        self._entries: LRUCache = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()
        self.renders = 0

    @staticmethod
    def _key(key: tuple) -> tuple:
        # Revisions count per database: two apps in one process (tests, a live server beside
        # them) must not serve each other's pages.
        if has_app_context():
            return (current_app.config.get("SQLALCHEMY_DATABASE_URI"), *key)
        return key

    def peek(self, key: tuple) -> tuple[bytes, str] | None:
        """The stored bytes and ETag for this key, or None (nothing is rendered)."""
        with self._lock:
            return self._entries.get(self._key(key))

    def get(self, key: tuple, render: Callable[[], bytes | str]) -> tuple[bytes, str]:
        hit = self.peek(key)
        if hit is not None:
            return hit
        body = render()
        settle_after_response()  # the render left long-lived objects: collect and freeze them once it is sent
        if isinstance(body, str):
            body = body.encode()
        etag = hashlib.sha256(body).hexdigest()[:32]
        with self._lock:
            self.renders += 1
            self._entries[self._key(key)] = (body, etag)
        return body, etag

    def put(self, key: tuple, value) -> None:
        """Keep any value known to be right for this key (which names a revision), e.g. the head row of
        the file a worker made from that revision."""
        with self._lock:
            self._entries[self._key(key)] = value

    def forget(self, key: tuple) -> None:
        with self._lock:
            self._entries.pop(self._key(key), None)

    def serve_stored(self, key: tuple, revision: int, lookup: Callable[[], Any],
                     serve: Callable[[Any], Response | None]) -> Response | None:
        """The response for the stored file made from `revision` (which `key` names), or None: no file
        of that revision yet, or it left the storage.

        `lookup()` gives the head of the newest finished file (its `file_revision` and the event's
        `revision` beside it, e.g. sessions.services.stored_file_head); a head of this revision is
        kept per worker, so the lookup runs once per revision. `serve(head)` answers with the file, or
        None when the file is gone (the head is then forgotten, and looked up again next time)."""
        head = self.peek(key)
        if head is None:
            head = lookup()
            if head is None or not head.file_revision >= head.revision == revision:
                return None
            self.put(key, head)
        response = serve(head)
        if response is None:
            self.forget(key)
        return response

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
        forget_heads()


cache = RenderCache()


class _Prepared(NamedTuple):
    sql: str
    positions: tuple[str, ...] | None  # bind names in order for positional paramstyles, else None
    defaults: dict  # every bind's value as compiled (constants of the statement included)
    processors: tuple  # each column's result processor (text to datetime on SQLite) or None
    row: type


_prepared: dict = {}


def _prepare(statement, dialect) -> _Prepared:
    compiled = statement.compile(dialect=dialect)
    processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                       for column in statement.selected_columns)
    row = namedtuple("Head", [column.key for column in statement.selected_columns])
    return _Prepared(compiled.string, tuple(compiled.positiontup) if compiled.positional else None,
                     dict(compiled.params), processors, row)


#: Head rows kept in this process: one TTLCache per time to live (apps in one process may differ).
_heads: dict[float, TTLCache] = {}
_heads_lock = threading.Lock()
_heads_generation = 0
#: At most this many head rows kept per time to live (events × languages × versions asked for).
HEADS_KEPT = 4096
_MISSING = object()


def forget_heads() -> None:
    """Forget every head row kept in this process (a change was committed here)."""
    global _heads_generation
    with _heads_lock:
        _heads_generation += 1
        for kept in _heads.values():
            kept.clear()


#: Tables no served surface reads: a transaction that wrote only these (a mail delivery's claims and
#: results, thousands in a burst) is not announced to the other processes (cache_bus.py).
QUIET_TABLES = frozenset({"outbox_message"})


def _note(session: OrmSession, tables) -> None:
    session.info["dialogue_wrote"] = True
    if not session.info.get("dialogue_announce") and any(t is None or t not in QUIET_TABLES for t in tables):
        session.info["dialogue_announce"] = True


@sa_event.listens_for(OrmSession, "after_flush")
def _wrote(session: OrmSession, _flush_context) -> None:
    _note(session, [getattr(getattr(o, "__table__", None), "name", None)
                    for o in (*session.new, *session.dirty, *session.deleted)] or [None])


@sa_event.listens_for(OrmSession, "do_orm_execute")
def _wrote_in_bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _note(state.session, [getattr(getattr(state.statement, "table", None), "name", None)])


@sa_event.listens_for(OrmSession, "after_commit")
def _forget_after_commit(session: OrmSession) -> None:
    """A transaction of this process that wrote anything committed: its change shows at once here, and
    in every other process listening on Redis (cache_bus.py) unless it wrote only QUIET_TABLES."""
    announcing = session.info.pop("dialogue_announce", False)
    if session.info.pop("dialogue_wrote", False):
        forget_heads()
        if announcing:
            announce()


@sa_event.listens_for(OrmSession, "after_rollback")
def _wrote_nothing(session: OrmSession) -> None:
    session.info.pop("dialogue_wrote", None)
    session.info.pop("dialogue_announce", None)


def head_row(statement, params: dict):
    """The first row of a constant column query (module-level, with bindparams), or None: the one
    query of a served request, kept in this process for `SERVE_HEAD_TTL` seconds (0: asked every
    time); forgotten at once when this process commits a change (`forget_heads`).

    A row read while a change of this process commits is not kept (the generation counter): it may
    be the row before the change.
    """
    ttl = current_app.config.get("SERVE_HEAD_TTL") or 0
    if ttl <= 0:
        return _read_head(statement, params)
    if not _listening:
        _listen_once()
    key = (current_app.config.get("SQLALCHEMY_DATABASE_URI"), statement, *params.items())
    with _heads_lock:
        kept = _heads.get(ttl)
        if kept is None:
            kept = _heads[ttl] = TTLCache(maxsize=HEADS_KEPT, ttl=ttl)
        found = kept.get(key, _MISSING)
        generation = _heads_generation
    if found is not _MISSING:
        return found
    found = _read_head(statement, params)
    with _heads_lock:
        if generation == _heads_generation:
            kept[key] = found
    return found


#: Whether this process listens for the changes other processes commit (cache_bus.py): from the first
#: head row it keeps (the first app to keep one, in a process with several), again in a forked child.
_listening = False


def _listen_once() -> None:
    global _listening
    _listening = True
    listen(current_app._get_current_object())


def _forked() -> None:
    global _listening
    _listening = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


def _read_head(statement, params: dict):
    """The first row of a constant column query, or None, run on a pooled DBAPI connection.

    It is compiled once per database kind and run without SQLAlchemy's execution layer, which cost
    more than the query itself inside a request (bench/README.md, "What a request costs"). The
    engine's `before_cursor_execute` listeners still hear it, so query counts (tests) see it.
    """
    engine = db.engine
    key = (statement, engine.dialect.name)
    prepared = _prepared.get(key)
    if prepared is None:
        prepared = _prepared[key] = _prepare(statement, engine.dialect)
    values = {**prepared.defaults, **params}
    args = values if prepared.positions is None else tuple(values[name] for name in prepared.positions)
    connection = engine.raw_connection()  # from the pool (pre-pinged), back to it on close (rolled back)
    try:
        cursor = connection.cursor()
        try:
            if engine.dispatch.before_cursor_execute:
                engine.dispatch.before_cursor_execute(None, cursor, prepared.sql, args, None, False)
            cursor.execute(prepared.sql, args)
            found = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()
    if found is None:
        return None
    return prepared.row(*(value if process is None else process(value)
                          for process, value in zip(prepared.processors, found, strict=True)))


def _disposition(disposition: str, filename: str) -> str:
    """Content-Disposition as Werkzeug's send_file writes it (an ASCII fallback and RFC 5987 for other names)."""
    try:
        filename.encode("ascii")
        names = {"filename": filename}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple, "filename*": f"UTF-8''{quote(filename, safe='!#$&+-.^_`|~')}"}
    return dump_options_header(disposition, names)


@functools.lru_cache(maxsize=1024)
def _headers(mimetype: str, max_age: int, public: bool, disposition: str | None, filename: str | None,
             vary: str | None) -> tuple[tuple[str, str], ...]:
    """The headers of a served response but its ETag and length, built once for each combination."""
    headers = [("Content-Type", get_content_type(mimetype, "utf-8")),
               ("Cache-Control", f"{'public' if public else 'private'}, max-age={max_age}, must-revalidate")]
    if vary:
        headers.append(("Vary", vary))
    if filename:
        headers.append(("Content-Disposition", _disposition(disposition or "inline", filename)))
    return tuple(headers)


def bytes_response(body: bytes, etag: str, mimetype: str, *, max_age: int = 0,
                   filename: str | None = None, public: bool = True, disposition: str = "inline",
                   complete_length: int | None = None) -> Response:
    """A response for stored bytes; Werkzeug turns it into a 304 or a 206 when the request asks."""
    response = Response(body, headers=list(_headers(mimetype, max_age, public, disposition, filename,
                                                    "Accept-Language, Cookie")))
    response.set_etag(etag)
    return response.make_conditional(request, accept_ranges=True, complete_length=complete_length)


def file_response(path: str | os.PathLike, etag: str, mimetype: str, *, last_modified=None, max_age: int = 0,
                  filename: str | None = None, public: bool = True, disposition: str = "inline") -> Response | None:
    """A stored file with ETag, Last-Modified, 304 and 206, with the headers built once; None when
    there is no such file. The bytes go through Werkzeug's wrap_file (sendfile under gunicorn), as
    static files do; a revalidation of a stored file (content-addressed, so its ETag says all) is
    answered without opening it."""
    headers = list(_headers(mimetype, max_age, public, disposition, filename, None))
    if "Range" not in request.headers and not is_resource_modified(request.environ, etag=etag,
                                                                   last_modified=last_modified):
        response = Response(b"", headers=headers)
        complete = None
    else:
        try:
            handle = open(path, "rb")
        except FileNotFoundError:
            return None
        complete = os.fstat(handle.fileno()).st_size
        response = Response(wrap_file(request.environ, handle), direct_passthrough=True, headers=headers)
        response.content_length = complete
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    try:
        return response.make_conditional(request, accept_ranges=True, complete_length=complete)
    except RequestedRangeNotSatisfiable:
        response.close()
        raise


def cached(key: tuple, render: Callable[[], bytes | str], mimetype: str, **kwargs) -> Response:
    body, etag = cache.get(key, render)
    return bytes_response(body, etag, mimetype, **kwargs)


def cached_hit(key: tuple, mimetype: str, **kwargs) -> Response | None:
    """The response for stored bytes if this key was rendered already, else None."""
    hit = cache.peek(key)
    return None if hit is None else bytes_response(*hit, mimetype, **kwargs)
