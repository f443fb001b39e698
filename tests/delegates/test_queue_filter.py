"""The accreditation queue's delegation filter: a name typed and matched on the server, no select box
of every delegation, usable without JavaScript; at COP scale it lists a few matches, never 2,500."""
from __future__ import annotations

import html
import re

import pytest

from dialogue.auth import grant_role
from dialogue.delegates import queries
from dialogue.extensions import db

from .. import factories as f
from . import factories as df


@pytest.fixture
def desk(app, auth):
    """An organiser signed in, an event with Niger, Nigeria, Peru and two organisations, each with nominations."""
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    made = {}
    for code in ("NE", "NG", "PE"):
        made[code] = df.delegation(ev, code, quota=50)
    made["red"] = df.delegation(ev, kind="civil_society", name="Red Ñandú de Género", quota=50)
    made["net"] = df.delegation(ev, kind="civil_society", name="Climate Network", quota=50)
    for i, d in enumerate(made.values()):
        for j in range(i + 1):
            df.delegate(d, "Ana", f"Soto{i}{j}", status="nominated", commit=False)
    db.session.commit()
    auth.login(org.email)
    return ev, made


def get(client, ev, query: str, lang: str = "en") -> str:
    response = client.get(f"/{lang}/manage/events/{ev.slug}/accreditation?status=nominated{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def queue_delegations(page: str) -> set[str]:
    table = page.split('<table id="queue">', 1)[1]
    return set(re.findall(r"</bdi>.*?</td>\s*<td>([^<]+)</td>", table, re.S))


def test_the_filter_is_a_labelled_text_field_not_a_list_of_every_delegation(client, desk):
    ev, _made = desk
    page = get(client, ev, "")
    assert '<label for="filter-delegation">Delegation</label>' in page
    assert re.search(r'<input type="search" name="delegation_name" id="filter-delegation" value=""', page)
    assert "<select" not in page.split('id="queue-filter"', 1)[1].split("</form>", 1)[0]
    assert "<option" not in page and "delegation-choices" not in page
    assert 'aria-describedby="filter-delegation-hint"' in page and 'id="filter-delegation-hint"' in page


def test_a_part_of_one_name_shows_that_delegations_queue(client, desk):
    ev, made = desk
    page = get(client, ev, "&delegation_name=PER")
    assert queue_delegations(page) == {"Peru"} and "1–3 of 3" in page
    # The field now holds the delegation's whole name, and "Show all" leads back to everyone.
    assert 'id="filter-delegation" value="Peru"' in page and "Show all" in page
    # In Spanish, without the accent: the name in the user's language.
    assert queue_delegations(get(client, ev, "&delegation_name=peru", "es")) == {"Perú"}


def test_a_whole_name_wins_over_longer_names_that_start_with_it(client, desk):
    ev, _made = desk
    assert queue_delegations(get(client, ev, "&delegation_name=niger")) == {"Niger"}
    assert queue_delegations(get(client, ev, "&delegation_name=nigeria")) == {"Nigeria"}


def test_several_matches_are_offered_as_links_with_their_numbers(client, desk):
    ev, made = desk
    page = get(client, ev, "&delegation_name=ni&q=ana")
    choices = page.split('<section id="delegation-choices"', 1)[1].split("</section>", 1)[0]
    assert "2 delegations have “ni” in their names: choose one" in choices
    links = [html.unescape(u) for u in re.findall(r'href="([^"]+)"', choices)]
    assert len(links) == 2 and all("q=ana" in u and "status=nominated" in u for u in links)
    assert f"delegation={made['NE'].id}" in links[0] and f"delegation={made['NG'].id}" in links[1]
    assert "Niger</a> <span class=\"meta\">(1)</span>" in choices and "Nigeria</a> <span class=\"meta\">(2)</span>" in choices
    # The browser may suggest them as the organiser types again (a datalist of the matches only).
    assert '<datalist id="delegation-matches"><option value="Niger"></option><option value="Nigeria"></option></datalist>' in page
    # Meanwhile the whole queue is shown.
    assert "1–15 of 15" in page
    # A link leads to that delegation's queue.
    chosen = client.get(links[1]).get_data(as_text=True)
    assert queue_delegations(chosen) == {"Nigeria"} and 'value="Nigeria"' in chosen


def test_organisation_names_match_word_starts_whatever_the_accents(client, desk):
    ev, _made = desk
    assert queue_delegations(get(client, ev, "&delegation_name=nandu genero")) == {"Red Ñandú de Género"}
    assert queue_delegations(get(client, ev, "&delegation_name=NETW")) == {"Climate Network"}
    # A word must start a word of the name.
    assert "No delegation has “etwork” in its name" in get(client, ev, "&delegation_name=etwork")


def test_no_match_says_so_and_shows_the_whole_queue(client, desk):
    ev, _made = desk
    page = get(client, ev, "&delegation_name=%3Cb%3Ezzz")
    assert "No delegation has “&lt;b&gt;zzz” in its name. The queue of every delegation is shown." in page
    assert "1–15 of 15" in page and 'value="&lt;b&gt;zzz"' in page


def test_another_events_delegation_leads_to_the_whole_queue(client, desk):
    ev, _made = desk
    other = df.delegation(f.event(), "CL")
    response = client.get(f"/en/manage/events/{ev.slug}/accreditation?status=nominated&delegation={other.id}&q=ana")
    assert response.status_code == 302 and "delegation=" not in response.headers["Location"]
    assert "q=ana" in response.headers["Location"]


def test_many_matches_show_the_first_twenty_and_how_many_more(app, client, auth):
    org, ev = f.user(), f.event()
    grant_role(org, ev, "organiser")
    db.session.commit()
    for i in range(45):
        df.delegation(ev, kind="civil_society", name=f"Red {i:02d}")
    auth.login(org.email)
    page = get(client, ev, "&delegation_name=red")
    choices = page.split('<section id="delegation-choices"', 1)[1].split("</section>", 1)[0]
    assert "45 delegations have “red” in their names" in choices
    assert choices.count("<li>") == queries.MATCHES_SHOWN == 20 and "Red 00" in choices and "Red 20" not in choices
    assert "and 25 more: type more of the name." in choices


def test_accrediting_from_a_typed_delegation_goes_back_to_it(client, desk):
    ev, made = desk
    page = get(client, ev, "&delegation_name=nigeria")
    action = html.unescape(re.search(r'action="([^"]+/accredit\?[^"]+)"', page).group(1))
    back = client.post(action).headers["Location"]
    assert "delegation_name=nigeria" in back
    assert queue_delegations(client.get(back).get_data(as_text=True)) == {"Nigeria"}
