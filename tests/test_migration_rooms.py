"""Migration d4a7c9e1f2b6 turns the demo's typed room names and session people into records.

The demo summit is written at the previous revision (c5d1e8f2a7b3), in the old shape (a room name
on each session, name/organisation/gender/email on each session person), with a second event and
a few spellings that differ only in case and spacing; the upgrade must make one room and one person
per name and event and point every session and programme row to them; the downgrade gives the
names back.
"""
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from dialogue.demo import PROGRAMME, RD_PEOPLE

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS, REVISION = "c5d1e8f2a7b3", "d4a7c9e1f2b6"

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                                reason="runs on its own SQLite file (the PostgreSQL test database is shared)")


def _alembic(url: str, tmp_path, *args):
    env = {**os.environ, "DATABASE_URL": url, "DIALOGUE_INSTANCE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "dialogue.cli", "db", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _old_demo(engine):
    """The demo summit as the previous revision stored it, plus a second event using the same names."""
    now = datetime(2026, 1, 1)
    meta = sa.MetaData()
    meta.reflect(engine, only=["event", "meeting_session", "session_person"])
    event, session, person = (meta.tables[n] for n in ("event", "meeting_session", "session_person"))
    empty = {"context": {}, "purpose": {}, "objectives": {}, "expected_results": {}, "deliverable": {}}
    with engine.begin() as conn:
        ids = []
        for slug, lang in (("summit-2022", "fr"), ("summit-2024", "es")):
            ids.append(conn.execute(event.insert().values(
                slug=slug, title={"en": slug}, description={}, venue={}, original_language=lang,
                starts_on=datetime(2022, 12, 12).date(), ends_on=datetime(2022, 12, 14).date(), timezone="Europe/Zurich",
                status="published", revision=1, created_at=now, updated_at=now)).inserted_primary_key[0])
        sessions = {}
        for code, kind, day, start, end, room, title in PROGRAMME:
            at = datetime(2022, 12, day, *map(int, start.split(":"))) - timedelta(hours=1)
            until = datetime(2022, 12, day, *map(int, end.split(":"))) - timedelta(hours=1)
            sessions[code] = conn.execute(session.insert().values(
                event_id=ids[0], code=code, kind=kind, title=title, original_language="fr", room=room,
                starts_at=at, ends_at=until, interpretation=[], created_at=now, updated_at=now, **empty)
            ).inserted_primary_key[0]
        # the same room typed differently, and a session with no room
        conn.execute(session.update().where(session.c.id == sessions["PL2"]).values(room="  salle   PLÉNIÈRE "))
        conn.execute(session.update().where(session.c.id == sessions["PL3"]).values(room=""))
        for i, (role, name, organisation, gender, email) in enumerate(RD_PEOPLE):
            conn.execute(person.insert().values(session_id=sessions["RD-LAC"], role=role, name=name,
                                                organisation=organisation, gender=gender, email=email, position=i))
        # Rosa chairs PL1 too, typed with other spacing and no organisation
        conn.execute(person.insert().values(session_id=sessions["PL1"], role="chair", name="Rosa  Quispe Mamani",
                                            organisation="", gender="undisclosed", email="", position=0))
        other = conn.execute(session.insert().values(
            event_id=ids[1], code="PL1", kind="plenary", title={"es": "Apertura"}, original_language="es",
            room="Salle 2", starts_at=now, ends_at=now + timedelta(hours=1), interpretation=[],
            created_at=now, updated_at=now, **empty)).inserted_primary_key[0]
        conn.execute(person.insert().values(session_id=other, role="chair", name="Rosa Quispe Mamani",
                                            organisation="APCI", gender="female", email="", position=0))
    return ids, sessions


def test_upgrade_turns_the_demo_names_into_records_and_downgrade_gives_them_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    _alembic(url, tmp_path, "upgrade", PREVIOUS)
    engine = sa.create_engine(url)
    (summit, later), sessions = _old_demo(engine)

    _alembic(url, tmp_path, "upgrade", REVISION)
    with engine.connect() as conn:
        rooms = conn.execute(sa.text("SELECT id, event_id, name FROM room ORDER BY id")).all()
        import json
        names = [(event_id, json.loads(name) if isinstance(name, str) else name) for _id, event_id, name in rooms]
        assert names == [(summit, {"fr": "Salle plénière"}), (summit, {"fr": "Salle 2"}), (summit, {"fr": "Salle 3"}),
                         (summit, {"fr": "Salle 4"}), (later, {"es": "Salle 2"})]
        room_of = dict(conn.execute(sa.text("SELECT code, room_id FROM meeting_session WHERE event_id = :e"),
                                    {"e": summit}).all())
        plenary = rooms[0].id
        assert room_of["PL1"] == room_of["PL2"] == room_of["PL4"] == plenary  # "  salle   PLÉNIÈRE " merged
        assert room_of["PL3"] is None
        assert room_of["RD-LAC"] == room_of["WS02"] == rooms[2].id
        people = conn.execute(sa.text("SELECT id, event_id, name, organisation, gender, email FROM person "
                                      "ORDER BY id")).all()
        assert len([p for p in people if p.event_id == summit]) == len(RD_PEOPLE)  # Rosa once, not twice
        rosa = [p for p in people if p.name == "Rosa Quispe Mamani"]
        assert [(p.event_id, p.organisation, p.gender) for p in rosa] == [
            (summit, RD_PEOPLE[0][2], "female"), (later, "APCI", "female")]
        nadia = next(p for p in people if p.name == "Nadia Salazar")
        assert nadia.email == "nadia.salazar@example.org"
        programme = conn.execute(sa.text(
            "SELECT sp.role, p.name FROM session_person sp JOIN person p ON p.id = sp.person_id "
            "WHERE sp.session_id = :s ORDER BY sp.position"), {"s": sessions["RD-LAC"]}).all()
        assert [tuple(row) for row in programme] == [(r, n) for r, n, _o, _g, _e in RD_PEOPLE]
        pl1 = conn.execute(sa.text("SELECT person_id FROM session_person WHERE session_id = :s"),
                           {"s": sessions["PL1"]}).scalar_one()
        assert pl1 == rosa[0].id

    _alembic(url, tmp_path, "downgrade", PREVIOUS)
    with engine.connect() as conn:
        typed = dict(conn.execute(sa.text("SELECT code, room FROM meeting_session WHERE event_id = :e"),
                                  {"e": summit}).all())
        assert typed["PL2"] == "Salle plénière" and typed["PL3"] == "" and typed["WS02"] == "Salle 3"
        back = conn.execute(sa.text("SELECT name, organisation, email FROM session_person WHERE session_id = :s "
                                    "ORDER BY position"), {"s": sessions["RD-LAC"]}).all()
        assert [tuple(b) for b in back] == [(n, o, e) for _r, n, o, _g, e in RD_PEOPLE]
    engine.dispose()
