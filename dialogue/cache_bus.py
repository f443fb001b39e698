"""Head rows forgotten on every node at once: a commit announces itself on Redis pub/sub.

Each web process keeps the head rows of the served surfaces for SERVE_HEAD_TTL seconds (cache.py):
a change committed in that process forgets them at once, one committed in another process (another
gunicorn worker, a Celery worker finishing an agenda PDF, another machine) showed only when the TTL
ran out. With REDIS_URL set, a process that commits a change publishes a message on
`<CELERY_QUEUE>:forget-heads` after the commit, and every web process listens on that channel in
a daemon thread (started when it first keeps a head row, again in a forked child, reconnecting
when Redis goes away) and forgets its head rows when one comes: the change shows in milliseconds everywhere.
The TTL stays the fallback: a message lost while Redis was away costs at most SERVE_HEAD_TTL.

Publishing never fails a commit: with Redis away it is skipped (and tried again a few seconds
later), and the listener forgets everything when it reconnects, for what it may have missed.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time

from flask import Flask, current_app, has_app_context

log = logging.getLogger(__name__)

#: Seconds a publisher or a listener waits for Redis before giving up (a commit never waits longer).
REDIS_TIMEOUT = 0.5
#: Seconds without publishing after Redis did not answer (each commit would otherwise wait for it).
PUBLISH_BACKOFF = 5.0
#: Seconds between a listener's attempts to reconnect, at most.
RECONNECT_MAX = 10.0

_lock = threading.Lock()
#: (Redis URL) -> (process id, client): one publishing client per process (a forked child makes its own).
_clients: dict[str, tuple[int, object]] = {}
#: (Redis URL, channel) -> process id of the listening thread.
_listening: dict[tuple[str, str], int] = {}
#: This process's name on the channel, so that it does not forget twice what its own commit forgot.
_sender: dict[int, bytes] = {}
_quiet_until = 0.0


def channel(app: Flask) -> str:
    """The channel of this deployment: every node of one shares its jobs queue name (CELERY_QUEUE)."""
    return f"{app.config.get('CELERY_QUEUE') or 'dialogue'}:forget-heads"


def _me() -> bytes:
    pid = os.getpid()
    if pid not in _sender:
        _sender[pid] = f"{pid}:{secrets.token_hex(4)}".encode()
    return _sender[pid]


def _client(url: str):
    import redis
    pid = os.getpid()
    with _lock:
        found = _clients.get(url)
        if found is None or found[0] != pid:
            found = _clients[url] = (pid, redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT,
                                                               socket_connect_timeout=REDIS_TIMEOUT))
    return found[1]


def announce() -> None:
    """After this process committed a change: tell the other processes to forget their head rows."""
    global _quiet_until
    if not has_app_context():
        return
    url = current_app.config.get("REDIS_URL")
    if not url or time.monotonic() < _quiet_until:
        return
    try:
        _client(url).publish(channel(current_app), _me())
    except Exception:  # Redis away: the other processes see the change within their TTL
        _quiet_until = time.monotonic() + PUBLISH_BACKOFF
        log.warning("could not announce a change on Redis; other processes see it within SERVE_HEAD_TTL",
                    exc_info=True)


def listen(app: Flask) -> threading.Thread | None:
    """Start this process's listener for `app` (once per process and channel), if REDIS_URL is set and
    heads are kept at all (SERVE_HEAD_TTL > 0). `cache.head_row` calls it once per process: a process
    that serves no surface (a job worker, a command) never listens."""
    url = app.config.get("REDIS_URL")
    if not url or not (app.config.get("SERVE_HEAD_TTL") or 0) > 0:
        return None
    key, pid = (url, channel(app)), os.getpid()
    with _lock:
        if _listening.get(key) == pid:
            return None
        _listening[key] = pid
    thread = threading.Thread(target=_listen, args=key, name="forget-heads-listener", daemon=True)
    thread.start()
    return thread


def _listen(url: str, name: str) -> None:
    import redis

    from .cache import forget_heads
    pause = 0.1
    while True:
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_keepalive=True,
                                          health_check_interval=30)
            with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                pubsub.subscribe(name)
                forget_heads()  # (re)connected: whatever was announced meanwhile was missed
                pause = 0.1
                for message in pubsub.listen():
                    if message.get("type") == "message" and message.get("data") != _me():
                        forget_heads()
        except Exception:
            log.info("listening for changes on Redis stopped; reconnecting", exc_info=True)
        time.sleep(pause)
        pause = min(RECONNECT_MAX, pause * 2)
