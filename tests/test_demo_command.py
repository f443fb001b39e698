"""`dialogue demo` on a fresh instance: it tells where to open the app, PUBLIC_URL when set."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def demo(instance: Path, public_url: str | None) -> str:
    """Run `dialogue demo` in a process of its own, on a SQLite file of its own (migrations make it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_URL", "REDIS_URL")}
    env.update(DIALOGUE_INSTANCE=str(instance), DATABASE_URL=f"sqlite:///{instance / 'demo.sqlite'}")
    if public_url:
        env["PUBLIC_URL"] = public_url
    done = subprocess.run([sys.executable, "-m", "dialogue.cli", "demo"], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_demo_prints_the_public_url_when_set_and_the_local_one_otherwise(tmp_path):
    assert "Open https://dialogue.example.org/ · demo accounts" in demo(tmp_path, "https://dialogue.example.org/")
    assert "Open http://127.0.0.1:5000/ · demo accounts" in demo(tmp_path, None)
