"""var/ is created 0700, the SQLite file (and its WAL) 0600, the session key 0600."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from api import stored_secret_key
from engine import make_engine, upgrade


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """A permissive umask, as on many servers: modes must not depend on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_database_directory_and_file_are_private(tmp_path, open_umask):
    db_path = tmp_path / "var" / "vocflow.db"
    outer = _mode(tmp_path)
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
            assert _mode(db_path) == 0o600
            assert all(_mode(p) == 0o600 for p in tmp_path.glob("var/vocflow.db-*"))
    finally:
        engine.dispose()
    assert _mode(tmp_path / "var") == 0o700
    assert _mode(tmp_path) == outer  # a directory we did not create is left alone


def test_an_existing_readable_database_file_is_made_private(tmp_path, open_umask):
    db_path = tmp_path / "old.db"
    db_path.touch()
    db_path.chmod(0o644)
    make_engine(f"sqlite:///{db_path}").dispose()
    assert _mode(db_path) == 0o600


def test_the_secret_key_lives_in_a_private_directory(tmp_path, open_umask):
    key_path = tmp_path / "var" / "secret_key"
    assert len(stored_secret_key(key_path)) >= 32
    assert _mode(key_path) == 0o600
    assert _mode(key_path.parent) == 0o700
