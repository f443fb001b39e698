"""Sessions typed in the hour the clocks skip, or in the hour they show twice (Europe/Paris, 2024)."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.sessions import localtime
from dialogue.sessions.models import MeetingSession

from .. import factories as f

SPRING = "2024-03-31"  # 02:00 -> 03:00
AUTUMN = "2024-10-27"  # 03:00 -> 02:00


def _form(day, start, end, **extra):
    return {"code": "WS1", "kind": "working", "original_language": "en", "title-en": "Night session",
            "starts_at": f"{day}T{start}", "ends_at": f"{day}T{end}", **extra}


@pytest.fixture
def paris(client, auth):
    org = f.user()
    ev = f.event(tz="Europe/Paris", starts=date(2024, 3, 30), ends=date(2024, 10, 28), organiser=org)
    auth.login(org.email)
    return ev


def _post(client, ev, data, lang="en", code=None):
    url = f"/{lang}/manage/events/{ev.slug}/sessions/" + (f"{code}/edit" if code else "new")
    response = client.post(url, data=data)
    return response, response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


def _stored():
    return db.session.scalar(select(MeetingSession))


@pytest.mark.parametrize("lang,message", [
    ("en", "02:30 does not exist on 31 March 2024 in Europe/Paris: the clocks go forward from 02:00 to 03:00."),
    ("fr", "02:30 n’existe pas le 31 mars 2024 dans le fuseau Europe/Paris : les horloges avancent de 02:00 à 03:00."),
    ("es", ("La hora 2:30 no existe el 31 de marzo de 2024 en la zona horaria Europe/Paris: los relojes se adelantan "
            "de 2:00 a 3:00.")),
])
def test_a_start_in_the_skipped_hour_is_refused_naming_the_gap(app, client, paris, lang, message):
    response, page = _post(client, paris, _form(SPRING, "02:30", "03:30"), lang)
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="starts_at-err">([^<]*)</p>', page).group(1) == message
    assert _stored() is None


def test_an_end_in_the_skipped_hour_is_refused_on_the_end(app, client, paris):
    response, page = _post(client, paris, _form(SPRING, "01:30", "02:15"))
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="ends_at-err">([^<]*)</p>', page).group(1)
    assert error == "02:15 does not exist on 31 March 2024 in Europe/Paris: the clocks go forward from 02:00 to 03:00."
    assert _stored() is None


def test_the_hour_after_the_gap_is_a_one_hour_session(app, client, paris):
    response, _page = _post(client, paris, _form(SPRING, "01:30", "03:30"))
    assert response.status_code == 302
    s = _stored()
    assert (s.starts_at, s.ends_at) == (datetime(2024, 3, 31, 0, 30), datetime(2024, 3, 31, 1, 30))


def test_a_start_the_clocks_show_twice_asks_which_one_then_stores_it(app, client, paris):
    response, page = _post(client, paris, _form(AUTUMN, "02:30", "03:30"))
    assert response.status_code == 422
    assert ("02:30 happens twice on 27 October 2024 in Europe/Paris: the clocks go back from 03:00 to 02:00. "
            "Choose which 02:30 you mean.") in page
    assert '<option value="0">the first (UTC+2)</option>' in page
    assert '<option value="1">the second (UTC+1)</option>' in page
    assert 'name="ends_at_fold"' not in page  # 03:30 happens once
    assert _stored() is None
    # The second 02:30 is 01:30 UTC: a session of one hour.
    response, _page = _post(client, paris, _form(AUTUMN, "02:30", "03:30", starts_at_fold="1"))
    assert response.status_code == 302
    s = _stored()
    assert (s.starts_at, s.ends_at - s.starts_at) == (datetime(2024, 10, 27, 1, 30), timedelta(hours=1))


def test_the_first_reading_makes_a_two_hour_session(app, client, paris):
    response, _page = _post(client, paris, _form(AUTUMN, "02:30", "03:30", starts_at_fold="0"))
    assert response.status_code == 302
    s = _stored()
    assert (s.starts_at, s.ends_at - s.starts_at) == (datetime(2024, 10, 27, 0, 30), timedelta(hours=2))


def test_start_and_end_in_the_repeated_hour_compare_as_moments(app, client, paris):
    """02:40 (first) to 02:10 (second) is thirty minutes, though 02:10 reads earlier on the clock."""
    data = _form(AUTUMN, "02:40", "02:10", starts_at_fold="0", ends_at_fold="1")
    response, _page = _post(client, paris, data)
    assert response.status_code == 302
    s = _stored()
    assert s.ends_at - s.starts_at == timedelta(minutes=30)
    response, page = _post(client, paris, data | {"code": "WS2", "ends_at_fold": "0"})
    assert response.status_code == 422 and "ends before it starts" in page


def test_a_session_in_the_repeated_hour_edits_with_its_choice_and_saves_again(app, client, paris):
    assert _post(client, paris, _form(AUTUMN, "02:30", "02:45", starts_at_fold="1", ends_at_fold="1"))[0].status_code == 302
    stored = (_stored().starts_at, _stored().ends_at)
    page = client.get(f"/en/manage/events/{paris.slug}/sessions/WS1/edit").get_data(as_text=True)
    assert '<option selected value="1">the second (UTC+1)</option>' in page
    assert 'value="2024-10-27T02:30"' in page
    response, _page = _post(client, paris, _form(AUTUMN, "02:30", "02:45", starts_at_fold="1", ends_at_fold="1"),
                            code="WS1")
    assert response.status_code == 302
    db.session.expire_all()
    assert (_stored().starts_at, _stored().ends_at) == stored


def test_choices_are_translated(app, client, paris):
    _response, page = _post(client, paris, _form(AUTUMN, "02:30", "03:30"), "es")
    assert "La hora 2:30 se repite el 27 de octubre de 2024 en la zona horaria Europe/Paris" in page
    assert '<option value="1">la segunda (UTC+1)</option>' in page
    _response, page = _post(client, paris, _form(AUTUMN, "02:30", "03:30"), "fr")
    assert "02:30 existe deux fois le 27 octobre 2024 dans le fuseau Europe/Paris" in page
    assert '<option value="0">la première (UTC+2)</option>' in page


@pytest.mark.parametrize("tz,local,kind,change", [
    ("Europe/Paris", datetime(2024, 3, 31, 2, 0), "gap", ("02:00", "03:00")),
    ("Europe/Paris", datetime(2024, 10, 27, 2, 59), "twice", ("03:00", "02:00")),
    ("America/Santiago", datetime(2024, 9, 8, 0, 30), "gap", ("00:00", "01:00")),
    ("Australia/Lord_Howe", datetime(2024, 10, 6, 2, 15), "gap", ("02:00", "02:30")),
    ("Australia/Lord_Howe", datetime(2024, 4, 7, 1, 45), "twice", ("02:00", "01:30")),
])
def test_gaps_and_repeats_found_in_other_zones(app, tz, local, kind, change):
    assert localtime.exists(local, tz) is (kind != "gap")
    assert localtime.is_ambiguous(local, tz) is (kind == "twice")
    before, after = localtime.transition(local, tz)
    assert (before.strftime("%H:%M"), after.strftime("%H:%M")) == change


def test_ordinary_times_need_no_choice_and_round_trip(app):
    for local in (datetime(2024, 3, 31, 1, 59), datetime(2024, 3, 31, 3, 0), datetime(2024, 10, 27, 3, 0),
                  datetime(2024, 7, 1, 12, 0)):
        utc = localtime.to_utc(local, "Europe/Paris")
        assert localtime.to_local(utc, "Europe/Paris") == local
    with pytest.raises(localtime.AmbiguousTime):
        localtime.to_utc(datetime(2024, 10, 27, 2, 30), "Europe/Paris")
    second = localtime.to_utc(datetime(2024, 10, 27, 2, 30), "Europe/Paris", fold=1)
    assert localtime.to_local(second, "Europe/Paris").fold == 1
