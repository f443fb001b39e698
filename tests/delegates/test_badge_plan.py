"""How a badge job is cut into tasks: unset, a small set comes in small chunks so that every worker has a
share until the end; BADGES_PER_CHUNK, when the environment gives it, is the size of every chunk."""
from __future__ import annotations

import io
import shutil
import stat
import subprocess
import zipfile

import pytest

from dialogue.config import build_config
from dialogue.delegates.jobs import Badges
from dialogue.jobs.models import Job

from .. import factories as f
from . import factories as df

COUNTRIES = ("AR", "BO", "BR", "CL", "CO", "CR", "CU", "EC", "GT", "MX", "PE", "UY")


@pytest.fixture
def twelve_delegations_of_twenty(app):
    """240 accredited delegates in 12 delegations, and a badge job for them."""
    ev = f.event()
    for country in COUNTRIES:
        df.many_delegates(df.delegation(ev, country, quota=30), 20)
    return Job(event=ev, event_id=ev.id, kind="badges", language="en", params={})


def chunk_sizes(job) -> list[int]:
    return [size for _params, size in Badges().plan(job)]


def test_the_setting_is_unset_unless_the_environment_gives_it(monkeypatch, tmp_path):
    monkeypatch.delenv("BADGES_PER_CHUNK", raising=False)
    assert build_config(tmp_path)["BADGES_PER_CHUNK"] is None
    monkeypatch.setenv("BADGES_PER_CHUNK", "100")
    assert build_config(tmp_path)["BADGES_PER_CHUNK"] == 100


def test_a_small_set_comes_in_small_chunks_by_default(app, twelve_delegations_of_twenty, monkeypatch, tmp_path):
    monkeypatch.delenv("BADGES_PER_CHUNK", raising=False)
    assert app.config["BADGES_PER_CHUNK"] == build_config(tmp_path)["BADGES_PER_CHUNK"]  # the default config
    # 240 badges: at least 24 chunks would be 10 each, but a chunk holds at least 40 (two delegations).
    assert chunk_sizes(twelve_delegations_of_twenty) == [40] * 6


def test_an_explicit_setting_is_the_size_of_every_chunk(app, twelve_delegations_of_twenty):
    app.config["BADGES_PER_CHUNK"] = 100
    try:
        assert chunk_sizes(twelve_delegations_of_twenty) == [100, 100, 40]
    finally:
        app.config["BADGES_PER_CHUNK"] = None


def test_files_in_the_badges_zip_unpack_readable_by_all(app, twelve_delegations_of_twenty, tmp_path):
    """0644 regular files, in each chunk and in the assembled ZIP: `writestr(name)` alone gives 0600, which
    unzip restores, and a registration desk's shared folder then cannot read the badges."""
    job, kind = twelve_delegations_of_twenty, Badges()
    chunks = [(params, kind.make_chunk(job, params)) for params, _size in kind.plan(job)[:2]]
    with zipfile.ZipFile(io.BytesIO(chunks[0][1])) as made:
        assert [oct(i.external_attr >> 16) for i in made.infolist()] == [oct(stat.S_IFREG | 0o644)] * 2
    out = kind.assemble(job, chunks).stream
    out.seek(0)
    path = tmp_path / "badges.zip"
    path.write_bytes(out.read())
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    assert len(entries) == 4 and {oct(i.external_attr >> 16) for i in entries} == {oct(stat.S_IFREG | 0o644)}
    if shutil.which("unzip"):  # what the desk does with it
        subprocess.run(["unzip", "-q", str(path), "-d", str(tmp_path / "badges")], check=True)
        assert {oct((tmp_path / "badges" / i.filename).stat().st_mode & 0o777) for i in entries} == {"0o644"}
