"""Attacks on sign-in: an attacker who hammers an account never keeps its owner out, and cannot list accounts."""
from __future__ import annotations

import re
import threading
import time

import pytest
import werkzeug.security
from werkzeug.security import check_password_hash, generate_password_hash

from dialogue.extensions import db
from dialogue.models import OutboxMessage

from . import factories as f

OWNER = "focal.point@example.org"


def login_from(client, address, email, password=f.PASSWORD, lang="en"):
    return client.post(f"/{lang}/account/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


class Attacker(threading.Thread):
    """Guesses passwords for one account in a thread, from `addresses` in turn, until told to stop."""

    def __init__(self, app, addresses, *, locked_after: int = 1, limit: int = 400):
        super().__init__(daemon=True)
        self.client, self.addresses, self.limit = app.test_client(), addresses, limit
        self.statuses: list[int] = []
        self.errors: list[BaseException] = []
        self.locked = threading.Event()
        self.stop = threading.Event()
        self._locked_after = locked_after

    def run(self):
        try:
            for n in range(self.limit):
                if self.stop.is_set():
                    return
                response = login_from(self.client, self.addresses[n % len(self.addresses)], OWNER, f"guess-{n}")
                self.statuses.append(response.status_code)
                if self.statuses.count(429) >= self._locked_after:
                    self.locked.set()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.errors.append(exc)
            self.locked.set()

    def finish(self):
        self.stop.set()
        self.join(timeout=60)
        assert not self.errors, self.errors
        assert 302 not in self.statuses


def test_an_attack_from_one_address_does_not_keep_the_owner_out(app):
    f.user(OWNER)
    attacker = Attacker(app, ["203.0.113.9"], locked_after=3)
    attacker.start()
    try:
        assert attacker.locked.wait(timeout=120), "the attacker was never slowed"
        owner = app.test_client()
        assert login_from(owner, "198.51.100.7", OWNER).status_code == 302  # while the attack goes on
        assert owner.get("/en/manage/").status_code == 200
    finally:
        attacker.finish()
    assert attacker.statuses.count(401) == app.config["LOGIN_MAX_FAILURES"]  # every later guess went unchecked
    assert db.session.scalars(db.select(OutboxMessage)).all() == []  # one address never locks the account


def test_an_attack_from_many_addresses_is_beaten_by_the_mailed_sign_in_link(app):
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 6
    try:
        f.user(OWNER, name="Ana").locale = "es"
        db.session.commit()
        attacker = Attacker(app, [f"203.0.113.{i}" for i in range(1, 40)], locked_after=3)
        attacker.start()
        try:
            assert attacker.locked.wait(timeout=120), "the account was never locked"
            owner = app.test_client()
            locked = login_from(owner, "198.51.100.7", OWNER, lang="fr")
            assert locked.status_code == 429
            assert "suivez le lien de connexion" in locked.get_data(as_text=True)
            mails = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == OWNER)).all()
            assert len(mails) == 1 and mails[0].body.startswith("Hola, Ana:")  # in the owner's language
            link = re.search(r"http://localhost(/\S+)", mails[0].body).group(1)
            assert owner.get(link).status_code == 200
            assert owner.get("/en/manage/").status_code == 302  # opening the link (a mail scanner) signs nobody in
            assert owner.post(link).status_code == 302
            assert owner.get("/en/manage/").status_code == 200  # signed in while the attack goes on
            assert app.test_client().post(link).status_code == 400  # and the link works once
        finally:
            attacker.finish()
        assert len(db.session.scalars(db.select(OutboxMessage)).all()) == 1  # one mail per lock, not per guess
    finally:
        app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 20


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@pytest.mark.full_password_hashing
def test_unknown_emails_cost_a_password_check_like_known_ones(app, client, monkeypatch):
    """The proof is the work done: as many password hashes for an unknown email as for a known one.
    Times are compared too, with bounds wide enough for a loaded machine (best of five; a skipped
    hash makes the unknown email tens of times faster, far outside them)."""
    f.user("known@example.org")
    login_from(client, "192.0.2.1", "warm-up@example.org", "guess")  # builds the dummy hash once
    calls = []
    real = werkzeug.security._hash_internal

    def counting(*args):
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(werkzeug.security, "_hash_internal", counting)
    counts, times = {}, {}
    for i, email in enumerate(("known@example.org", "nobody@example.org")):
        calls.clear()
        times[email] = min(_timed(lambda e=email, i=i, n=n: login_from(client, f"192.0.2.{10 + i * 5 + n}", e, "guess"))
                           for n in range(5))
        counts[email] = len(calls)
    monkeypatch.undo()
    assert counts == {"known@example.org": 5, "nobody@example.org": 5}
    one_hash = min(_timed(lambda: check_password_hash(generate_password_hash("x"), "y")) for _ in range(5)) / 2
    assert times["nobody@example.org"] > one_hash * 0.25 and times["known@example.org"] > one_hash * 0.25
    assert 0.2 < times["nobody@example.org"] / times["known@example.org"] < 5
