"""Accounts: login, lock-out, forgotten passwords, sessions, `next`, invitation links, create-user."""
import re

import pytest

from dialogue.auth import grant_role, invitation_token
from dialogue.extensions import db
from dialogue.models import OutboxMessage, User

from . import factories as f
from .workers import fetch


def test_login_form_has_email_and_password_fields(client, app):
    page = client.get("/en/account/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page


def test_login_and_logout(client, app, auth):
    f.user("someone@example.org")
    response = auth.login("Someone@Example.org")
    assert response.status_code == 302
    assert client.get("/en/manage/").status_code == 200
    client.post("/en/account/logout")
    assert client.get("/en/manage/").status_code == 302


def test_wrong_password_is_refused_in_the_users_language(client, app, auth):
    f.user("someone@example.org")
    response = auth.login("someone@example.org", "nope", lang="es")
    assert response.status_code == 401
    assert "Correo o contraseña incorrectos." in response.get_data(as_text=True)
    assert 'value="someone@example.org"' in response.get_data(as_text=True)


def test_passwords_are_hashed(app):
    u = f.user(password="correct horse battery")
    assert "correct horse" not in u.password_hash
    assert u.check_password("correct horse battery")


def test_invitation_link_sets_password_once(client, app):
    u = User(email="new@example.org", name="New")
    db.session.add(u)
    db.session.commit()
    token = invitation_token(u)
    page = client.get(f"/fr/account/set-password/{token}")
    assert page.status_code == 200
    short = client.post(f"/fr/account/set-password/{token}", data={"password": "short", "confirm": "short"})
    assert "Utilisez au moins 10 caractères." in short.get_data(as_text=True)
    done = client.post(f"/fr/account/set-password/{token}", data={"password": "a long passphrase", "confirm": "a long passphrase"})
    assert done.status_code == 302
    db.session.refresh(u)
    assert u.check_password("a long passphrase")
    reused = client.get(f"/fr/account/set-password/{token}")
    assert reused.status_code == 400
    assert "déjà été utilisé" in reused.get_data(as_text=True)


def test_forged_invitation_link_is_refused(client, app):
    assert client.get("/en/account/set-password/not-a-token").status_code == 400


def test_expired_invitation_link_is_refused(client, app):
    u = f.user()
    token = invitation_token(u)
    app.config["INVITATION_MAX_AGE_DAYS"] = -1
    try:
        response = client.get(f"/en/account/set-password/{token}")
    finally:
        app.config["INVITATION_MAX_AGE_DAYS"] = 14
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_create_user_command_prints_an_invitation_link(runner, app, client):
    ev = f.event(slug="summit")
    result = runner.invoke(args=["create-user", "--email", "Chef@Example.org", "--role", "organiser", "--event", "summit"])
    assert result.exit_code == 0, result.output
    link = re.search(r"Invitation link: (\S+)", result.output).group(1)
    user = db.session.scalar(db.select(User).where(User.email == "chef@example.org"))
    assert user.roles[0].role == "organiser" and user.roles[0].event_id == ev.id
    path = link.split("localhost", 1)[1]
    assert client.get(path).status_code == 200


def test_create_user_for_unknown_event_fails(runner, app):
    result = runner.invoke(args=["create-user", "--email", "a@example.org", "--role", "organiser", "--event", "nope"])
    assert result.exit_code != 0
    assert "No event" in result.output


def test_login_keeps_csrf_protection(client, app):
    app.config["WTF_CSRF_ENABLED"] = True
    f.user("csrf@example.org")
    response = client.post("/en/account/login", data={"email": "csrf@example.org", "password": f.PASSWORD})
    assert response.status_code == 400
    page = client.get("/en/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    ok = client.post("/en/account/login", data={"email": "csrf@example.org", "password": f.PASSWORD, "csrf_token": token})
    assert ok.status_code == 302


# --- lock-out, same answers for unknown emails --------------------------------------------------

def login_from(client, address, email, password=f.PASSWORD, lang="en", **extra):
    """A sign-in POST as it arrives from the client address `address`."""
    return client.post(f"/{lang}/account/login", data={"email": email, "password": password, **extra},
                       environ_base={"REMOTE_ADDR": address})


def error_text(response) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>([^<]*)</p>', response.get_data(as_text=True))


def test_failures_lock_the_account_from_that_address_only(client, app):
    f.user("target@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert login_from(client, "10.0.0.1", "target@example.org", "guess").status_code == 401
    locked = login_from(client, "10.0.0.1", "target@example.org")  # right password, but this address waits
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes" in locked.get_data(as_text=True)
    assert login_from(client, "10.0.0.2", "target@example.org").status_code == 302


def test_wrong_password_and_unknown_email_read_the_same(client, app):
    f.user("known@example.org")
    known = login_from(client, "10.0.1.1", "known@example.org", "guess", lang="fr")
    unknown = login_from(client, "10.0.1.2", "nobody@example.org", "guess", lang="fr")
    assert known.status_code == unknown.status_code == 401
    assert error_text(known) == error_text(unknown) == ["Courriel ou mot de passe incorrect."]


def test_lock_out_reads_the_same_for_an_unknown_email(client, app):
    f.user("known@example.org")
    answers = {}
    for address, email in (("10.0.2.1", "known@example.org"), ("10.0.2.2", "nobody@example.org")):
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            login_from(client, address, email, "guess")
        answers[email] = login_from(client, address, email, "guess", lang="es")
    assert {a.status_code for a in answers.values()} == {429}
    assert error_text(answers["known@example.org"]) == error_text(answers["nobody@example.org"])
    assert "Demasiados intentos fallidos" in error_text(answers["nobody@example.org"])[0]


def test_too_many_failures_from_one_address_get_the_styled_429_page(client, app):
    for i in range(10):  # LOGIN_LIMIT_PER_ADDRESS: 10 per minute, over any accounts
        login_from(client, "10.0.3.1", f"guess{i}@example.org", "guess")
    response = login_from(client, "10.0.3.1", "guess@example.org", "guess", lang="es")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "<h1>Demasiadas solicitudes</h1>" in page and "Retry-After" in response.headers
    assert login_from(client, "10.0.3.2", "guess@example.org", "guess").status_code == 401


# --- forgot password ------------------------------------------------------------------------------

def outbox(recipient):
    return db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                              .order_by(OutboxMessage.id)).all()


def link_in(message) -> str:
    return re.search(r"http://localhost(/\S+)", message.body).group(1)


def test_forgot_password_answers_the_same_and_mails_only_real_accounts(client, app):
    f.user("known@example.org")
    answers = [client.post("/fr/account/forgot-password", data={"email": email}, follow_redirects=True)
               for email in ("known@example.org", "nobody@example.org")]
    texts = [re.search(r'<div class="flash[^"]*"[^>]*>(.*?)</div>', a.get_data(as_text=True), re.S).group(1).strip()
             for a in answers]
    assert texts[0] == texts[1] and "Si un compte utilise ce courriel" in texts[0]
    assert [m.subject for m in outbox("known@example.org")] == ["Choisir un nouveau mot de passe"]
    assert outbox("nobody@example.org") == []


def test_reset_link_sets_a_new_password_once(client, app):
    u = f.user("forgetful@example.org")
    client.post("/es/account/forgot-password", data={"email": "Forgetful@Example.org"})
    message = outbox("forgetful@example.org")[0]
    assert "Para elegir una nueva contraseña" in message.body
    link = link_in(message)
    form = client.get(link).get_data(as_text=True)
    assert 'autocomplete="new-password"' in form and 'autocomplete="username"' in form
    done = client.post(link, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert done.status_code == 302
    db.session.refresh(u)
    assert u.check_password("a brand new passphrase") and not u.check_password(f.PASSWORD)
    again = client.get(link)
    assert again.status_code == 400 and "ya se ha utilizado" in again.get_data(as_text=True)


def test_forged_reset_link_is_refused(client, app):
    response = client.get("/en/account/reset-password/forged")
    assert response.status_code == 400 and "This link is not valid." in response.get_data(as_text=True)


def test_reset_links_to_one_email_are_limited(client, app):
    f.user("flood@example.org")
    answers = [client.post("/en/account/forgot-password", data={"email": "flood@example.org"},
                           environ_base={"REMOTE_ADDR": f"10.0.4.{i}"}).status_code for i in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert len(outbox("flood@example.org")) == 3


# --- sessions end on sign-out and password change ---------------------------------------------------

def session_cookie(client):
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value


def replay(app, name, value):
    """A fresh client that only has the captured cookie: can it open a signed-in page?"""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief.get("/en/manage/").status_code


def test_a_session_cookie_captured_before_sign_out_is_refused_after_it(client, app, auth):
    f.user("someone@example.org")
    auth.login("someone@example.org")
    captured = session_cookie(client)
    assert replay(app, "session", captured) == 200  # the copy works while the session lives
    client.post("/en/account/logout")
    assert replay(app, "session", captured) == 302


def test_a_password_change_ends_every_session(client, app, auth):
    f.user("someone@example.org")
    auth.login("someone@example.org")
    captured = session_cookie(client)
    other = app.test_client()
    other.post("/en/account/forgot-password", data={"email": "someone@example.org"})
    link = link_in(outbox("someone@example.org")[0])
    assert other.post(link, data={"password": "another passphrase", "confirm": "another passphrase"}).status_code == 302
    assert replay(app, "session", captured) == 302
    assert other.get("/en/manage/").status_code == 200  # the one who changed it stays signed in


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(client, app, auth):
    u = f.user("someone@example.org")
    auth.login("someone@example.org")
    elsewhere = app.test_client()
    login_from(elsewhere, "10.0.5.1", "someone@example.org")
    page = client.get("/fr/account/password").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and page.count('autocomplete="new-password"') == 2
    new = {"password": "a fresh passphrase", "confirm": "a fresh passphrase"}
    wrong = client.post("/fr/account/password", data={"current": "guess", **new})
    assert wrong.status_code == 401 and "Ce n’est pas votre mot de passe actuel." in wrong.get_data(as_text=True)
    assert client.post("/fr/account/password", data={"current": f.PASSWORD, **new}).status_code == 302
    db.session.refresh(u)
    assert u.check_password("a fresh passphrase")
    assert client.get("/en/manage/").status_code == 200  # this session goes on
    assert elsewhere.get("/en/manage/").status_code == 302  # the other one ended


def test_remember_me_cookie_dies_at_sign_out(client, app):
    f.user("someone@example.org")
    client.post("/en/account/login", data={"email": "someone@example.org", "password": f.PASSWORD, "remember": "y"})
    remembered = client.get_cookie("remember_token").value
    assert replay(app, "remember_token", remembered) == 200
    client.post("/en/account/logout")
    assert replay(app, "remember_token", remembered) == 302


def test_signed_in_pages_are_not_stored_but_public_ones_keep_their_caching(client, app, auth, jobs):
    ev = f.event(slug="summit")
    anonymous = client.get(f"/events/{ev.slug}/agenda.ics")
    assert "public" in anonymous.headers["Cache-Control"].split(", ")
    f.user("someone@example.org")
    auth.login("someone@example.org")
    assert client.get("/en/manage/").headers["Cache-Control"] == "no-store"
    organiser = f.user("organiser@example.org")
    grant_role(organiser, ev, "organiser")
    db.session.commit()
    auth.login("organiser@example.org")
    download = fetch(client, jobs, f"/en/manage/events/{ev.slug}/participants.csv")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "")
    assert client.get(f"/events/{ev.slug}/agenda.ics").headers["Cache-Control"] == anonymous.headers["Cache-Control"]


# --- where sign-in leads --------------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example/x", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
    "/%2F/evil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/%252F%252Fevil.example",
    "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/%0d%0a/evil.example", " //evil.example",
    "/\x00/evil.example", "\uff0f\uff0fevil.example", "/\uff0fevil.example", "http://localhost/en/",
    "evil.example", "", "/%25252525252F%25252525252Fevil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_hostile_next_is_refused(client, app, target):
    f.user("r@example.org")
    response = client.post("/en/account/login", query_string={"next": target},
                           data={"email": "r@example.org", "password": f.PASSWORD})
    if "\x00" in target:  # a control character in any query parameter is refused before the view
        assert response.status_code == 400 and "Location" not in response.headers
    else:
        assert response.headers["Location"] == "/en/"


@pytest.mark.parametrize("target", ["/en/manage/", "/fr/events/summit/?kind=plenary", "/es/delegations/"])
def test_a_local_next_is_followed(client, app, target):
    f.user("r@example.org")
    response = client.post("/en/account/login", query_string={"next": target},
                           data={"email": "r@example.org", "password": f.PASSWORD})
    assert response.headers["Location"] == target


def test_login_inputs_tell_password_managers_what_they_hold(client, app):
    page = client.get("/en/account/login").get_data(as_text=True)
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*name="email"', page)
    assert re.search(r'<input[^>]*autocomplete="current-password"[^>]*name="password"', page)


def test_sign_in_still_answers_when_the_limiter_redis_is_down(tmp_path):
    """Rate limits fall back to memory while Redis is unreachable, instead of a 500 on every sign-in.
    In a process of its own: the limiter's storage belongs to the process."""
    import socket
    import subprocess
    import sys
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens there once the socket is closed
    script = (
        "from dialogue import create_app\n"
        "from dialogue.extensions import db\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite', 'WTF_CSRF_ENABLED': False,"
        " 'CELERY_BROKER_URL': 'memory://'})\n"
        "with app.app_context():\n    db.create_all()\n"
        "r = app.test_client().post('/en/account/login', data={'email': 'nobody@example.org', 'password': 'x'})\n"
        "print(r.status_code)\n")
    env = {**__import__("os").environ, "REDIS_URL": f"redis://127.0.0.1:{closed}/0", "DIALOGUE_INSTANCE": str(tmp_path),
           "SECRET_KEY": "x"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout.split()[-1]) < 500, out.stderr[-2000:]
