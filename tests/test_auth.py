"""Accounts: login, throttling, invitation links, the create-user command."""
import re

from dialogue.auth import invitation_token
from dialogue.extensions import db
from dialogue.models import User

from . import factories as f


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


def test_repeated_failures_lock_the_account_for_a_while(client, app, auth):
    u = f.user("target@example.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login("target@example.org", "guess")
    response = auth.login("target@example.org")  # right password, but locked
    assert response.status_code == 401
    assert "Too many failed attempts" in response.get_data(as_text=True)
    db.session.refresh(u)
    assert u.locked_until is not None


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


def test_open_redirect_after_login_is_refused(client, app, auth):
    f.user("r@example.org")
    response = client.post("/en/account/login?next=//evil.example/x", data={"email": "r@example.org", "password": f.PASSWORD})
    assert response.headers["Location"] in ("/en/", "http://localhost/en/")
