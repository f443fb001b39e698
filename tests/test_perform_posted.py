"""The views that press one button or send one required text share actions.perform_posted: their messages on
success and on a missing text, and the 400 of a forged button, are what each view said on its own."""
import pytest

from dialogue.auth import grant_role
from dialogue.delegates import services as delegates
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.outcomes.models import KeyMessage, SessionRapporteur

from . import factories as f
from .delegates import factories as df
from .delegates.test_nominations import nominee
from .outcomes import factories as of


def _flashed(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_reject_needs_its_reason_and_says_whom_it_rejected(app, client, auth):
    ev = f.event()
    org = f.user()
    grant_role(org, ev, "organiser")
    user, d = df.focal_point(ev)
    b = delegates.nominate(d, nominee(email="b@example.org", given_name="Beto", family_name="Rojas", gender="male"),
                           user)
    db.session.commit()
    auth.login(org.email)
    url = f"/en/manage/events/{ev.slug}/delegates/{b.id}/reject"
    page = _flashed(client, client.post(url, data={"reason": " "}))
    assert "Give the reason for the rejection." in page
    assert db.session.get(Delegate, b.id).status == "nominated"
    page = _flashed(client, client.post(url, data={"reason": "Not on the official list."}))
    assert "The nomination of Beto Rojas is rejected." in page
    db.session.expire_all()
    assert db.session.get(Delegate, b.id).status == "rejected"


def test_review_buttons_say_what_they_did_and_a_forged_one_is_a_400(app, client, auth):
    ev, s, org, rap = of.setting()
    submitted = of.message(s, rap, status="submitted")
    other = of.message(s, rap, status="submitted")
    auth.login(org.email)
    base = f"/en/manage/events/{ev.slug}"
    page = _flashed(client, client.post(f"{base}/key-messages/{other.id}/return", data={"comment": ""}))
    assert "Say what should change: the comment is required." in page
    page = _flashed(client, client.post(f"{base}/key-messages/{other.id}/return", data={"comment": "Shorter."}))
    assert "The key message is returned to its rapporteurs." in page
    reviewer = f.user(name="Reviewer")
    grant_role(reviewer, ev, "organiser")
    db.session.commit()
    auth.logout()
    auth.login(reviewer.email)
    page = _flashed(client, client.post(f"{base}/key-messages/{submitted.id}/approve"))
    assert "The key message is approved." in page
    db.session.expire_all()
    assert db.session.get(KeyMessage, submitted.id).status == "approved"
    link = db.session.query(SessionRapporteur).filter_by(session_id=s.id).one()
    page = _flashed(client, client.post(f"{base}/rapporteurs/{link.id}/remove"))
    assert "The rapporteur is removed from the session." in page
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"{base}/key-messages/{other.id}/approve").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("lang, submitted, deleted", [
    ("en", "The key message is submitted for review.", "The key message is deleted."),
    ("fr", "Le message clé est soumis pour examen.", None),
])
def test_rapporteur_buttons_submit_and_delete(app, client, auth, lang, submitted, deleted):
    ev, s, org, rap = of.setting()
    draft = of.message(s, rap)
    auth.login(rap.email, lang=lang)
    base = f"/{lang}/manage/events/{ev.slug}"
    response = client.post(f"{base}/key-messages/{draft.id}/submit")
    assert response.headers["Location"].endswith(f"#s-{s.code}")
    assert submitted in _flashed(client, response)
    if deleted:
        another = of.message(s, rap)
        response = client.post(f"{base}/key-messages/{another.id}/delete")
        assert response.headers["Location"].endswith(f"#s-{s.code}")
        assert deleted in _flashed(client, response)
        assert db.session.get(KeyMessage, another.id) is None
