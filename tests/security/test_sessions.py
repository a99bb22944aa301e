"""Sessions end with sign-out, an own password change, an admin reset and disabling."""

from __future__ import annotations

import pytest

from engine.service import Actor, accounts
from tests.api.conftest import assert_error
from tests.factories import NOW, make_user
from tests.security.signin_helpers import (
    NEW_PASSWORD,
    PASSWORD,
    basic,
    login,
    make_app,
    session_cookie,
    sign_in,
    with_cookie,
)


@pytest.fixture
def app(uow_factory):
    return make_app(uow_factory)


def _me(client, **kwargs):
    return client.get("/api/v1/auth/me", **kwargs)


def _token(uow_factory, username):
    with uow_factory() as uow:
        _row, plain = accounts.create_token(uow, username, "ci", Actor(username, frozenset()),
                                            NOW)
    return {"Authorization": f"Bearer {plain}"}


def test_sign_out_ends_the_cookie_and_every_other_session_of_the_user(app, uow_factory):
    make_user(uow_factory, "li", password=PASSWORD)
    token = _token(uow_factory, "li")
    laptop, phone = app.test_client(), app.test_client()
    csrf = login(laptop, "li")
    login(phone, "li")
    copied = session_cookie(laptop)
    assert laptop.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_error(_me(with_cookie(app, copied)), 401, "unauthenticated")
    assert_error(_me(phone), 401, "unauthenticated")
    assert _me(app.test_client(), headers=token).status_code == 200  # tokens stay
    again = app.test_client()
    login(again, "li")
    assert _me(again).json["username"] == "li"


def test_own_password_change_ends_other_sessions_and_keeps_this_one(app, uow_factory):
    make_user(uow_factory, "wang", password=PASSWORD)
    here, elsewhere = app.test_client(), app.test_client()
    csrf = login(here, "wang")
    login(elsewhere, "wang")
    copied = session_cookie(here)
    changed = here.post("/api/v1/auth/password", headers={"X-CSRF-Token": csrf},
                        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.json
    assert_error(_me(elsewhere), 401, "unauthenticated")
    assert_error(_me(with_cookie(app, copied)), 401, "unauthenticated")
    assert _me(here).json["username"] == "wang"
    assert changed.json["csrf_token"] and changed.json["csrf_token"] != csrf
    assert_error(sign_in(app.test_client(), "wang", PASSWORD), 401)
    login(app.test_client(), "wang", NEW_PASSWORD)


def test_own_password_change_revokes_every_token(app, uow_factory):
    make_user(uow_factory, "zhou", password=PASSWORD)
    token, other = _token(uow_factory, "zhou"), _token(uow_factory, "zhou")
    client = app.test_client()
    assert _me(client, headers=token).status_code == 200
    changed = client.post("/api/v1/auth/password", headers=token,
                          json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.json
    assert_error(_me(client, headers=token), 401, "unauthenticated")
    assert_error(_me(client, headers=other), 401, "unauthenticated")
    listed = client.get("/api/v1/tokens", headers=basic("zhou", NEW_PASSWORD)).json
    assert len(listed) == 2 and all(t["revoked_at"] for t in listed)


def test_admin_password_reset_ends_the_users_sessions_and_tokens(app, uow_factory):
    make_user(uow_factory, "root", "admin", password=PASSWORD)
    make_user(uow_factory, "chen", password=PASSWORD)
    token = _token(uow_factory, "chen")
    victim, admin = app.test_client(), app.test_client()
    login(victim, "chen")
    csrf = login(admin, "root")
    reset = admin.patch("/api/v1/users/chen", headers={"X-CSRF-Token": csrf},
                        json={"password": NEW_PASSWORD})
    assert reset.status_code == 200, reset.json
    assert_error(_me(victim), 401, "unauthenticated")
    assert_error(_me(victim, headers=token), 401, "unauthenticated")
    assert _me(admin).json["username"] == "root"
    login(app.test_client(), "chen", NEW_PASSWORD)


def test_a_disabled_users_cookie_stays_dead_after_re_enabling(app, uow_factory):
    make_user(uow_factory, "root", "admin", password=PASSWORD)
    make_user(uow_factory, "he", password=PASSWORD)
    user, admin = app.test_client(), app.test_client()
    login(user, "he")
    csrf = login(admin, "root")
    headers = {"X-CSRF-Token": csrf}
    assert admin.patch("/api/v1/users/he", headers=headers,
                       json={"is_active": False}).status_code == 200
    assert admin.patch("/api/v1/users/he", headers=headers,
                       json={"is_active": True}).status_code == 200
    assert_error(_me(user), 401, "unauthenticated")
    login(app.test_client(), "he")
