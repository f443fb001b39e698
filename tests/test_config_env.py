"""Settings the README lists as environment variables are read from the environment, as integers."""
from __future__ import annotations

import pytest

from dialogue.config import build_config


@pytest.mark.parametrize(("name", "default"), [("EXPORT_BATCH", 2000), ("DETAILS_LINK_MAX_AGE_DAYS", 21)])
def test_a_listed_setting_comes_from_the_environment(monkeypatch, tmp_path, name, default):
    monkeypatch.delenv(name, raising=False)
    assert build_config(tmp_path)[name] == default
    monkeypatch.setenv(name, "7")
    assert build_config(tmp_path)[name] == 7
    monkeypatch.setenv(name, "many")
    with pytest.raises(ValueError):
        build_config(tmp_path)
