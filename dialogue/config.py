"""Configuration: safe defaults for one machine, overridden from the environment."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, or one generated once and kept in instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: when several workers start at once, exactly one key is written and all read it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    for _attempt in range(50):
        key = path.read_text().strip()
        if key:
            return key
        import time
        time.sleep(0.01)  # another worker is writing it
    raise RuntimeError(f"{path} is empty")


def _optional_int(name: str) -> int | None:
    """The environment's integer `name`, or None when it does not give one (the code's default then)."""
    value = os.environ.get(name)
    return int(value) if value else None


def build_config(instance_path: Path) -> dict:
    """Defaults, then environment overrides."""
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'dialogue.sqlite'}"
    if db_url.startswith("postgres://"):
        db_url = "postgresql+psycopg://" + db_url[len("postgres://"):]
    elif db_url.startswith("postgresql://"):
        db_url = "postgresql+psycopg://" + db_url[len("postgresql://"):]
    secure = os.environ.get("SESSION_COOKIE_SECURE") == "1"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        # Cookies: set SESSION_COOKIE_SECURE=1 behind HTTPS (remember-me follows unless told otherwise).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": os.environ.get("SESSION_COOKIE_SAMESITE", "Lax"),
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_SECURE": os.environ.get("REMEMBER_COOKIE_SECURE", "1" if secure else "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": os.environ.get("SESSION_COOKIE_SAMESITE", "Lax"),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(os.environ.get("REMEMBER_COOKIE_DAYS", "14"))),
        "PERMANENT_SESSION_LIFETIME": timedelta(seconds=int(os.environ.get("PERMANENT_SESSION_LIFETIME", "43200"))),
        # Rate limits (Flask-Limiter): in memory, or shared by every node through Redis.
        # Behind a reverse proxy: how many proxies to trust for each X-Forwarded-* header (0: none, the
        # default; a header a client sends itself is then ignored). Rate limits see the client address.
        "PROXY_FIX_X_FOR": int(os.environ.get("PROXY_FIX_X_FOR", "0")),
        "PROXY_FIX_X_PROTO": int(os.environ.get("PROXY_FIX_X_PROTO", "0")),
        "PROXY_FIX_X_HOST": int(os.environ.get("PROXY_FIX_X_HOST", "0")),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_KEY_PREFIX": "dialogue",
        # Redis down: count in memory meanwhile rather than refuse every sign-in.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Failed sign-ins per client address, over every account (a venue behind one address shares it).
        "LOGIN_LIMIT_PER_ADDRESS": "10 per minute; 100 per hour",
        # "Forgot password" requests per client address, and links mailed to one email.
        "MAIL_LINK_LIMIT_PER_ADDRESS": "5 per minute; 20 per hour",
        "MAIL_LINK_LIMIT_PER_ACCOUNT": "3 per hour",
        # Posts to invitation, reset and sign-in links, per client address and per link.
        "LINK_LIMIT_PER_ADDRESS": "10 per minute; 60 per hour",
        "LINK_LIMIT_PER_LINK": "10 per hour",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Login throttling: this many wrong passwords for one account from one address make that
        # address wait LOGIN_LOCK_MINUTES; LOGIN_ACCOUNT_MAX_FAILURES from all addresses make every
        # address wait, and mail the owner a sign-in link valid MAIL_LINK_MAX_AGE_MINUTES.
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_ACCOUNT_MAX_FAILURES": 20,
        "LOGIN_LOCK_MINUTES": 15,
        "MAIL_LINK_MAX_AGE_MINUTES": 60,
        # Invitation links stay valid this long.
        "INVITATION_MAX_AGE_DAYS": 14,
        # Mail: with no MAIL_SERVER every message stays in the outbox only.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "1") == "1",
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "dialogue@example.org"),
        # Background jobs: Redis as Celery's broker when set (several machines); else an embedded queue.
        "REDIS_URL": os.environ.get("REDIS_URL"),
        # Seconds after which a mail still `sending` (its worker died mid-send) is sent again.
        "MAIL_SENDING_TIMEOUT": int(os.environ.get("MAIL_SENDING_TIMEOUT", "300")),
        # Build the delegations' orders of recent events when a web server process starts (0: on first need).
        "WARM_ORDERS": os.environ.get("WARM_ORDERS", "1") == "1",
        # Seconds each web worker keeps an event's revision (public pages, exports, stored and published PDFs).
        "SERVE_HEAD_TTL": float(os.environ.get("SERVE_HEAD_TTL", "1")),
        # After a request that rendered a page: collect the heap once the response is sent, then gc.freeze() (heap.py).
        "SETTLE_HEAP": os.environ.get("SETTLE_HEAP", "1") == "1",
        # Where generated files (badges, lists, PDFs) are kept; every web server and worker reads it.
        "STORAGE_DIR": os.environ.get("STORAGE_DIR"),
        # The Celery queue web servers publish to and workers take from.
        "CELERY_QUEUE": os.environ.get("CELERY_QUEUE", "dialogue"),
        # Seconds between the looks of a worker that takes no mail (`--queues jobs`) for one that does (0: never).
        "MAIL_WORKER_CHECK": float(os.environ.get("MAIL_WORKER_CHECK", "300")),
        # Seconds the oldest undelivered message may wait before the outbox asks whether a mail worker runs.
        "MAIL_WAIT_WARNING": int(os.environ.get("MAIL_WAIT_WARNING", "600")),
        # Seconds before Redis gives a task whose worker died to another worker.
        "CELERY_VISIBILITY_TIMEOUT": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        # Badges: at most this many per PDF, and per task (workers share a job by tasks). Unset, a task
        # takes 500 badges, or fewer for a small set (dialogue/delegates/jobs.py `Badges.plan`).
        "BADGES_PER_PART": int(os.environ.get("BADGES_PER_PART", "500")),
        "BADGES_PER_CHUNK": _optional_int("BADGES_PER_CHUNK"),
        # Delegates read per query by the streamed exports (lists, personal details): memory holds one batch.
        "EXPORT_BATCH": int(os.environ.get("EXPORT_BATCH", "2000")),
        # Days a delegate's personal-details link works.
        "DETAILS_LINK_MAX_AGE_DAYS": int(os.environ.get("DETAILS_LINK_MAX_AGE_DAYS", "21")),
        # Session imports of more rows than this are checked and imported by a worker, behind a progress page.
        "SESSION_IMPORT_JOB_ROWS": int(os.environ.get("SESSION_IMPORT_JOB_ROWS", "200")),
        "SERVER_NAME_FOR_MAIL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Celery beat (`dialogue beat`, one per deployment): delegates' personal details past their day are
        # erased daily at this time (UTC), and the delegations' reminders are sent every this many seconds.
        "ERASE_PERSONAL_DATA_AT": "03:15",
        "REMINDERS_EVERY": 3600,
        # Seconds a change notice waits for more changes of the same editing session (one mail per person).
        "CHANGE_NOTICE_DELAY": int(os.environ.get("CHANGE_NOTICE_DELAY", "300")),
    }
