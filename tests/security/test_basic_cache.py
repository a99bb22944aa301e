"""HTTP Basic at Bearer speed: a verified pair is reused briefly, never past a change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine import Settings, make_engine, make_sessionmaker, make_uow_factory
from engine.models import User
from engine.service import users
from engine.service.signin import VerifiedCache
from tests.api.conftest import assert_error
from tests.factories import NOW, make_user
from tests.security.signin_helpers import (
    NEW_PASSWORD,
    PASSWORD,
    basic,
    from_address,
    make_app,
)
from tests.security.test_lockout import CountingHasher

ME = "/api/v1/auth/me"


@pytest.fixture
def app(uow_factory):
    return make_app(uow_factory)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher(users._HASHER)
    monkeypatch.setattr(users, "_HASHER", counting)
    return counting


def test_repeated_basic_requests_run_argon2_once(app, uow_factory, hasher):
    make_user(uow_factory, "li", "ops", password=PASSWORD)
    client = app.test_client()
    before = hasher.verified
    for _ in range(5):
        assert client.get(ME, headers=basic("li", PASSWORD)).json["groups"] == ["ops"]
        assert client.get("/engine-rest/deployment?maxResults=0",
                          headers=basic("li", PASSWORD)).status_code == 200
    assert hasher.verified - before == 1
    assert_error(client.get(ME, headers=basic("li", PASSWORD + "x")), 401)
    assert hasher.verified - before == 2  # a wrong password is always checked in full


def test_a_changed_password_is_refused_at_once(app, uow_factory):
    make_user(uow_factory, "wang", password=PASSWORD)
    client = app.test_client()
    assert client.get(ME, headers=basic("wang", PASSWORD)).status_code == 200
    changed = client.post("/api/v1/auth/password", headers=basic("wang", PASSWORD),
                          json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.json
    assert_error(client.get(ME, headers=basic("wang", PASSWORD)), 401, "unauthenticated")
    assert client.get(ME, headers=basic("wang", NEW_PASSWORD)).status_code == 200


def test_a_cached_pair_never_skips_the_lockout(app, uow_factory):
    make_user(uow_factory, "zhao", password=PASSWORD)
    attacker = from_address(app, "203.0.113.7")
    with time_machine.travel(NOW, tick=False):
        assert attacker.get(ME, headers=basic("zhao", PASSWORD)).status_code == 200
        for _ in range(3):
            assert_error(attacker.get(ME, headers=basic("zhao", "guess")), 401)
        locked = attacker.get(ME, headers=basic("zhao", PASSWORD))
        assert_error(locked, 429, "too_many_attempts")
        assert from_address(app, "198.51.100.1").get(
            ME, headers=basic("zhao", PASSWORD)).status_code == 200


@pytest.fixture
def two_workers(db_engine):
    """Two apps, each with its own engine (connection pool) on one database, like two
    gunicorn workers."""
    url = db_engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(2)]
    yield [make_app(make_uow_factory(make_sessionmaker(e)), Settings(database_url=url)
                    ).test_client() for e in engines]
    for e in engines:
        e.dispose()


@pytest.mark.committed_db
def test_two_workers_on_one_database_see_each_others_changes_at_once(two_workers, uow_factory):
    one, two = two_workers
    make_user(uow_factory, "root", "admin", password=PASSWORD)
    make_user(uow_factory, "chen", "ops", password=PASSWORD)
    admin = basic("root", PASSWORD)
    assert one.get(ME, headers=basic("chen", PASSWORD)).json["groups"] == ["ops"]
    assert two.put("/api/v1/groups/designer/members/chen", headers=admin).status_code == 204
    assert one.get(ME, headers=basic("chen", PASSWORD)).json["groups"] == ["designer", "ops"]
    reset = two.patch("/api/v1/users/chen", headers=admin, json={"password": NEW_PASSWORD})
    assert reset.status_code == 200, reset.json
    assert_error(one.get(ME, headers=basic("chen", PASSWORD)), 401, "unauthenticated")
    assert one.get(ME, headers=basic("chen", NEW_PASSWORD)).status_code == 200
    assert two.patch("/api/v1/users/chen", headers=admin,
                     json={"is_active": False}).status_code == 200
    assert_error(one.get(ME, headers=basic("chen", NEW_PASSWORD)), 401, "unauthenticated")


def _user(user_id: int, password_hash: str = "$argon2id$x",  # noqa: S107 - not a secret
          generation: int = 0) -> User:
    return User(id=user_id, username=f"u{user_id}", password_hash=password_hash,
                session_generation=generation)


def test_the_cache_is_bounded_expires_and_keeps_no_password():
    cache = VerifiedCache(seconds=60, size=2)
    for i in (1, 2, 3):
        cache.remember(f"u{i}", f"secret-{i}", _user(i), NOW)
    assert len(cache) == 2
    assert not cache.matches("u1", "secret-1", _user(1), NOW)  # the oldest went first
    assert cache.matches("u3", "secret-3", _user(3), NOW + timedelta(seconds=59))
    assert not cache.matches("u3", "secret-3", _user(3), NOW + timedelta(seconds=61))
    assert not any(b"secret" in key for key in cache._entries)
    assert "secret-2" not in repr(list(cache._entries.values()))


def test_the_cache_refuses_a_changed_row_or_another_password():
    cache = VerifiedCache(seconds=60, size=10)
    cache.remember("u1", "secret", _user(1), NOW)
    assert not cache.matches("u1", "other", _user(1), NOW)
    assert not cache.matches("u1", "secret", _user(1, generation=1), NOW)
    cache.remember("u1", "secret", _user(1), NOW)
    assert not cache.matches("u1", "secret", _user(1, password_hash="$argon2id$y"), NOW)
    cache.remember("u1", "secret", _user(1), NOW)
    cache.drop_user("u1")
    assert not cache.matches("u1", "secret", _user(1), NOW)
    assert VerifiedCache(seconds=0).matches("u1", "secret", _user(1), NOW) is False
