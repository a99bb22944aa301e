"""Sign-in: sessions, lockout, CSRF, tokens, Basic, cookie flags and security headers."""

from __future__ import annotations

import base64
from datetime import timedelta

import time_machine

from api import create_app
from engine import Settings
from tests.api.conftest import PASSWORD, assert_error, bearer, login
from tests.factories import NOW, make_user


def test_login_me_logout_with_csrf(client, uow_factory):
    make_user(uow_factory, "li", "province:11:reviewer", password=PASSWORD)
    token = login(client, "li")
    me = client.get("/api/v1/auth/me")
    assert me.json["username"] == "li" and me.json["groups"] == ["province:11:reviewer"]
    assert_error(client.post("/api/v1/auth/logout"), 403, "forbidden")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert_error(client.get("/api/v1/auth/me"), 401, "unauthenticated")


def test_session_cookie_flags_and_security_headers(client, uow_factory):
    make_user(uow_factory, "li", password=PASSWORD)
    response = client.post("/api/v1/auth/login", json={"username": "li", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"]


def test_cookie_is_secure_outside_testing(uow_factory):
    make_user(uow_factory, "li", password=PASSWORD)
    app = create_app(Settings(secret_key="s"), uow_factory=uow_factory)
    response = app.test_client().post("/api/v1/auth/login",
                                      json={"username": "li", "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


def test_csrf_required_for_cookie_changes_not_for_bearer(client, uow_factory):
    headers = bearer(uow_factory, "admin1", "admin")
    make_user(uow_factory, "adm2", "admin", password=PASSWORD)
    token = login(client, "adm2")
    body = {"name": "designer"}
    assert_error(client.post("/api/v1/groups", json=body), 403, "forbidden")
    assert_error(client.post("/api/v1/groups", json=body, headers={"X-CSRF-Token": "x"}), 403)
    ok = client.post("/api/v1/groups", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201
    other = create_app(Settings(secret_key="t"), uow_factory=uow_factory, testing=True)
    assert other.test_client().post("/api/v1/groups", json={"name": "ops"},
                                    headers=headers).status_code == 201
    assert client.get("/api/v1/auth/csrf").json["csrf_token"] == token


def test_wrong_password_is_401_and_repeated_failures_slow_then_lock(client, uow_factory):
    make_user(uow_factory, "zhao", password=PASSWORD)
    bad = {"username": "zhao", "password": "wrong"}
    good = {"username": "zhao", "password": PASSWORD}
    at = NOW
    with time_machine.travel(at, tick=False) as traveller:
        for _ in range(2):
            assert_error(client.post("/api/v1/auth/login", json=bad), 401, "unauthenticated")
        assert_error(client.post("/api/v1/auth/login", json=bad), 401)
        slowed = client.post("/api/v1/auth/login", json=good)
        assert_error(slowed, 429, "too_many_attempts")
        assert int(slowed.headers["Retry-After"]) >= 1
        for _ in range(7):
            at += timedelta(seconds=61)
            traveller.move_to(at)
            assert_error(client.post("/api/v1/auth/login", json=bad), 401)
        at += timedelta(seconds=61)
        traveller.move_to(at)
        assert_error(client.post("/api/v1/auth/login", json=good), 429)
        traveller.move_to(at + timedelta(minutes=16))
        assert client.post("/api/v1/auth/login", json=good).status_code == 200


def test_unknown_user_is_401(client):
    assert_error(client.post("/api/v1/auth/login", json={"username": "nobody",
                                                         "password": "x"}), 401)


def test_token_shown_once_works_as_bearer_and_revokes(client, uow_factory):
    make_user(uow_factory, "sun", password=PASSWORD)
    csrf = login(client, "sun")
    created = client.post("/api/v1/tokens", json={"name": "ci"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    plain = created.json["token"]
    listed = client.get("/api/v1/tokens").json
    assert [t["name"] for t in listed] == ["ci"] and "token" not in listed[0]
    anon = create_app(Settings(secret_key="x"), uow_factory=client.application
                      .extensions["vocflow"]["uow_factory"], testing=True).test_client()
    auth = {"Authorization": f"Bearer {plain}"}
    assert anon.get("/api/v1/auth/me", headers=auth).json["username"] == "sun"
    assert anon.delete(f"/api/v1/tokens/{created.json['id']}", headers=auth).status_code == 204
    assert_error(anon.get("/api/v1/auth/me", headers=auth), 401, "unauthenticated")
    assert_error(anon.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"}), 401)


def test_basic_auth_is_accepted(client, uow_factory):
    make_user(uow_factory, "qian", "ops", password=PASSWORD)
    good = base64.b64encode(f"qian:{PASSWORD}".encode()).decode()
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Basic {good}"})
    assert me.json["groups"] == ["ops"]
    bad = base64.b64encode(b"qian:nope").decode()
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": f"Basic {bad}"}), 401)
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": "Basic %%%"}), 401)


def test_failed_basic_sign_ins_are_counted_although_the_request_fails(client, uow_factory):
    # Sign-in shares the request's unit of work; a wrong password rolls that back, so the
    # failure must be written in its own small one, or lockout would never trigger.
    make_user(uow_factory, "feng", "ops", password=PASSWORD)
    bad = {"Authorization": "Basic " + base64.b64encode(b"feng:nope").decode()}
    good = {"Authorization": "Basic " + base64.b64encode(f"feng:{PASSWORD}".encode()).decode()}
    with time_machine.travel(NOW, tick=False):
        rest = client.get("/engine-rest/deployment?maxResults=0", headers=bad)
        assert rest.status_code == 401 and rest.json["type"] == "AuthenticationException"
        assert_error(client.get("/api/v1/instances", headers=bad), 401)
        assert_error(client.get("/api/v1/auth/me", headers=bad), 401)
        with uow_factory() as uow:
            assert uow.users.get("feng").failed_logins == 3
        assert client.get("/api/v1/auth/me", headers=good).status_code == 429
