"""Long lists at COP scale: participants, a delegation and the accreditation queue come a hundred at a
time, in a fixed number of queries, searchable by name whatever the accents, case or script."""
from __future__ import annotations

import html
import re

import pytest

from dialogue.delegates import queries, services, views
from dialogue.extensions import db

from .. import factories as f
from . import factories as df

GIVEN = ("José", "María", "Zoë", "Ñuño", "Ana", "Łukasz", "Émile", "丽")
FAMILY = ("Pérez", "Núñez", "Nuñez", "Nunez", "Muñoz", "Munro", "Ávila", "Zapata", "王", "Ødegaard", "Oca", "Nzé")


def crowd(d, n: int, *, status="accredited", offset=0) -> None:
    """n delegates with names that test the alphabet: accents, ñ, other scripts, heads and members."""
    for i in range(offset, offset + n):
        df.delegate(d, GIVEN[i % len(GIVEN)], FAMILY[(i * 7) % len(FAMILY)], status=status,
                    role="head" if i == offset else ("member", "adviser", "alternate")[i % 3], commit=False)
    db.session.commit()


def text_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


def row_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="delegate-(\d+)"', page)]


# --- a fixed number of queries whatever the size ---------------------------------------------------

def _build(ev, delegations: int, each: int, status="accredited") -> list:
    made = []
    for code in ("PE", "PL", "PA", "EG", "AE", "US", "ES", "EC", "CH", "DE")[:delegations]:
        d = df.delegation(ev, code, quota=1000)
        crowd(d, each, status=status)
        made.append(d)
    return made


@pytest.mark.parametrize("suffix", ["", "?page=2", "?q=jose", "?q=nunez&page=2"])
def test_participants_page_takes_the_same_queries_for_30_and_300_delegates(app, client, auth, count_queries, suffix):
    org = f.user()
    small, large = f.event(organiser=org), f.event(organiser=org)
    _build(small, 3, 10)
    _build(large, 10, 30)
    auth.login(org.email)
    counts = []
    for ev in (small, large):
        with count_queries() as counter:
            text_of(client.get(f"/en/manage/events/{ev.slug}/participants{suffix}"))
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 6


@pytest.mark.parametrize("suffix", ["", "?page=2", "?q=jose"])
def test_delegation_page_takes_the_same_queries_for_30_and_300_delegates(app, client, auth, count_queries, suffix):
    ev = f.event()
    sessions = [f.session(ev, f"W{i}") for i in range(2)]
    counts = []
    for size, code in ((30, "PE"), (300, "CL")):
        user, d = df.focal_point(ev, code, quota=1000)
        crowd(d, size, status="nominated")
        for x in d.delegates:
            x.registrations = [services.SessionRegistration(session=s) for s in sessions]
        db.session.commit()
        auth.logout()
        auth.login(user.email)
        with count_queries() as counter:
            text_of(client.get(f"/en/events/{ev.slug}/delegations/{d.id}/{suffix}"))
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 10


@pytest.mark.parametrize("suffix", ["", "&q=jose", "&delegation={d}", "&after={after}", "&delegation_name=pol",
                                    "&delegation_name=p&q=jose"])
def test_accreditation_queue_takes_the_same_queries_for_30_and_300_nominations(app, client, auth, count_queries,
                                                                                suffix):
    org = f.user()
    auth.login(org.email)
    counts = []
    for size in (30, 300):
        ev = f.event(organiser=org)
        d = _build(ev, 3, size // 3, status="nominated")[1]
        after = sorted(x.id for x in d.delegates)[5]
        with count_queries() as counter:
            text_of(client.get(f"/en/manage/events/{ev.slug}/accreditation?status=nominated"
                               + suffix.format(d=d.id, after=after)))
        counts.append(counter.count)
    # 8: one of them lists the substitutions and withdrawals waiting (changes_queue.html), whatever their
    # number; a delegation typed by name reads the version of the event's delegations, their names
    # when they changed (here: a new event) and their counts when several match.
    assert counts[0] == counts[1] <= (8 if "delegation_name" not in suffix else 11)


# --- search -------------------------------------------------------------------------------------

def test_search_ignores_accents_case_and_script(app, client, auth, organiser_event):
    org, ev = organiser_event
    peru = df.delegation(ev, "PE", quota=50)
    df.delegate(peru, "María José", "Pérez Ñúñez", status="accredited", role="head")
    df.delegate(peru, "Łukasz", "Nowak", status="accredited")
    df.delegate(peru, "丽", "王", status="accredited")
    df.delegate(peru, "Joseph", "Smith", status="accredited")
    df.delegate(peru, "Ana", "Josefsson", status="nominated")
    auth.login(org.email)
    participants = f"/en/manage/events/{ev.slug}/participants?q="
    found = text_of(client.get(participants + "jose"))
    # "jose" starts a word of "María José" and of "Joseph": both, and nobody else.
    assert "María José" in found and "Joseph" in found and "Nowak" not in found and "Josefsson" not in found
    assert "1–2 of 2" in found
    assert "María José" in text_of(client.get(participants + "NUNEZ maria"))
    assert "María José" not in text_of(client.get(participants + "nunez pedro"))
    assert "Łukasz" in text_of(client.get(participants + "lukasz"))
    assert "王" in text_of(client.get(participants + "wang")) and "王" in text_of(client.get(participants + "王"))
    # A word must start a word of the name: "ose" is inside José, not at its start.
    assert "No accredited delegate has this name." in text_of(client.get(participants + "ose"))
    queue = text_of(client.get(f"/en/manage/events/{ev.slug}/accreditation?status=nominated&q=JOSÉ"))
    assert "Josefsson" in queue and "1–1 of 1" in queue
    own = text_of(client.get(f"/en/events/{ev.slug}/delegations/{peru.id}/?q=jose"))
    assert "María José" in own and "Joseph" in own and "Josefsson" in own and "Nowak" not in own
    # The places held count everyone, whatever the search.
    assert "5 of 50 places taken" in own


def test_a_changed_name_is_found_by_its_new_name(app, client, auth, organiser_event):
    org, ev = organiser_event
    d = df.delegation(ev, "PE")
    x = df.delegate(d, "Pedro", "Soto", status="accredited")
    x.given_name = "Ángel"
    db.session.commit()
    auth.login(org.email)
    page = text_of(client.get(f"/en/manage/events/{ev.slug}/participants?q=angel"))
    assert "Ángel" in page


# --- pages in order, filters kept ----------------------------------------------------------------

def _participant_names(page: str) -> list[str]:
    return re.findall(r"<li>(?:[^<]* )?<bdi>([^<]+)</bdi>", page.split('class="participants"', 1)[-1])


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_pages_of_participants_follow_the_printed_list(app, client, auth, organiser_event, lang):
    org, ev = organiser_event
    for code, n in (("PE", 70), ("ES", 45), ("EG", 30)):
        crowd(df.delegation(ev, code, quota=100), n, offset=n)
    # Every given name with every family name, all members: names that differ only by accents
    # or ñ (Nunez, Nuñez, Núñez) must keep the printed list's order too.
    undp = df.delegation(ev, kind="un_entity", name="UNDP", quota=100)
    for given in GIVEN:
        for family in FAMILY:
            df.delegate(undp, given, family, status="accredited", commit=False)
    db.session.commit()
    auth.login(org.email, lang=lang)
    shown, url = [], f"/{lang}/manage/events/{ev.slug}/participants"
    first = text_of(client.get(url))
    assert "1–100" in first and "241" in first
    page = first
    while True:
        shown += _participant_names(page)
        following = link(page, "next")
        if following is None:
            break
        assert "page=" in following
        page = text_of(client.get(following))
    with app.test_request_context(url):
        printed = [f"{p.given_name} {p.family_name.upper()}" for group in services.participants(ev, lang)
                   for _d, _name, people in group.delegations for p in people]
    assert len(printed) == 241 and shown == printed
    second = text_of(client.get(url + "?page=2"))
    assert "101–200" in second and ("(suite)" in second or "(continuación)" in second)


def test_delegation_pages_follow_its_order_and_keep_the_search(app, client, auth):
    ev = f.event()
    user, d = df.focal_point(ev, "PE", quota=500)
    crowd(d, 230, status="nominated")
    for x in d.delegates[:20]:
        x.status = "withdrawn"
    db.session.commit()
    auth.login(user.email)
    url = f"/en/events/{ev.slug}/delegations/{d.id}/"
    page, shown = text_of(client.get(url)), []
    assert "1–100 of 230" in page and 'aria-current="page"' in page
    while page is not None:
        shown += row_ids(page)
        following = link(page, "next")
        page = text_of(client.get(following)) if following else None
    assert shown == [x.id for x in services.delegation_delegates(d, "en")]
    searched = text_of(client.get(url + "?q=jose"))
    assert searched.count('<tr id="delegate-') == 29
    assert link(searched, "next") is None
    for _i in range(120):
        df.delegate(d, "Ana", "Ortiz", role="member", status="nominated", commit=False)
    db.session.commit()
    many = text_of(client.get(url + "?q=ortiz"))
    assert "1–100 of 120" in many and "q=ortiz" in link(many, "next") and "page=2" in link(many, "next")
    assert "101–120 of 120" in text_of(client.get(link(many, "next")))


def test_queue_pages_keep_status_delegation_and_search_and_skip_nobody_accredited_meanwhile(app, client, auth,
                                                                                             organiser_event):
    org, ev = organiser_event
    peru, chile = df.delegation(ev, "PE", quota=500), df.delegation(ev, "CL", quota=500)
    crowd(peru, 50, status="nominated")
    for _i in range(230):
        df.delegate(peru, "Ana", "Ortiz", status="nominated", commit=False)
        df.delegate(chile, "Ana", "Ortiz", status="nominated", commit=False)
    db.session.commit()
    auth.login(org.email)
    first = text_of(client.get(f"/en/manage/events/{ev.slug}/accreditation?status=nominated&delegation={peru.id}&q=ortiz"))
    assert "1–100 of 230" in first
    following = link(first, "next")
    assert "status=nominated" in following and f"delegation={peru.id}" in following and "q=ortiz" in following
    ids = row_ids(first)
    assert len(ids) == 100 and ids == sorted(ids)
    # Accrediting the whole first page moves the rest up; the next page still starts after it.
    assert client.post(f"/en/manage/events/{ev.slug}/accreditation/accredit", data={"delegate": ids}).status_code == 302
    second = text_of(client.get(following))
    assert len(row_ids(second)) == 100 and min(row_ids(second)) > max(ids)
    # Those before it are accredited now: this page is the first of the 130 left.
    assert "1–100 of 130" in second and link(second, "prev") is None
    third = text_of(client.get(link(second, "next")))
    assert "101–130 of 130" in third
    assert row_ids(text_of(client.get(link(third, "prev")))) == row_ids(second)
    everyone = text_of(client.get(f"/en/manage/events/{ev.slug}/accreditation?status=nominated"))
    assert "1–100 of 410" in everyone
    assert "1–100 of 230" in text_of(client.get(f"/en/manage/events/{ev.slug}/accreditation?status=nominated"
                                               "&delegation_name=chile"))


def test_accrediting_one_nomination_goes_back_to_the_same_place_in_the_queue(app, client, auth, organiser_event):
    org, ev = organiser_event
    peru = df.delegation(ev, "PE", quota=50)
    crowd(peru, 12, status="nominated")
    auth.login(org.email)
    page = text_of(client.get(f"/en/manage/events/{ev.slug}/accreditation?status=nominated&delegation={peru.id}&q=jose"))
    action = html.unescape(re.search(r'action="([^"]+/accredit\?[^"]+)"', page).group(1))
    back = client.post(action).headers["Location"]
    assert f"delegation={peru.id}" in back and "q=jose" in back
    rejected = client.post(action.replace("/accredit?", "/reject?").replace(
        re.search(r"/delegates/(\d+)/", action).group(0), f"/delegates/{peru.delegates[1].id}/"), data={"reason": "Late"})
    assert f"delegation={peru.id}" in rejected.headers["Location"]


# --- counts in the user's language, accessible navigation ---------------------------------------

@pytest.mark.parametrize("lang,expected", [("en", "1,001–1,100 of 4,409"), ("fr", "1\u202f001–1\u202f100 sur 4\u202f409"),
                                           ("es", "1.001–1.100 de 4.409")])
def test_counts_are_written_in_the_users_language(app, lang, expected):
    page = queries.Page(list(range(100)), 1001, 1100, 4409, number=11, pages=45, prev_args={"page": 10},
                        next_args={"page": 12})
    with app.test_request_context(f"/{lang}/manage/events/x/participants?q=jos%C3%A9"):
        from flask import g, render_template_string, request
        g.lang = lang
        request.url_rule = app.url_map._rules_by_endpoint["delegates_manage.participants"][0]
        request.view_args = {"lang": lang, "slug": "x"}
        pager = views._pager(page, q="josé")
        out = render_template_string('{% from "_pagination.html" import pager as p %}{{ p(pager, "Pages") }}', pager=pager)
    assert expected in out
    assert '<nav class="pager" aria-label="Pages">' in out
    assert 'aria-current="page"' in out and ">11</a>" in out
    assert out.count("q=jos%C3%A9") >= 4 and "page=12" in out and 'rel="prev"' in out
    # The numbers around the current page, the first and the last; gaps marked but not read out.
    assert ">45</a>" in out and ">1</a>" in out and ">9</a>" in out and ">13</a>" in out and ">14</a>" not in out
    assert '<span aria-hidden="true">…</span>' in out
