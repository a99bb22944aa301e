"""The password rule (short and common passwords refused, the field named) and own changes."""

from __future__ import annotations

import pytest
import time_machine

from engine.errors import FormInvalid
from engine.service import passwords
from tests.api.conftest import assert_error
from tests.factories import NOW, make_user
from tests.security.signin_helpers import NEW_PASSWORD, PASSWORD, login, make_app, sign_in

WEAK = ["12345678", "password123", "qwertyuiop", "Abc12!", "zhaoliu2023", "1111111111"]


@pytest.fixture
def app(uow_factory):
    return make_app(uow_factory)


@pytest.mark.parametrize("weak", WEAK)
def test_the_rule_refuses_short_and_common_passwords(weak):
    with pytest.raises(FormInvalid) as caught:
        passwords.require_strong_password(weak, "new_password", ["zhaoliu"])
    [text] = caught.value.details["new_password"]
    assert "密码" in text and "password" in text.lower()
    assert caught.value.message.startswith("new_password: ")


@pytest.mark.parametrize("good", [PASSWORD, NEW_PASSWORD, "Tr0ub4dor&3x", "x" * 10 + "-Qm7#pv"])
def test_the_rule_accepts_long_unguessable_passwords(good):
    assert passwords.password_problem(good) is None


def test_a_password_built_from_the_user_name_is_refused():
    assert passwords.password_problem("wangxiaoming", ["wangxiaoming"]) == "too_common"
    assert passwords.password_problem("Ab3$x") == "too_short"


def test_admin_cannot_give_a_new_user_a_common_password(app, uow_factory):
    make_user(uow_factory, "root", "admin", password=PASSWORD)
    admin = app.test_client()
    csrf = {"X-CSRF-Token": login(admin, "root")}
    for weak, problem in (("12345678", "至少"), ("password1234", "常见")):
        refused = admin.post("/api/v1/users", headers=csrf,
                             json={"username": "lu", "password": weak})
        error = assert_error(refused, 422, "form_invalid")
        assert list(error["details"]) == ["password"] and problem in error["details"]["password"][0]
    assert_error(admin.get("/api/v1/users/lu", headers=csrf), 404)
    made = admin.post("/api/v1/users", headers=csrf,
                      json={"username": "lu", "password": NEW_PASSWORD})
    assert made.status_code == 201
    reset = admin.patch("/api/v1/users/lu", headers=csrf, json={"password": "12345678"})
    assert assert_error(reset, 422, "form_invalid")["details"].keys() == {"password"}
    login(app.test_client(), "lu", NEW_PASSWORD)


def test_own_change_needs_the_right_current_password(app, uow_factory):
    make_user(uow_factory, "qin", password=PASSWORD)
    client = app.test_client()
    csrf = {"X-CSRF-Token": login(client, "qin")}
    wrong = client.post("/api/v1/auth/password", headers=csrf,
                        json={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    error = assert_error(wrong, 422, "form_invalid")
    assert list(error["details"]) == ["current_password"]
    assert_error(sign_in(app.test_client(), "qin", NEW_PASSWORD), 401)
    assert client.get("/api/v1/auth/me").status_code == 200  # still signed in


def test_own_change_refuses_a_weak_new_password_and_keeps_the_old(app, uow_factory):
    make_user(uow_factory, "qin", password=PASSWORD)
    client = app.test_client()
    csrf = {"X-CSRF-Token": login(client, "qin")}
    weak = client.post("/api/v1/auth/password", headers=csrf,
                       json={"current_password": PASSWORD, "new_password": "12345678"})
    assert assert_error(weak, 422, "form_invalid")["details"].keys() == {"new_password"}
    login(app.test_client(), "qin", PASSWORD)


def test_own_change_needs_a_signed_in_user_and_csrf(app, uow_factory):
    make_user(uow_factory, "qin", password=PASSWORD)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_error(app.test_client().post("/api/v1/auth/password", json=body), 401)
    client = app.test_client()
    login(client, "qin")
    assert_error(client.post("/api/v1/auth/password", json=body), 403, "forbidden")


def test_wrong_current_passwords_are_throttled_like_sign_ins(app, uow_factory):
    make_user(uow_factory, "qin", password=PASSWORD)
    client = app.test_client()
    bad = {"current_password": "guess guess guess", "new_password": NEW_PASSWORD}
    good = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    with time_machine.travel(NOW, tick=False):
        csrf = {"X-CSRF-Token": login(client, "qin")}
        for _ in range(3):
            assert_error(client.post("/api/v1/auth/password", headers=csrf, json=bad), 422)
        slowed = client.post("/api/v1/auth/password", headers=csrf, json=good)
    assert_error(slowed, 429, "too_many_attempts")
    assert int(slowed.headers["Retry-After"]) >= 1
