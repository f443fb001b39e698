"""Render once per change, then serve bytes.

Public agenda pages and exports are keyed by the event's revision, which every change bumps
(see sessions/models.py). Each worker keeps the rendered bytes and their ETag in a bounded LRU
(cachetools), so a repeated request costs one small query (the revision) and a lookup; Werkzeug
answers conditional and range requests. Workers on other machines see the same revision in the
database, so no node ever serves a stale agenda.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable

from cachetools import LRUCache
from flask import Response, current_app, has_app_context, request


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
        if isinstance(body, str):
            body = body.encode()
        etag = hashlib.sha256(body).hexdigest()[:32]
        with self._lock:
            self.renders += 1
            self._entries[self._key(key)] = (body, etag)
        return body, etag

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


cache = RenderCache()


def bytes_response(body: bytes, etag: str, mimetype: str, *, max_age: int = 0,
                   filename: str | None = None, public: bool = True) -> Response:
    """A response for stored bytes; Werkzeug turns it into a 304 or a 206 when the request asks."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.cache_control.max_age = max_age
    response.cache_control.must_revalidate = True
    response.cache_control.public = public
    response.cache_control.private = not public
    response.vary.update(("Accept-Language", "Cookie"))
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response.make_conditional(request, accept_ranges=True)


def cached(key: tuple, render: Callable[[], bytes | str], mimetype: str, **kwargs) -> Response:
    body, etag = cache.get(key, render)
    return bytes_response(body, etag, mimetype, **kwargs)


def cached_hit(key: tuple, mimetype: str, **kwargs) -> Response | None:
    """The response for stored bytes if this key was rendered already, else None."""
    hit = cache.peek(key)
    return None if hit is None else bytes_response(*hit, mimetype, **kwargs)
