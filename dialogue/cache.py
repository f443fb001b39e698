"""Render once per change, then serve bytes.

Public agenda pages and exports are keyed by the event's revision, which every change bumps
(see sessions/models.py). Each worker keeps the rendered bytes and their ETag in a bounded
dictionary, so a repeated request costs one small query (the revision) and a dictionary lookup,
and a request that carries the ETag gets a 304. Workers on other machines see the same revision
in the database, so no node ever serves a stale agenda.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, current_app, has_app_context, request


class RenderCache:
    def __init__(self, max_entries: int = 512):
        self._entries: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries
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
        key = self._key(key)
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def get(self, key: tuple, render: Callable[[], bytes | str]) -> tuple[bytes, str]:
        hit = self.peek(key)
        if hit is not None:
            return hit
        key = self._key(key)
        body = render()
        if isinstance(body, str):
            body = body.encode()
        etag = hashlib.sha256(body).hexdigest()[:32]
        with self._lock:
            self.renders += 1
            self._entries[key] = (body, etag)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return body, etag

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


cache = RenderCache()


def bytes_response(body: bytes, etag: str, mimetype: str, *, max_age: int = 0,
                   filename: str | None = None, public: bool = True) -> Response:
    """A response for stored bytes, or 304 when the client already holds them."""
    quoted = f'"{etag}"'
    headers = {"ETag": quoted, "Cache-Control": f"{'public' if public else 'private'}, max-age={max_age}, must-revalidate",
               "Vary": "Accept-Language, Cookie"}
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    inm = request.headers.get("If-None-Match", "")
    if inm and (inm.strip() == "*" or quoted in [t.strip().removeprefix("W/") for t in inm.split(",")]):
        return Response(status=304, headers=headers)
    return Response(body, mimetype=mimetype, headers=headers)


def cached(key: tuple, render: Callable[[], bytes | str], mimetype: str, **kwargs) -> Response:
    body, etag = cache.get(key, render)
    return bytes_response(body, etag, mimetype, **kwargs)


def cached_hit(key: tuple, mimetype: str, **kwargs) -> Response | None:
    """The response for stored bytes if this key was rendered already, else None."""
    hit = cache.peek(key)
    return None if hit is None else bytes_response(*hit, mimetype, **kwargs)
