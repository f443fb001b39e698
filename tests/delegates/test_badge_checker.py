"""Door staff: organisers invite badge checkers, who open the page a badge's QR code leads to (name as
printed, delegation, photo, valid or not) and nothing else of the event; visitors only get the sign-in page."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from dialogue.auth import grant_role
from dialogue.delegates import photos
from dialogue.extensions import db
from dialogue.models import EventRole, OutboxMessage, User
from dialogue.permissions import can_check_badges, can_organise

from .. import factories as f
from . import factories as df

SECRET_EMAIL = "rosa.private@example.org"
#: What the check page says, in each language, for a valid, a withdrawn and an unknown badge.
WORDS = {"fr": ("Badge valide", "n’est plus valable", "n’est pas valide", "Délégation"),
         "es": ("Credencial válida", "ya no es válida", "no es válida", "Delegación"),
         "en": ("Valid badge", "no longer valid", "is not valid", "Delegation")}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def door(app):
    ev, other = f.event(), f.event()
    org, checker, elsewhere = f.user(), f.user(), f.user()
    grant_role(org, ev, "organiser")
    grant_role(checker, ev, "badge_checker")
    grant_role(elsewhere, other, "badge_checker")
    fp, peru = df.focal_point(ev, "PE")
    rosa = df.delegate(peru, "Rosa", "Huamán", status="accredited", email=SECRET_EMAIL)
    photos.attach(rosa, jpeg(), org)
    gone = df.delegate(peru, "Luis", "Quispe", status="withdrawn")
    gone.badge_code = "withdrawn-code"
    pending = df.delegate(peru, "Ana", "Mamani", status="nominated")
    pending.badge_code = "pending-code"
    db.session.commit()
    return {"event": ev, "org": org, "checker": checker, "elsewhere": elsewhere, "fp": fp, "peru": peru,
            "rosa": rosa, "gone": gone, "pending": pending}


def check_url(w, code, lang="en"):
    return f"/{lang}/manage/events/{w['event'].slug}/badges/{code}"


def test_the_rule(app, door):
    ev = door["event"]
    assert can_check_badges(door["org"], ev) and can_check_badges(door["checker"], ev)
    assert not can_check_badges(door["elsewhere"], ev) and not can_check_badges(door["fp"], ev)
    assert not can_check_badges(None, ev) and can_check_badges(f.user(admin=True), ev)
    assert not can_organise(door["checker"], ev)  # checking badges gives no other right


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_a_checker_sees_name_delegation_photo_and_validity(app, client, auth, door, lang):
    valid, withdrawn, invalid, delegation = WORDS[lang]
    auth.login(door["checker"].email, lang=lang)
    ok = client.get(check_url(door, door["rosa"].badge_code, lang))
    page = ok.get_data(as_text=True)
    assert ok.status_code == 200 and valid in page and delegation in page
    assert "Rosa HUAMÁN" in page and re.search(r'<img class="badge-check-photo" src="data:image/jpeg;base64,', page)
    assert SECRET_EMAIL not in page and ok.headers["Cache-Control"] == "no-store"
    gone = client.get(check_url(door, "withdrawn-code", lang))
    assert gone.status_code == 404 and withdrawn in gone.get_data(as_text=True)
    assert "QUISPE" not in gone.get_data(as_text=True)
    for code in ("pending-code", "forged"):
        refused = client.get(check_url(door, code, lang)).get_data(as_text=True)
        assert invalid in refused and "MAMANI" not in refused and "data:image" not in refused


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_who_may_not_check(app, client, auth, door, lang):
    url = check_url(door, door["rosa"].badge_code, lang)
    # Anonymous: the sign-in page, the same for a real and a forged code (no oracle of who is accredited).
    real, forged = client.get(url), client.get(check_url(door, "forged", lang))
    assert real.status_code == forged.status_code == 302
    assert "/account/login" in real.headers["Location"] and "/account/login" in forged.headers["Location"]
    for who in ("elsewhere", "fp"):
        auth.login(door[who].email, lang=lang)
        for code in (door["rosa"].badge_code, "forged"):
            refused = client.get(check_url(door, code, lang))
            assert refused.status_code == 403 and "HUAMÁN" not in refused.get_data(as_text=True)
        auth.logout()
    auth.login(door["org"].email, lang=lang)
    assert client.get(url).status_code == 200


def _pages(app, values):
    """Every GET page of the app whose address names an event (built from `values`)."""
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and "slug" in rule.arguments and rule.arguments <= set(values):
            try:
                yield rule, rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
            except ValueError:  # a converter that takes other values (fmt): the walk needs no more
                continue


def answer(response):
    """A refusal by its status; any other answer (a page, a file, "being made") as "shown"."""
    return response.status_code if response.status_code >= 400 else "shown"


def test_a_checker_opens_nothing_else_of_the_event(app, client, auth, door):
    """Each page of the event answers a badge checker exactly as it answers someone with no role."""
    ev, peru, rosa = door["event"], door["peru"], door["rosa"]
    values = {"lang": "en", "slug": ev.slug, "delegation_id": peru.id, "delegate_id": rosa.id, "fmt": "xlsx",
              "code": rosa.badge_code, "id": peru.id}
    stranger = f.user()
    seen = {}
    auth.login(stranger.email)
    for rule, path in _pages(app, values):
        seen[rule.endpoint] = answer(client.get(path))
    auth.logout()
    auth.login(door["checker"].email)
    checked = 0
    for rule, path in _pages(app, values):
        response = client.get(path)
        if rule.endpoint in ("delegates_manage.verify_badge", "delegates_manage.check_badge"):
            assert response.status_code == 200 and seen[rule.endpoint] == 403
            continue
        assert answer(response) == seen[rule.endpoint], (rule.endpoint, response.status_code)
        assert SECRET_EMAIL.encode() not in response.data, rule.endpoint
        checked += 1
    assert checked >= 40 and {"delegates_manage.participants", "manage.team", "delegates.delegation"} <= set(seen)


def test_organisers_invite_a_badge_checker_from_the_team_page(app, client, auth, door):
    ev = door["event"]
    auth.login(door["org"].email, lang="es")
    form = client.get(f"/es/manage/events/{ev.slug}/team").get_data(as_text=True)
    assert "Control de credenciales: verifica las credenciales en la entrada" in form
    sent = client.post(f"/es/manage/events/{ev.slug}/team", data={
        "email": "puerta@example.org", "name": "Puerta", "role": "badge_checker", "language": "es"})
    assert sent.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "puerta@example.org"))
    roles = db.session.scalars(select(EventRole.role).where(EventRole.user_id == user.id)).all()
    assert roles == ["badge_checker"] and can_check_badges(user, ev) and not can_organise(user, ev)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "puerta@example.org"))
    assert "agente de control de credenciales" in mail.body and "código QR" in mail.body
    team = client.get(f"/es/manage/events/{ev.slug}/team").get_data(as_text=True)
    assert "puerta@example.org" in team and "agente de control de credenciales" in team
    # Without a role, the form invites an organiser, as it always did.
    client.post(f"/es/manage/events/{ev.slug}/team", data={"email": "co@example.org", "language": "es"})
    co = db.session.scalar(select(User).where(User.email == "co@example.org"))
    assert can_organise(co, ev)
    refused = client.post(f"/es/manage/events/{ev.slug}/team", data={
        "email": "x@example.org", "role": "admin", "language": "es"})
    assert refused.status_code == 422 and db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_a_badge_checker_cannot_invite(app, client, auth, door):
    auth.login(door["checker"].email)
    response = client.post(f"/en/manage/events/{door['event'].slug}/team", data={
        "email": "friend@example.org", "role": "badge_checker", "language": "en"})
    assert response.status_code == 403
    assert db.session.scalar(select(User).where(User.email == "friend@example.org")) is None


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_a_checker_finds_the_door_page_on_my_work_and_types_a_code_there(app, client, auth, door, lang):
    ev, rosa = door["event"], door["rosa"]
    auth.login(door["checker"].email)
    tasks = client.get(f"/{lang}/manage/").get_data(as_text=True)
    form_url = f"/{lang}/manage/events/{ev.slug}/badges/"
    assert f'href="{form_url}"' in tasks
    page = client.get(form_url)
    assert page.status_code == 200 and 'name="code"' in page.get_data(as_text=True)
    # Typed as printed, in groups: the spaces go, the check opens.
    spaced = " ".join(rosa.badge_code[i:i + 4] for i in range(0, len(rosa.badge_code), 4))
    typed = client.get(form_url, query_string={"code": spaced})
    assert typed.status_code == 303 and typed.headers["Location"].endswith(check_url(door, rosa.badge_code, lang))
    check = client.get(typed.headers["Location"]).get_data(as_text=True)
    assert WORDS[lang][0] in check and f'href="{form_url}"' in check  # and back to the form for the next one
    # A code longer than any badge's is refused on the form, with what was typed kept.
    long = client.get(form_url, query_string={"code": "X" * 40})
    body = long.get_data(as_text=True)
    assert long.status_code == 422 and 'value="' + "X" * 40 + '"' in body and 'aria-invalid="true"' in body
    assert "32" in body


def test_the_door_page_is_for_checkers_and_organisers_only(app, client, auth, door):
    form_url = f"/en/manage/events/{door['event'].slug}/badges/"
    assert client.get(form_url).status_code == 302  # visitors: the sign-in page
    for who in ("fp", "elsewhere"):
        auth.login(door[who].email)
        assert client.get(form_url).status_code == 403
        assert f'href="{form_url}"' not in client.get("/en/manage/").get_data(as_text=True)
    auth.login(door["org"].email)
    assert client.get(form_url).status_code == 200
