"""Throttling per (account, address): nobody locks someone else out; unknown names look known."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine.service import users
from tests.api.conftest import assert_error
from tests.factories import NOW, make_user
from tests.security.signin_helpers import PASSWORD, basic, from_address, make_app, sign_in

ATTACKER, VICTIM, OTHER = "203.0.113.7", "198.51.100.20", "192.0.2.33"


@pytest.fixture
def app(uow_factory):
    return make_app(uow_factory)


class CountingHasher:
    """The real argon2 hasher, counting verifications (the cost of an answer)."""

    def __init__(self, real):
        self.real, self.verified = real, 0

    def hash(self, password):
        return self.real.hash(password)

    def verify(self, stored, password):
        self.verified += 1
        return self.real.verify(stored, password)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher(users._HASHER)
    monkeypatch.setattr(users, "_HASHER", counting)
    return counting


def test_an_attacker_cannot_lock_the_victim_out(app, uow_factory):
    make_user(uow_factory, "zhao", password=PASSWORD)
    attacker, victim = from_address(app, ATTACKER), from_address(app, VICTIM)
    with time_machine.travel(NOW, tick=False) as traveller:
        at = NOW
        for _ in range(12):
            assert sign_in(attacker, "zhao", "guess").status_code in (401, 429)
            at += timedelta(seconds=61)
            traveller.move_to(at)
        assert sign_in(victim, "zhao").status_code == 200
        rest = victim.get("/engine-rest/deployment?maxResults=0", headers=basic("zhao", PASSWORD))
        assert rest.status_code == 200, rest.json
        assert_error(sign_in(attacker, "zhao"), 429, "too_many_attempts")


def test_basic_failures_from_one_address_never_block_another(app, uow_factory):
    make_user(uow_factory, "qian", password=PASSWORD)
    attacker, victim = from_address(app, ATTACKER), from_address(app, VICTIM)
    with time_machine.travel(NOW, tick=False):
        for _ in range(4):
            attacker.get("/api/v1/auth/me", headers=basic("qian", "nope"))
        assert_error(attacker.get("/api/v1/auth/me", headers=basic("qian", PASSWORD)), 429)
        assert victim.get("/api/v1/auth/me", headers=basic("qian", PASSWORD)).status_code == 200


def test_an_unknown_name_is_answered_like_a_known_one(app, uow_factory, hasher):
    make_user(uow_factory, "sun", password=PASSWORD)
    known, unknown = from_address(app, ATTACKER), from_address(app, OTHER)
    with time_machine.travel(NOW, tick=False):
        for attempt in range(5):
            before = hasher.verified
            a = sign_in(known, "sun", "guess")
            cost_known = hasher.verified - before
            b = sign_in(unknown, "nobody-here", "guess")
            assert (a.status_code, a.json, a.headers.get("Retry-After")) == (
                b.status_code, b.json, b.headers.get("Retry-After")), attempt
            assert hasher.verified - before - cost_known == cost_known
    assert a.status_code == 429  # the unknown name was slowed exactly like the known one


def test_throttling_still_slows_and_then_locks_the_attacker_alone(app, uow_factory):
    make_user(uow_factory, "feng", password=PASSWORD)
    attacker, victim = from_address(app, ATTACKER), from_address(app, VICTIM)
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(3):
            assert_error(sign_in(attacker, "feng", "bad"), 401, "unauthenticated")
        slowed = assert_error(sign_in(attacker, "feng", PASSWORD), 429, "too_many_attempts")
        assert slowed["details"]["retry_after"] >= 1
        at = NOW
        waits = []
        for _ in range(7):
            at += timedelta(seconds=61)
            traveller.move_to(at)
            waits.append(sign_in(attacker, "feng", "bad").json["error"]["details"]["retry_after"])
        assert waits[:3] == [2, 4, 8] and waits[-1] == 15 * 60
        traveller.move_to(at + timedelta(seconds=61))
        locked = sign_in(attacker, "feng", PASSWORD)
        assert_error(locked, 429)
        assert int(locked.headers["Retry-After"]) > 13 * 60
        assert sign_in(victim, "feng", PASSWORD).status_code == 200
        traveller.move_to(at + timedelta(minutes=16))
        assert sign_in(attacker, "feng", PASSWORD).status_code == 200


def test_a_password_spray_from_one_address_slows_that_address_only(app, uow_factory):
    make_user(uow_factory, "wu", password=PASSWORD)
    sprayer, other = from_address(app, ATTACKER), from_address(app, OTHER)
    with time_machine.travel(NOW, tick=False):
        answers = [sign_in(sprayer, f"user{i}", "123456").status_code for i in range(20)]
        assert answers == [401] * 20
        assert_error(sign_in(sprayer, "wu", PASSWORD), 429, "too_many_attempts")
        assert sign_in(other, "wu", PASSWORD).status_code == 200
