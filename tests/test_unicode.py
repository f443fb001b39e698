"""Text typed by people comes in NFC: "Jose\u0301" (combining accent) and "José" are the same."""
import re
import unicodedata

from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField, TextAreaField

from dialogue.delegates import api
from dialogue.delegates.models import Delegate
from dialogue.extensions import db
from dialogue.forms import NFCForm, NFCSubForm
from dialogue.sessions.models import MeetingSession
from dialogue.sessions.services import conflicts

from . import factories as f
from .delegates import factories as df

DECOMPOSED = "Jose\u0301"  # what some keyboards and macOS send for "José"
COMPOSED = "José"


def test_decomposed_and_composed_differ_until_normalised():
    assert DECOMPOSED != COMPOSED and unicodedata.normalize("NFC", DECOMPOSED) == COMPOSED


def test_text_fields_of_forms_come_in_nfc_but_passwords_stay_as_typed(app):
    class Sub(NFCSubForm):
        note = TextAreaField()

    class Probe(NFCForm):
        name = StringField(filters=[str.strip])
        secret = PasswordField()

    with app.test_request_context(method="POST"):
        form = Probe(MultiDict({"name": f"  {DECOMPOSED} ", "secret": DECOMPOSED}), meta={"csrf": False})
        sub = Sub(MultiDict({"note": DECOMPOSED}))
    assert form.name.data == COMPOSED  # the field's own filter ran too
    assert form.secret.data == DECOMPOSED
    assert sub.note.data == COMPOSED


def test_nomination_form_stores_nfc_and_the_email_check_agrees(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    auth.login(user.email)
    url = f"/en/events/{ev.slug}/delegations/{d.id}/delegates/new"
    data = {"given_name": DECOMPOSED, "family_name": "Nu\u0301n\u0303ez", "email": "jose\u0301@example.org",
            "role": "member", "gender": "male", "attendance": "in_person", "salutation": "mr"}
    assert client.post(url, data=data).status_code == 302
    delegate = db.session.scalar(select(Delegate))
    assert (delegate.given_name, delegate.family_name, delegate.email) == (COMPOSED, "Núñez", "josé@example.org")
    again = client.post(url, data=data | {"given_name": COMPOSED, "email": "josé@example.org"})
    assert again.status_code == 422
    assert "already registered for this event" in again.get_data(as_text=True)


def test_api_stores_nfc_and_the_email_check_agrees(app, client):
    ev = f.event()
    user, d = df.focal_point(ev, quota=5)
    _token, secret = api.create_token(user, "ministry")
    db.session.commit()
    base, headers = f"/api/v1/events/{ev.slug}/delegations/{d.id}/delegates", {"Authorization": f"Bearer {secret}"}
    created = client.post(base, headers=headers, json={"given_name": DECOMPOSED, "family_name": "Pérez",
                                                       "email": "josé@example.org"})
    assert created.status_code == 201 and created.json["given_name"] == COMPOSED
    clash = client.post(base, headers=headers, json={"given_name": COMPOSED, "family_name": "Pérez",
                                                     "email": "jose\u0301@example.org"})
    assert clash.status_code in (409, 422) and clash.json["field"] == "email"


def test_session_people_and_titles_come_in_nfc_and_conflicts_see_one_person(app, client, auth):
    org = f.user()
    ev = f.event(organiser=org)
    f.session(ev, "PL1", start="2022-12-13 14:00", room="Sala 2", people=[("chair", f"{COMPOSED} Pérez", "")])
    auth.login(org.email)
    form = {
        "code": "WS1", "kind": "working", "original_language": "es", "title-es": f"Diálogo con {DECOMPOSED}",
        "starts_at": "2022-12-13T14:30", "ends_at": "2022-12-13T15:30", "room": "Sala 2",
        "people-0-role": "speaker", "people-0-name": f"{DECOMPOSED} Pe\u0301rez"}
    warned = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data=form)
    assert warned.status_code == 409 and "is also on PL1" in warned.get_data(as_text=True)
    signature = re.search(r'name="save_anyway" value="(\w+)"', warned.get_data(as_text=True)).group(1)
    response = client.post(f"/en/manage/events/{ev.slug}/sessions/new", data={**form, "save_anyway": signature})
    assert response.status_code == 302, response.get_data(as_text=True)
    s = db.session.scalar(select(MeetingSession).where(MeetingSession.code == "WS1"))
    assert s.title["es"] == f"Diálogo con {COMPOSED}" and s.people[0].name == f"{COMPOSED} Pérez"
    assert sorted(c.kind for c in conflicts(ev)) == ["person", "room"]
