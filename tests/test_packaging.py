"""The wheel holds every package under dialogue/ (a list kept by hand once missed dialogue.jobs)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_namespace_packages, find_packages

ROOT = Path(__file__).resolve().parent.parent


def packaged() -> set[str]:
    """The packages setuptools builds from pyproject.toml: a hand-written list, or what `find` discovers."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = tool.get("packages")
    if isinstance(packages, list):
        return set(packages)
    find = dict(packages["find"])
    finder = find_namespace_packages if find.pop("namespaces", True) else find_packages
    return set(finder(where=str(ROOT / find.pop("where", ["."])[0]), **find))


def test_every_package_directory_is_in_the_wheel():
    directories = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "dialogue").rglob("__init__.py")}
    assert "dialogue.jobs" in directories
    assert directories <= packaged()
    assert all(name.startswith("dialogue") for name in packaged())
