"""Camunda /user, /group and /identity over our accounts: who sees whom, admin writes."""

from __future__ import annotations

from tests.api.engine_rest.conftest import basic_header

R = "/engine-rest"
STRONG = "Kettle-Orbit-Lantern-93"


def _people(user):
    admin = user("root", "admin")
    wang = user("wang", "province:11:reviewer")
    user("li", "province:11:reviewer")
    user("zhou", "province:12:reviewer")
    return admin, wang


def test_a_user_sees_themself_and_their_groups_members_admin_sees_all(client, user):
    admin, wang = _people(user)
    everyone = client.get(f"{R}/user?sortBy=userId&sortOrder=asc", headers=admin).json
    assert [u["id"] for u in everyone] == ["li", "root", "wang", "zhou"]
    assert everyone[0] == {"id": "li", "firstName": "li", "lastName": "", "email": None}
    seen = client.get(f"{R}/user?sortBy=userId&sortOrder=desc", headers=wang).json
    assert [u["id"] for u in seen] == ["wang", "li"]
    assert client.get(f"{R}/user/count", headers=wang).json == {"count": 2}
    assert client.get(f"{R}/user/zhou/profile", headers=wang).status_code == 404
    assert client.get(f"{R}/user/zhou/profile", headers=admin).json["id"] == "zhou"
    members = client.get(f"{R}/user?memberOfGroup=province:12:reviewer", headers=admin).json
    assert [u["id"] for u in members] == ["zhou"]
    assert client.get(f"{R}/user?idIn=li,zhou&firstNameLike=z%25", headers=admin).json[0][
        "id"] == "zhou"
    assert client.get(f"{R}/user?memberOfTenant=t1", headers=admin).json == []
    refused = client.get(f"{R}/user?lastName=Wang", headers=admin)
    assert refused.status_code == 400 and "lastName" in refused.json["message"]
    groups = client.get(f"{R}/group", headers=wang).json
    assert groups == [{"id": "province:11:reviewer", "name": "province:11:reviewer",
                       "type": None}]
    assert client.get(f"{R}/group/province:12:reviewer", headers=wang).status_code == 404
    posted = client.post(f"{R}/group/count", headers=admin, json={"member": "zhou"}).json
    assert posted == {"count": 1}


def test_admin_creates_updates_unlocks_and_deletes_users(client, user):
    admin, wang = _people(user)
    body = {"profile": {"id": "chen", "firstName": "陈", "lastName": "明",
                        "email": "chen@example.cn"}, "credentials": {"password": STRONG}}
    assert client.post(f"{R}/user/create", json=body, headers=wang).status_code == 403
    weak = client.post(f"{R}/user/create", headers=admin, json={
        **body, "credentials": {"password": "password1"}})
    assert weak.status_code == 400 and "password" in weak.json["message"]
    assert client.post(f"{R}/user/create", json=body, headers=admin).status_code == 204
    assert client.post(f"{R}/user/create", json=body, headers=admin).status_code == 400
    assert client.get(f"{R}/user/chen/profile", headers=admin).json == {
        "id": "chen", "firstName": "陈 明", "lastName": "", "email": "chen@example.cn"}
    assert client.get(f"{R}/engine", headers=basic_header("chen", STRONG)).status_code == 200
    changed = client.put(f"{R}/user/chen/profile", headers=admin,
                         json={"id": "chen", "firstName": "陈明", "email": "c@example.cn"})
    assert changed.status_code == 204
    assert client.get(f"{R}/user/chen/profile", headers=admin).json["email"] == "c@example.cn"
    renamed = client.put(f"{R}/user/chen/profile", headers=admin, json={"id": "chen2"})
    assert renamed.status_code == 400 and "cannot change" in renamed.json["message"]
    assert client.put(f"{R}/user/wang/profile", headers=wang,
                      json={"firstName": "x"}).status_code == 403
    assert client.post(f"{R}/user/chen/unlock", headers=admin).status_code == 204
    assert client.post(f"{R}/user/chen/unlock", headers=wang).status_code == 404
    assert client.delete(f"{R}/user/root", headers=admin).status_code == 400
    assert client.delete(f"{R}/user/chen", headers=admin).status_code == 204
    assert client.get(f"{R}/user/chen/profile", headers=admin).status_code == 404
    assert client.get(f"{R}/engine", headers=basic_header("chen", STRONG)).status_code == 401


def test_credentials_need_the_callers_password_and_our_rule(client, user):
    admin, wang = _people(user)
    url = f"{R}/user/wang/credentials"
    wrong = client.put(url, headers=wang, json={"password": STRONG,
                                               "authenticatedUserPassword": "nope"})
    assert wrong.status_code == 400 and "authenticated user password" in wrong.json["message"]
    weak = client.put(url, headers=wang, json={"password": "wang12345",
                                              "authenticatedUserPassword": "s3cret-pass"})
    assert weak.status_code == 400
    ok = client.put(url, headers=wang, json={"password": STRONG,
                                            "authenticatedUserPassword": "s3cret-pass"})
    assert ok.status_code == 204
    assert client.get(f"{R}/engine", headers=basic_header("wang", STRONG)).status_code == 200
    other = client.put(f"{R}/user/li/credentials", headers=basic_header("wang", STRONG),
                       json={"password": STRONG, "authenticatedUserPassword": STRONG})
    assert other.status_code == 403
    reset = client.put(f"{R}/user/li/credentials", headers=admin, json={
        "password": STRONG, "authenticatedUserPassword": "s3cret-pass"})
    assert reset.status_code == 204
    assert client.get(f"{R}/engine", headers=basic_header("li", STRONG)).status_code == 200


def test_groups_and_memberships_are_admins(client, user):
    admin, wang = _people(user)
    assert client.post(f"{R}/group/create", headers=wang,
                       json={"id": "ministry:KT01", "name": "KT01"}).status_code == 403
    assert client.post(f"{R}/group/create", headers=admin,
                       json={"id": "ministry:KT01", "name": "KT01"}).status_code == 204
    assert client.post(f"{R}/group/create", headers=admin,
                       json={"id": "ministry:KT01"}).status_code == 400
    assert client.put(f"{R}/group/ministry:KT01", headers=admin,
                      json={"id": "ministry:KT01", "name": "产教联合体"}).status_code == 204
    assert client.get(f"{R}/group/ministry:KT01", headers=admin).json["name"] == "产教联合体"
    member = f"{R}/group/ministry:KT01/members/wang"
    assert client.put(member, headers=wang).status_code == 404
    assert client.put(member, headers=admin).status_code == 204
    assert client.put(member, headers=admin).status_code == 204
    info = client.get(f"{R}/identity/groups?userId=wang", headers=wang).json
    assert sorted(g["id"] for g in info["groups"]) == ["ministry:KT01", "province:11:reviewer"]
    assert sorted(u["id"] for u in info["groupUsers"]) == ["li", "wang"]
    assert client.get(f"{R}/identity/groups?userId=li", headers=wang).status_code == 403
    assert client.get(f"{R}/identity/groups", headers=wang).status_code == 400
    assert client.delete(member, headers=admin).status_code == 204
    assert client.delete(f"{R}/group/admin", headers=admin).status_code == 400
    assert client.delete(f"{R}/group/ministry:KT01", headers=admin).status_code == 204
    assert client.get(f"{R}/group/ministry:KT01", headers=admin).status_code == 404


def test_verify_and_password_policy(client, user):
    admin, wang = _people(user)
    ok = client.post(f"{R}/identity/verify", headers=wang,
                     json={"username": "wang", "password": "s3cret-pass"}).json
    assert ok["authenticatedUser"] == "wang" and ok["authenticated"] is True
    bad = client.post(f"{R}/identity/verify", headers=admin,
                      json={"username": "wang", "password": "guess"}).json
    assert bad["authenticated"] is False
    assert client.post(f"{R}/identity/verify", headers=wang, json={
        "username": "li", "password": "x"}).status_code == 403
    policy = client.get(f"{R}/identity/password-policy", headers=wang).json
    assert [r["placeholder"] for r in policy["rules"]] == [
        "PASSWORD_POLICY_LENGTH", "PASSWORD_POLICY_GUESSABLE"]
    assert policy["rules"][0]["parameter"] == {"minLength": "10"}
    short = client.post(f"{R}/identity/password-policy", headers=wang,
                        json={"password": "abc"}).json
    assert short["valid"] is False and short["rules"][0]["valid"] is False
    named = client.post(f"{R}/identity/password-policy", headers=wang, json={
        "password": "wangxiaoming2024", "profile": {"id": "wangxiaoming"}}).json
    assert named["rules"] == [
        {**policy["rules"][0], "valid": True}, {**policy["rules"][1], "valid": False}]
    good = client.post(f"{R}/identity/password-policy", headers=wang,
                       json={"password": STRONG}).json
    assert good["valid"] is True


def test_engine_telemetry_and_tenants_answer_honestly(client, user):
    admin, wang = _people(user)
    assert client.get(f"{R}/engine", headers=wang).json == [{"name": "default"}]
    assert client.get(f"{R}/telemetry/configuration", headers=wang).json == {
        "enableTelemetry": False}
    assert client.post(f"{R}/telemetry/configuration", headers=admin,
                       json={"enableTelemetry": True}).status_code == 400
    assert client.post(f"{R}/telemetry/configuration", headers=admin,
                       json={"enableTelemetry": False}).status_code == 204
    assert client.post(f"{R}/telemetry/configuration", headers=wang,
                       json={"enableTelemetry": False}).status_code == 403
    data = client.get(f"{R}/telemetry/data", headers=admin).json
    assert data["product"]["name"] == "VocFlow"
    assert data["product"]["internals"]["database"]["vendor"] in ("sqlite", "postgresql")
    assert client.get(f"{R}/tenant", headers=wang).json == []
    assert client.get(f"{R}/tenant/count?name=x", headers=wang).json == {"count": 0}
    assert client.get(f"{R}/tenant/t1", headers=wang).status_code == 404
    created = client.post(f"{R}/tenant/create", headers=admin, json={"id": "t1", "name": "T"})
    assert created.status_code == 400 and "not supported" in created.json["message"]
    assert client.post(f"{R}/tenant/create", headers=wang, json={"id": "t1"}).status_code == 403
    for method, path in (("put", "/tenant/t1"), ("delete", "/tenant/t1"),
                         ("put", "/tenant/t1/user-members/wang"),
                         ("delete", "/tenant/t1/group-members/admin")):
        assert getattr(client, method)(f"{R}{path}", headers=admin).status_code == 404, path
