"""The migration to conversation threads keeps every review comment and marks today's translations current."""
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "c5d1e8f2a7b3"


def _upgrade(env, target="head"):
    subprocess.run([sys.executable, "-m", "dialogue.cli", "db", "upgrade", target], env=env, check=True,
                   capture_output=True, cwd=ROOT)


def _row(table: sa.Table, **values) -> dict:
    """`values`, and a plain value for every other required column."""
    fill = {sa.Integer: 1, sa.String: "x", sa.Text: "x", sa.DateTime: datetime(2022, 12, 12), sa.Date: date(2022, 12, 12),
            sa.Boolean: False, sa.JSON: {}}
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key or column.server_default is not None:
            continue
        row[column.name] = next(v for kind, v in fill.items() if isinstance(column.type, kind))
    return row


def test_review_comments_move_into_the_thread_and_translations_start_current(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("checked on SQLite: the PostgreSQL test database is shared with the other tests")
    url = f"sqlite:///{tmp_path / 'mig.sqlite'}"
    env = {**os.environ, "DIALOGUE_INSTANCE": str(tmp_path), "DATABASE_URL": url}
    _upgrade(env, BEFORE)
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    t = meta.tables
    with engine.begin() as conn:
        conn.execute(t["user"].insert(), [_row(t["user"], id=1, email="org@example.org"),
                                          _row(t["user"], id=2, email="rap@example.org")])
        conn.execute(t["event"].insert(), _row(t["event"], id=1, slug="ev"))
        conn.execute(t["meeting_session"].insert(), _row(t["meeting_session"], id=1, event_id=1, code="S1"))
        text = {"es": "Texto.", "en": "Text."}
        conn.execute(t["key_message"].insert(), [
            _row(t["key_message"], id=1, session_id=1, text=text, original_language="es", status="returned",
                 review_comment="Please shorten."),
            _row(t["key_message"], id=2, session_id=1, text={"es": "Otro."}, original_language="es", status="draft",
                 review_comment="")])
        revision = t["key_message_revision"]
        conn.execute(revision.insert(), [
            _row(revision, message_id=1, number=1, user_id=2, action="create", text=text, original_language="es",
                 status="draft"),
            _row(revision, message_id=1, number=2, user_id=1, action="return", text=text, original_language="es",
                 status="returned", comment="Please shorten.", at=datetime(2022, 12, 13, 10, 0))])
    _upgrade(env)
    with engine.connect() as conn:
        comments = conn.execute(sa.text("SELECT message_id, user_id, kind, body, at FROM key_message_comment")).all()
        assert [tuple(c[:4]) for c in comments] == [(1, 1, "return", "Please shorten.")]
        assert str(comments[0][4]).startswith("2022-12-13 10:00")
        bases = dict(conn.execute(sa.text("SELECT id, translated_from FROM key_message")).all())
        assert {k: json.loads(v) for k, v in bases.items()} == {1: {"en": 2}, 2: {}}
        columns = {c["name"] for c in sa.inspect(conn).get_columns("key_message")}
        assert "review_comment" not in columns
    engine.dispose()
