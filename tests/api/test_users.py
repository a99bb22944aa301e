"""/api/v1 users, groups, memberships and tokens: admin only, except one's own tokens."""

from __future__ import annotations

import time_machine

from tests.api.conftest import PASSWORD, assert_error, bearer, login
from tests.factories import NOW, make_user


def test_admin_manages_users_groups_and_memberships(client, uow_factory):
    admin = bearer(uow_factory, "root", "admin")
    made = client.post("/api/v1/users", headers=admin, json={
        "username": "zhou", "password": "long enough pw", "groups": ["unit:u1"]})
    assert made.status_code == 201 and made.json["groups"] == ["unit:u1"]
    assert_error(client.post("/api/v1/users", headers=admin, json={"username": "zhou"}), 409)
    assert_error(client.post("/api/v1/users", headers=admin, json={"username": ""}), 422)
    assert "zhou" in [u["username"] for u in client.get("/api/v1/users", headers=admin).json]
    put = client.put("/api/v1/groups/province:11:reviewer/members/zhou", headers=admin)
    assert put.status_code == 204
    assert client.get("/api/v1/users/zhou", headers=admin).json["groups"] == [
        "province:11:reviewer", "unit:u1"]
    assert client.delete("/api/v1/groups/unit:u1/members/zhou", headers=admin).status_code == 204
    assert_error(client.delete("/api/v1/groups/unit:u1/members/zhou", headers=admin), 409)
    assert "province:11:reviewer" in [
        g["name"] for g in client.get("/api/v1/groups", headers=admin).json]
    patched = client.patch("/api/v1/users/zhou", headers=admin,
                           json={"display_name": "周", "is_active": False})
    assert patched.json["display_name"] == "周" and patched.json["is_active"] is False
    assert_error(client.patch("/api/v1/users/none", headers=admin, json={}), 404)


def test_non_admin_is_403_but_sees_self(client, uow_factory):
    user = bearer(uow_factory, "wu", "unit:u1")
    assert_error(client.get("/api/v1/users", headers=user), 403, "forbidden")
    assert_error(client.post("/api/v1/groups", headers=user, json={"name": "x"}), 403)
    assert_error(client.put("/api/v1/groups/admin/members/wu", headers=user), 403)
    assert_error(client.get("/api/v1/users/root", headers=user), 403)
    assert client.get("/api/v1/users/wu", headers=user).json["username"] == "wu"
    assert_error(client.post("/api/v1/tokens", headers=user,
                             json={"name": "x", "username": "other"}), 403)


def test_admin_unlocks_a_locked_user(client, uow_factory):
    admin = bearer(uow_factory, "root", "admin")
    make_user(uow_factory, "zheng", password=PASSWORD)
    with time_machine.travel(NOW, tick=False):  # the 1 s wait must not pass under load
        for _ in range(3):
            client.post("/api/v1/auth/login", json={"username": "zheng", "password": "bad"})
        assert_error(client.post("/api/v1/auth/login",
                                 json={"username": "zheng", "password": PASSWORD}), 429)
        shown = client.get("/api/v1/users/zheng", headers=admin).json
        assert shown["failed_logins"] == 3 and shown["locked_until"]
        client.patch("/api/v1/users/zheng", headers=admin, json={"unlock": True})
        login(client, "zheng")


def test_admin_lists_and_revokes_anyones_tokens(client, uow_factory):
    admin = bearer(uow_factory, "root", "admin")
    user = bearer(uow_factory, "feng")
    tokens = client.get("/api/v1/tokens?username=feng", headers=admin).json
    assert [t["username"] for t in tokens] == ["feng"]
    assert client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=admin).status_code == 204
    assert_error(client.get("/api/v1/auth/me", headers=user), 401)
    assert_error(client.delete("/api/v1/tokens/99999", headers=admin), 404)
