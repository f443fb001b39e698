"""One plain test per class of input that used to answer 500: each fails without its fix."""
from __future__ import annotations

from flask import request_started
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from dialogue.delegates.models import Delegation
from dialogue.extensions import db
from dialogue.models import User
from dialogue.validation import IdConverter

from .conftest import ROLES, SLUG, signed_in

HUGE = "99999999999999999999"


def test_no_route_uses_an_unbounded_integer(demo):
    """Every number in a URL goes through the `id` converter (1..2^31-1), never werkzeug's `int`."""
    for rule in demo.url_map.iter_rules():
        for converter in (rule._converters or {}).values():
            assert not isinstance(converter, IntegerConverter) or isinstance(converter, IdConverter), rule.rule


def test_ids_beyond_the_database_integer_are_404(demo, token):
    client = signed_in(demo, None)
    for number in ("2147483648", HUGE, "0"):
        assert client.get(f"/en/events/{SLUG}/outcome/v{number}.pdf").status_code == 404
    secret, _delegation = token
    response = client.get(f"/api/v1/events/{SLUG}/delegations/{HUGE}/delegates", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404 and response.json["status"] == 404


def test_huge_numbers_in_query_parameters_are_ignored(demo):
    client = signed_in(demo, "organiser")
    page = client.get(f"/en/manage/events/{SLUG}/accreditation", query_string={"delegation": HUGE, "page": HUGE})
    assert page.status_code == 200
    assert client.get(f"/en/manage/events/{SLUG}/accreditation", query_string={"page": "-3"}).status_code == 200


def test_a_400_digit_quota_is_a_field_error(demo):
    client = signed_in(demo, "organiser")
    page = client.post(f"/fr/manage/events/{SLUG}/delegations/", data={"kind": "other", "name": "Fuzz", "quota": "9" * 400})
    assert page.status_code in (200, 422) and 'class="error"' in page.get_data(as_text=True)
    assert db.session.scalar(select(Delegation).where(Delegation.name == "Fuzz")) is None


def test_a_one_megabyte_title_is_refused_with_a_message(demo):
    client = signed_in(demo, "organiser")
    page = client.post(f"/en/manage/events/{SLUG}/sessions/new", data={
        "code": "BIG", "kind": "plenary", "original_language": "en", "title-en": "x" * 1_000_000,
        "starts_at": "2022-12-12T09:00", "ends_at": "2022-12-12T10:00"})
    assert page.status_code == 422
    assert "Field cannot be longer than 500 characters." in page.get_data(as_text=True)


def test_dates_out_of_range_are_field_errors(demo):
    client = signed_in(demo, "organiser")
    page = client.post(f"/es/manage/events/{SLUG}/sessions/new", data={
        "code": "OLD", "kind": "plenary", "original_language": "en", "title-en": "Old",
        "starts_at": "0001-01-01T00:00", "ends_at": "9999-12-31T23:59"})
    assert page.status_code == 422
    assert "Indique una fecha entre los años 1900 y 2200." in page.get_data(as_text=True)


def test_control_characters_are_refused_with_a_translated_400(demo):
    client = signed_in(demo, "organiser")
    page = client.post(f"/fr/manage/events/{SLUG}/sessions/new", data={"code": "N\x00L", "title-fr": "a\x00b"})
    assert page.status_code == 400
    assert "caractères qui ne peuvent pas être enregistrés" in page.get_data(as_text=True)
    assert client.get(f"/en/events/{SLUG}/", query_string={"tz": "Europe/Zurich\x00"}).status_code == 400


def test_bad_json_bodies_get_a_json_400(demo, token):
    client = signed_in(demo, None)
    secret, delegation = token
    url = f"/api/v1/events/{SLUG}/delegations/{delegation}/delegates"
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    for body in ("[" * 100_000 + "]" * 100_000, "{", '{"given_name": "\\ud800", "family_name": "x", "email": "a@example.org"}',
                 '{"given_name": "a\\u0000", "family_name": "x", "email": "a@example.org"}', "NaN"):
        response = client.post(url, data=body, headers=headers)
        assert response.status_code == 400, (body[:40], response.status_code)
        assert response.json["status"] == 400 and response.json["error"]
    big = '{"function": "' + "x" * 300_000 + '"}'
    assert client.post(url, data=big, headers=headers).status_code == 413


def test_405_names_the_allowed_methods(demo):
    client = signed_in(demo, None)
    page = client.post(f"/en/events/{SLUG}/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]
    api = client.delete("/api/v1/events")
    assert api.status_code == 405 and "GET" in api.headers["Allow"] and api.json["status"] == 405


def test_the_error_page_renders_after_a_database_error(demo):
    """A real IntegrityError inside a request: the styled 500 page, in the page's language, signed in."""
    client = signed_in(demo, "organiser")

    def duplicate_user(sender, **extra):
        db.session.add(User(email=ROLES["organiser"], name="Twin"))
        db.session.flush()  # the unique email: IntegrityError from the database itself

    demo.config["PROPAGATE_EXCEPTIONS"] = False
    request_started.connect(duplicate_user, demo)
    try:
        page = client.get(f"/fr/events/{SLUG}/")
    finally:
        request_started.disconnect(duplicate_user, demo)
        demo.config["PROPAGATE_EXCEPTIONS"] = None
    assert page.status_code == 500
    html = page.get_data(as_text=True)
    assert '<html lang="fr">' in html and "Une erreur s'est produite de notre côté" in html
    assert "Se déconnecter" in html  # the page could still load the signed-in user
    assert db.session.scalars(select(User).where(User.name == "Twin")).first() is None


def test_job_ids_and_queue_cursors_beyond_the_database_integer_are_harmless(demo):
    """The job pages take `id`s; the accreditation queue's ?after=/?before= and the delegation's ?page= are ignored."""
    client = signed_in(demo, "organiser")
    for number in ("2147483648", HUGE, "0"):
        assert client.get(f"/en/jobs/{number}").status_code == 404
        assert client.get(f"/en/jobs/{number}.json").status_code == 404
    queue = f"/en/manage/events/{SLUG}/accreditation"
    for cursor in (HUGE, "-1", "x", "١٢"):
        assert client.get(queue, query_string={"after": cursor}).status_code == 200
        assert client.get(queue, query_string={"before": cursor, "q": "é" * 300}).status_code == 200
    delegation = db.session.scalar(select(Delegation.id).limit(1))
    page = client.get(f"/en/events/{SLUG}/delegations/{delegation}/", query_string={"page": HUGE})
    assert page.status_code == 200


def test_an_over_long_password_is_a_field_error_before_any_hashing(demo):
    client = signed_in(demo, None)
    page = client.post("/en/account/login", data={"email": ROLES["organiser"], "password": "p" * 100_000})
    assert page.status_code == 200 and "Field cannot be longer than 200 characters." in page.get_data(as_text=True)
