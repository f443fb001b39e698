"""Uploaded files waiting between a preview and its confirmation, kept on the server rather than in the page.

A file is kept in the storage directory (jobs/storage.py: shared by web servers and workers) under
a random token, with the user and the event it was uploaded for; only that user, for that event,
gets it back, for KEEP_SECONDS; it is deleted once used, and expired ones are swept at each upload.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from .jobs import storage

#: How long a preview may wait for its confirmation.
KEEP_SECONDS = 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _folder() -> Path:
    path = storage.root() / "uploads"
    path.mkdir(exist_ok=True)
    return path


def _paths(token: str) -> tuple[Path, Path] | None:
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    folder = _folder()
    return folder / f"{token}.bin", folder / f"{token}.json"


def keep(content: bytes, filename: str, user_id: int, event_id: int, **facts) -> str:
    """Keep an uploaded file for its confirmation (with `facts` about it, such as its number of rows);
    the token names it in the confirmation form."""
    sweep()
    token = secrets.token_urlsafe(24)  # 32 characters
    body, meta = _paths(token)
    storage._write(body, lambda handle: handle.write(content))
    info = {**facts, "user": user_id, "event": event_id, "filename": filename[-200:], "at": time.time()}
    storage._write(meta, lambda handle: handle.write(json.dumps(info).encode()))
    return token


def take(token: str, user_id: int, event_id: int) -> dict | None:
    """A kept file ({"filename", "content", facts...}) if `token` names one this user kept for this
    event, not expired."""
    paths = _paths(token)
    if paths is None:
        return None
    body, meta = paths
    try:
        info = json.loads(meta.read_text())
        content = body.read_bytes()
    except (OSError, ValueError):
        return None
    if info.get("user") != user_id or info.get("event") != event_id or time.time() - info.get("at", 0) > KEEP_SECONDS:
        return None
    return {**info, "content": content}


def discard(token: str) -> None:
    """Delete a kept file once used."""
    paths = _paths(token)
    for path in paths or ():
        path.unlink(missing_ok=True)


def sweep(now: float | None = None) -> int:
    """Delete the kept files older than KEEP_SECONDS; returns how many."""
    cutoff = (now or time.time()) - KEEP_SECONDS
    gone = 0
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                gone += path.suffix == ".bin"
        except OSError:
            continue
    return gone
