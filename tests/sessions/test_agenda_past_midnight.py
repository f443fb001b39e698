"""A session that runs past midnight is listed under each day it covers, in the viewer's time zone, on
the public agenda, the organisers' agenda and the agenda PDF, marked as continued; no query more."""
import re
import subprocess
from html import unescape

import pytest

from dialogue.sessions import services

from .. import factories as f
from ..workers import fetch

MARKS = {
    "fr": ("Jusqu’à 01:30 le lendemain", "Suite du lundi 12 décembre 2022"),
    "es": ("Hasta las 1:30 del día siguiente", "Continúa desde el lunes, 12 de diciembre de 2022"),
    "en": ("Until 01:30 the next day", "Continued from Monday, 12 December 2022"),
}


def _days(page: str) -> dict[str, str]:
    """{ISO day: the HTML of its section} of the public agenda."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<section class="day" aria-labelledby="d-([\d-]+)">(.*?)</section>', unescape(page), re.S)}


def _manage_days(page: str) -> list[str]:
    return re.findall(r'<section class="day">(.*?)</section>', unescape(page), re.S)


@pytest.fixture
def night(app):
    ev = f.event()
    f.session(ev, "EVE", start="2022-12-12 18:00", minutes=60)
    f.session(ev, "NIGHT", start="2022-12-12 23:00", minutes=150, room="Bar")  # to 01:30 on the 13th
    f.session(ev, "EARLY", start="2022-12-13 00:30", minutes=30, room="Hall")  # in parallel with NIGHT
    f.session(ev, "PL1", start="2022-12-13 09:00", minutes=60)
    return ev


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_the_public_agenda_lists_a_night_session_on_both_days_marked(client, night, lang):
    days = _days(client.get(f"/{lang}/events/{night.slug}/").get_data(as_text=True))
    until, since = MARKS[lang]
    first, second = days["2022-12-12"], days["2022-12-13"]
    assert 'id="s-NIGHT"' in first and 'id="s-NIGHT"' in second
    night_first = first[first.index('id="s-NIGHT"'):]
    night_second = second[second.index('id="s-NIGHT"'):second.index('id="s-EARLY"')]
    assert until in night_first
    assert since not in first
    assert since in night_second and "Until" not in night_second
    # first on the 13th, in parallel with EARLY (they overlap), before PL1
    assert second.index('id="s-NIGHT"') < second.index('id="s-EARLY"') < second.index('id="s-PL1"')
    parallel = re.search(r'<div class="parallel".*?</div>\s*</div>', second, re.S).group(0)
    assert 'id="s-NIGHT"' in parallel and 'id="s-EARLY"' in parallel
    assert "s-EVE" not in second and "s-PL1" not in first


def test_the_days_are_the_viewer_s_time_zone(client, night):
    # 15:00-18:00 in Zurich is 23:00-02:00 in Tokyo: one day at the venue, two for this viewer
    f.session(night, "LATE", start="2022-12-12 15:00", minutes=180)
    venue = _days(client.get(f"/en/events/{night.slug}/").get_data(as_text=True))
    assert 'id="s-LATE"' in venue["2022-12-12"] and 'id="s-LATE"' not in venue["2022-12-13"]
    tokyo = _days(client.get(f"/en/events/{night.slug}/?tz=Asia/Tokyo").get_data(as_text=True))
    assert 'id="s-LATE"' in tokyo["2022-12-12"] and 'id="s-LATE"' in tokyo["2022-12-13"]
    assert "Continued from Monday, 12 December 2022" in tokyo["2022-12-13"]
    # NIGHT (07:00-09:30 in Tokyo) is on one day there
    assert sum('id="s-NIGHT"' in page for page in tokyo.values()) == 1


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_the_organisers_agenda_lists_it_on_both_days(client, auth, lang):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    f.session(ev, "NIGHT", start="2022-12-12 23:00", minutes=150, room="Bar")
    f.session(ev, "PL1", start="2022-12-13 09:00", minutes=60)
    auth.login(org.email)
    first, second = _manage_days(client.get(f"/{lang}/manage/events/{ev.slug}/").get_data(as_text=True))
    until, since = MARKS[lang]
    assert 'id="s-NIGHT"' in first and 'id="s-NIGHT"' in second
    assert until in first and since not in first
    assert since in second and second.index('id="s-NIGHT"') < second.index('id="s-PL1"')


def test_a_session_over_days_is_on_each_and_one_ending_at_midnight_is_not_on_the_next(app):
    ev = f.event()
    expo = f.session(ev, "EXPO", start="2022-12-12 18:00", minutes=48 * 60)  # to the 14th, 18:00
    late = f.session(ev, "LATE", start="2022-12-12 23:00", minutes=60)  # to midnight sharp
    days = services.by_day(services.agenda(ev), ev.timezone)
    assert [str(d.day) for d in days] == ["2022-12-12", "2022-12-13", "2022-12-14"]
    assert [[s.code for slot in d.slots for s in slot] for d in days] == [["EXPO", "LATE"], ["EXPO"], ["EXPO"]]
    middle = days[1]
    assert str(middle.continued_from(expo)) == "2022-12-12" and str(middle.continues_until(expo)) == "2022-12-14"
    assert days[0].continues_until(late) is None and days[0].continued_from(expo) is None
    assert days[2].continues_until(expo) is None


def test_the_marks_say_the_day_when_it_is_not_the_next(client, app):
    ev = f.event()
    f.session(ev, "EXPO", start="2022-12-12 18:00", minutes=48 * 60)
    first = _days(client.get(f"/en/events/{ev.slug}/").get_data(as_text=True))["2022-12-12"]
    assert re.search(r"Until 18:00 on Wednesday, 14 December 2022", first)


def test_no_query_more_and_the_cached_page_keeps_the_marks(client, app, auth, count_queries, page_queries):
    org = f.user("org@example.org")
    plain, night = f.event(organiser=org), f.event(organiser=org)
    for ev in (plain, night):
        f.session(ev, "PL1", start="2022-12-12 09:00")
    f.session(night, "NIGHT", start="2022-12-12 23:00", minutes=150)
    assert page_queries(f"/en/events/{plain.slug}/") == page_queries(f"/en/events/{night.slug}/")
    # the cached copy (no query beyond the event's head) still lists it twice, marked
    with count_queries() as counter:
        cached = client.get(f"/en/events/{night.slug}/").get_data(as_text=True)
    assert counter.count <= 1
    assert cached.count('id="s-NIGHT"') == 2 and "Continued from Monday, 12 December 2022" in cached
    auth.login(org.email)
    assert page_queries(f"/en/manage/events/{plain.slug}/") == page_queries(f"/en/manage/events/{night.slug}/")


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "agenda.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_the_agenda_pdf_lists_it_on_both_days(jobs, client, night, tmp_path, lang):
    text = _pdf_text(fetch(client, jobs, f"/{lang}/events/{night.slug}/agenda.pdf").data, tmp_path)
    flat = re.sub(r"\s+", " ", text)
    until, since = MARKS[lang]
    (tmp_path / f"agenda-{lang}.txt").write_text(text)
    rows = re.findall(r"\b(EVE|NIGHT|EARLY|PL1) \S+ \1\b", flat)  # code, then the title "Session NIGHT"
    assert rows == ["EVE", "NIGHT", "NIGHT", "EARLY", "PL1"], flat
    # pdftotext puts the cells of a row side by side: the words of each mark are all there
    for mark in (until, since):
        assert all(word in flat for word in mark.split()), (mark, flat)
