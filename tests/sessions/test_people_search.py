"""The people directory's search and the session form's people picker ignore case and accents
beyond ASCII ("ÉLODIE", "Łukasz", "İnce", "Lopez" for "López"), alike on SQLite and PostgreSQL; the
migration fills the search column for the people already there."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dialogue.sessions import directory
from dialogue.sessions.models import search_key

from .. import factories as f

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def people(auth):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    for name, organisation, email in (
            ("Élodie Martin", "Ministère des Affaires étrangères", "em@example.org"),
            ("ÉLODIE DUPONT", "UNESCO", "ed@example.org"),
            ("Łukasz Nowak", "MSZ", "ln@example.org"),
            ("İlker İnce", "Dışişleri Bakanlığı", "ii@example.org"),
            ("María López", "APCI", "maria@example.org"),
            ("JOSÉ LOPEZ", "CEPAL", "jose@example.org"),
            ("Grüße_100%", "Straße", "g@example.org"),
            ("王小明", "外交部", "wang@example.org")):
        directory.person_or_new(ev, name, organisation, email=email)
    from dialogue.extensions import db
    db.session.commit()
    auth.login(org.email)
    return ev


def _found(client, ev, q):
    page = client.get(f"/en/manage/events/{ev.slug}/people", query_string={"q": q}).get_data(as_text=True)
    names = ("Élodie Martin", "ÉLODIE DUPONT", "Łukasz Nowak", "İlker İnce", "María López", "JOSÉ LOPEZ",
             "Grüße_100%", "王小明")
    return {name for name in names if f"<bdi>{name}</bdi>" in page or f">{name}<" in page}


@pytest.mark.parametrize("q, expected", [
    ("élodie", {"Élodie Martin", "ÉLODIE DUPONT"}),
    ("ÉLODIE", {"Élodie Martin", "ÉLODIE DUPONT"}),
    ("elodie", {"Élodie Martin", "ÉLODIE DUPONT"}),
    ("łukasz", {"Łukasz Nowak"}),
    ("LUKASZ", {"Łukasz Nowak"}),
    ("İNCE", {"İlker İnce"}),
    ("ince", {"İlker İnce"}),
    ("ilker", {"İlker İnce"}),
    ("dişişleri", {"İlker İnce"}),
    ("Lopez", {"María López", "JOSÉ LOPEZ"}),
    ("lópez maría", {"María López"}),
    ("affaires etrangeres", {"Élodie Martin"}),
    ("strasse", {"Grüße_100%"}),
    ("GRÜSSE", {"Grüße_100%"}),
    ("%", {"Grüße_100%"}),  # taken literally, not as a wildcard
    ("_", {"Grüße_100%"}),
    ("e_1", {"Grüße_100%"}),
    ("王", {"王小明"}),
    ("外交", {"王小明"}),
    ("maria@example", {"María López"}),
    ("nobody", set()),
])
def test_search_ignores_case_and_accents_beyond_ascii(client, app, people, q, expected):
    assert _found(client, people, q) == expected


def test_an_empty_search_lists_everyone(client, app, people):
    assert len(_found(client, people, "   ")) == 8


def test_search_key_folds_case_accents_and_scripts():
    assert search_key("ÉLODIE  Łukasz İnce") == "elodie lukasz ince"
    assert search_key("Grüße ǅemal") == "grusse dzemal"
    assert search_key(None) == ""


def test_the_session_form_takes_a_name_typed_without_its_accents(client, app, people):
    saved = client.post(f"/en/manage/events/{people.slug}/sessions/new", data={
        "code": "WS1", "kind": "working", "original_language": "en", "title-en": "Typed plainly",
        "starts_at": "2022-12-13T11:00", "ends_at": "2022-12-13T12:00", "room": "",
        "people-0-role": "speaker", "people-0-name": "lukasz nowak",
        "people-1-role": "chair", "people-1-name": "MARIA LOPEZ"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    ws1 = directory.db.session.scalar(directory.select(directory.MeetingSession)
                                      .where(directory.MeetingSession.code == "WS1"))
    assert [p.name for p in ws1.people] == ["Łukasz Nowak", "María López"]
    # two people fit "elodie": refused on its row, what was typed kept
    refused = client.post(f"/en/manage/events/{people.slug}/sessions/new", data={
        "code": "WS2", "kind": "working", "original_language": "en", "title-en": "Ambiguous",
        "starts_at": "2022-12-13T13:00", "ends_at": "2022-12-13T14:00", "people-0-role": "speaker",
        "people-0-name": "elodie"})
    assert refused.status_code == 422 and 'value="elodie"' in refused.get_data(as_text=True)


def test_the_migration_fills_the_search_column_for_people_already_there(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("run on a SQLite file of its own")
    path = tmp_path / "mig.sqlite"
    env = {**os.environ, "DIALOGUE_INSTANCE": str(tmp_path), "DATABASE_URL": f"sqlite:///{path}"}
    dialogue = [sys.executable, "-m", "dialogue.cli", "db"]
    subprocess.run([*dialogue, "upgrade", "d7a3c9e1f5b2"], env=env, check=True, capture_output=True, cwd=ROOT)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO event (id, slug, title, description, venue, original_language, starts_on, ends_on,"
                     " timezone, status, revision, created_at, updated_at) VALUES (1, 'e', '{}', '{}', '{}', 'en',"
                     " '2022-12-12', '2022-12-14', 'UTC', 'draft', 1, '2022-01-01', '2022-01-01')")
        conn.execute("INSERT INTO person (event_id, name, title, organisation, gender, email) VALUES"
                     " (1, 'María López', 'Directora', 'APCI', 'female', 'ML@example.org')")
    subprocess.run([*dialogue, "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT search_text FROM person").fetchone() == ("maria lopez directora apci ml@example.org",)
    subprocess.run([*dialogue, "downgrade", "d7a3c9e1f5b2"], env=env, check=True, capture_output=True, cwd=ROOT)
    with sqlite3.connect(path) as conn:
        assert "search_text" not in [row[1] for row in conn.execute("PRAGMA table_info(person)")]
