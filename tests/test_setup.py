"""Set-up: migrations match the models, the demo loads, catalogs are complete."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from dialogue.extensions import db
from dialogue.sessions.models import MeetingSession

ROOT = Path(__file__).resolve().parent.parent


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    """Upgrade an empty database with Alembic, then ask Alembic for differences: none."""
    env = {**os.environ, "DIALOGUE_INSTANCE": str(tmp_path)}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'mig.sqlite'}"
    else:
        return  # the PostgreSQL test database is shared with the other tests; checked on SQLite
    dialogue = [sys.executable, "-m", "dialogue.cli"]
    subprocess.run([*dialogue, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)
    check = subprocess.run([*dialogue, "db", "check"], env=env, capture_output=True, text=True, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr


def test_demo_command_loads_the_summit(runner, app):
    from dialogue.demo import load_demo
    event, created = load_demo()
    db.session.commit()
    assert created
    counts = dict(db.session.execute(select(MeetingSession.kind, func.count()).where(
        MeetingSession.event_id == event.id).group_by(MeetingSession.kind)).all())
    assert counts["plenary"] == 9 and counts["working"] == 13 and counts["regional_dialogue"] == 1
    rd = db.session.scalar(select(MeetingSession).where(MeetingSession.code == "RD-LAC"))
    assert (rd.starts_at.hour, rd.starts_at.minute) == (17, 15)  # 18:15 CET
    assert (rd.ends_at.hour, rd.ends_at.minute) == (18, 30)
    assert all(p.email.endswith("@example.org") for p in rd.people if p.email)
    again, created_again = load_demo()
    assert not created_again and again.id == event.id


def test_catalogs_are_complete():
    for lang in ("fr", "es", "en"):
        po = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
        out = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert "untranslated" not in out.stderr and "fuzzy" not in out.stderr, f"{lang}: {out.stderr}"


def test_every_string_in_the_code_is_in_the_catalogs(tmp_path):
    """Extract the strings now and compare with the catalogs: nothing new left untranslated."""
    from babel.messages.pofile import read_po
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_pgettext:1c,2", "--no-location", "-o", str(pot), str(ROOT)], check=True, capture_output=True, cwd=ROOT)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}
    for lang in ("fr", "es"):
        catalog = read_po((ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb"))
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string and (
            m.string if isinstance(m.string, str) else all(m.string))}
        assert not (wanted - have), f"{lang} lacks: {sorted(wanted - have)[:10]}"
