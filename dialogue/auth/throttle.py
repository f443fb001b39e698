"""Failed sign-ins counted in the rate limiter's storage (memory, or Redis).

Counters are keyed by the email typed, whether or not an account has it, so a known and an
unknown address behave alike. Two counters guard a password:

- per account and client address (LOGIN_MAX_FAILURES per LOGIN_LOCK_MINUTES): an attacker who
  hammers an account from one address is stopped there, while its owner signs in from elsewhere;
- per account over every address (LOGIN_ACCOUNT_MAX_FAILURES per LOGIN_LOCK_MINUTES): then
  passwords wait, and the owner gets a sign-in link by mail (once per lock) that works whatever
  the attack does.

Refused attempts are not counted, so an attack never extends a wait beyond its window.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from limits import RateLimitItem, parse

from ..extensions import limiter


def _key(email: str) -> str:
    """A bounded storage key for whatever was typed as an email."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _per_address() -> RateLimitItem:
    cfg = current_app.config
    return parse(f"{cfg['LOGIN_MAX_FAILURES']} per {cfg['LOGIN_LOCK_MINUTES']} minutes")


def _per_account() -> RateLimitItem:
    cfg = current_app.config
    return parse(f"{cfg['LOGIN_ACCOUNT_MAX_FAILURES']} per {cfg['LOGIN_LOCK_MINUTES']} minutes")


def _counters(email: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    key, prefix = _key(email), current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return [(_per_address(), (prefix, "login-failures", key, address)), (_per_account(), (prefix, "login-failures", key))]


def minutes_to_wait(email: str, address: str) -> int:
    """Minutes before a password for `email` is checked again from `address`; 0 when it is now."""
    strategy = limiter.limiter
    waits = [strategy.get_window_stats(item, *ids).reset_time - time.time()
             for item, ids in _counters(email, address) if not strategy.test(item, *ids)]
    return max(1, math.ceil(max(waits) / 60)) if waits else 0


def record_failure(email: str, address: str) -> bool:
    """Count a wrong password; True when this failure just locked the account for every address."""
    strategy = limiter.limiter
    (item, ids), (account_item, account_ids) = _counters(email, address)
    strategy.hit(item, *ids)
    return strategy.hit(account_item, *account_ids) and not strategy.test(account_item, *account_ids)


def forget_failures(email: str, address: str | None = None) -> None:
    """Clear the account's counters (and this address's) after a sign-in that proved the owner."""
    strategy = limiter.limiter
    (item, ids), (account_item, account_ids) = _counters(email, address or "")
    strategy.clear(account_item, *account_ids)
    if address is not None:
        strategy.clear(item, *ids)
