"""Without VOCFLOW_SECRET_KEY the app creates var/secret_key once (0600) and reuses it."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from api import create_app, stored_secret_key
from engine import Settings


def test_key_is_created_once_private_and_shared(tmp_path, monkeypatch, uow_factory):
    monkeypatch.chdir(tmp_path)
    first = create_app(Settings(), uow_factory=uow_factory, testing=True)
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = create_app(Settings(), uow_factory=uow_factory, testing=True)
    key = first.config["SECRET_KEY"]
    assert len(key) == 64 and key == second.config["SECRET_KEY"] == path.read_text()
    explicit = create_app(Settings(secret_key="from-env"), uow_factory=uow_factory,
                          testing=True)
    assert explicit.config["SECRET_KEY"] == "from-env"
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temp files left


def test_racing_processes_agree_on_one_key(tmp_path):
    path = tmp_path / "var" / "secret_key"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _i: stored_secret_key(path), range(16)))
    assert keys == {path.read_text()}


def test_an_unusable_key_file_is_an_error(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("short")
    with pytest.raises(RuntimeError, match="no usable key"):
        stored_secret_key(path)
