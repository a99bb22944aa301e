"""/api/v1/instances: start, scoped list with cursor, one, history, variables, ops actions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import assert_error, bearer
from tests.factories import NOW, deploy_fixture, open_tasks, start

DUE = "2026-12-15T23:59:00+08:00"


@pytest.fixture
def data(uow_factory):
    """Three instances: unit u1 in province 11, unit u2 in province 44 (KT03), and 11 again."""
    deploy_fixture(uow_factory, "review.bpmn")
    return {
        "a": start(uow_factory, "simple_review", NOW, province_code="11", unit_id="u1",
                   key_task="KT01", review_due=DUE, business_key="A"),
        "b": start(uow_factory, "simple_review", NOW + timedelta(minutes=1),
                   province_code="44", unit_id="u2", key_task="KT03", review_due=DUE,
                   business_key="B"),
        "c": start(uow_factory, "simple_review", NOW + timedelta(minutes=2),
                   province_code="11", unit_id="u3", key_task="KT01", review_due=DUE,
                   business_key="C"),
    }


def _ids(response):
    return [i["business_key"] for i in response.json["items"]]


def test_scopes_filter_the_list(client, uow_factory, data):
    ops = bearer(uow_factory, "ops1", "ops")
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    unit = bearer(uow_factory, "unit2", "unit:u2")
    ministry = bearer(uow_factory, "kt03", "ministry:KT03")
    nobody = bearer(uow_factory, "plain")
    assert _ids(client.get("/api/v1/instances", headers=ops)) == ["C", "B", "A"]
    assert _ids(client.get("/api/v1/instances", headers=p11)) == ["C", "A"]
    assert _ids(client.get("/api/v1/instances", headers=unit)) == ["B"]
    assert _ids(client.get("/api/v1/instances", headers=ministry)) == ["B"]
    assert _ids(client.get("/api/v1/instances", headers=nobody)) == []


def test_out_of_scope_is_404_everywhere(client, uow_factory, data):
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    u1 = bearer(uow_factory, "unit1", "unit:u1")
    b, a = data["b"].id, data["a"].id
    for path in ("", "/history", "/variables"):
        assert_error(client.get(f"/api/v1/instances/{b}{path}", headers=p11), 404, "not_found")
    assert_error(client.post(f"/api/v1/instances/{b}/suspend", headers=p11), 404)
    assert_error(client.get(f"/api/v1/instances/{data['c'].id}", headers=u1), 404)
    assert client.get(f"/api/v1/instances/{a}", headers=u1).status_code == 200
    assert_error(client.post(f"/api/v1/instances/{a}/suspend", headers=u1), 403, "forbidden")


def test_filters_and_cursor_pagination(client, uow_factory, data):
    ops = bearer(uow_factory, "ops1", "ops")
    first = client.get("/api/v1/instances?limit=2", headers=ops)
    assert _ids(first) == ["C", "B"] and first.json["next_cursor"]
    rest = client.get(f"/api/v1/instances?limit=2&cursor={first.json['next_cursor']}",
                      headers=ops)
    assert _ids(rest) == ["A"] and rest.json["next_cursor"] is None
    assert _ids(client.get("/api/v1/instances?province=44", headers=ops)) == ["B"]
    assert _ids(client.get("/api/v1/instances?key_task=KT01", headers=ops)) == ["C", "A"]
    assert _ids(client.get("/api/v1/instances?business_key=A", headers=ops)) == ["A"]
    assert _ids(client.get("/api/v1/instances?process=nope", headers=ops)) == []
    assert _ids(client.get("/api/v1/instances?status=running&stuck=false", headers=ops)) == [
        "C", "B", "A"]
    since = (NOW + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    assert _ids(client.get(f"/api/v1/instances?started_from={since}", headers=ops)) == [
        "C", "B"]
    assert_error(client.get("/api/v1/instances?cursor=@@@", headers=ops), 400)
    assert_error(client.get("/api/v1/instances?limit=0", headers=ops), 422)
    assert_error(client.get("/api/v1/instances?status=odd", headers=ops), 422)


def test_start_detail_history_records_the_actor(client, uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    unit = bearer(uow_factory, "unit1", "unit:u1")
    body = {"process": "simple_review", "business_key": "P-1",
            "variables": {"province_code": "11", "unit_id": "u1", "review_due": DUE}}
    started = client.post("/api/v1/instances", json=body, headers=unit)
    assert started.status_code == 201, started.json
    iid = started.json["id"]
    assert started.json["province_code"] == "11" and started.json["started_by"] == "unit1"
    detail = client.get(f"/api/v1/instances/{iid}", headers=unit).json
    assert [t["element_id"] for t in detail["tasks"]] == ["Task_Review"]
    assert detail["variables"]["province_code"] == "11"
    assert {"element_id": "Task_Review", "state": "READY"}.items() <= {
        k: v for a in detail["activities"] if a["element_id"] == "Task_Review"
        for k, v in a.items()}.items()
    history = client.get(f"/api/v1/instances/{iid}/history", headers=unit).json
    assert [(h["action"], h["actor"]) for h in history] == [("instance_started", "unit1")]
    other = dict(body, variables=dict(body["variables"], unit_id="u9"))
    assert_error(client.post("/api/v1/instances", json=other, headers=unit), 403)
    assert_error(client.post("/api/v1/instances", json={"process": "nope"}, headers=unit), 404)
    assert_error(client.post("/api/v1/instances", json={"variables": 1}, headers=unit), 422)
    assert_error(client.post("/api/v1/instances", json=[1], headers=unit), 422)


def test_variables_put_is_ops_only_with_reason(client, uow_factory, data):
    ops = bearer(uow_factory, "ops1", "ops")
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    iid = data["a"].id
    url = f"/api/v1/instances/{iid}/variables"
    assert_error(client.put(url, json={"variables": {"x": 1}}, headers=ops), 422)
    assert_error(client.put(url, json={"variables": {"x": 1}, "reason": "r"}, headers=p11), 403)
    done = client.put(url, json={"variables": {"score": 90}, "reason": "typo"}, headers=ops)
    assert done.status_code == 200 and done.json["variables"]["score"] == 90
    assert client.get(url, headers=p11).json["variables"]["score"] == 90
    history = client.get(f"/api/v1/instances/{iid}/history", headers=ops).json
    assert history[-1]["action"] == "variables_set" and history[-1]["actor"] == "ops1"
    assert history[-1]["data"]["reason"] == "typo"


def test_suspend_resume_terminate(client, uow_factory, data):
    ops = bearer(uow_factory, "ops1", "ops")
    url = f"/api/v1/instances/{data['a'].id}"
    assert client.post(f"{url}/suspend", headers=ops).json["status"] == "suspended"
    assert_error(client.post(f"{url}/suspend", headers=ops), 409, "invalid_state")
    assert client.post(f"{url}/resume", headers=ops).json["status"] == "running"
    ended = client.post(f"{url}/terminate", json={"reason": "dup"}, headers=ops)
    assert ended.json["status"] == "terminated" and ended.json["ended_at"]
    assert_error(client.post(f"{url}/terminate", json={}, headers=ops), 409)
    assert open_tasks(uow_factory, data["a"].id) == []


def test_move_token_and_migrate(client, uow_factory, data):
    ops = bearer(uow_factory, "ops1", "ops")
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    iid = data["a"].id
    [task] = open_tasks(uow_factory, iid)
    body = {"from_task_id": task.id, "to_element_id": "StartEvent_1"}
    assert_error(client.post(f"/api/v1/instances/{iid}/move", json=body, headers=p11), 403)
    moved = client.post(f"/api/v1/instances/{iid}/move", json=body, headers=ops)
    assert moved.status_code == 200, moved.json
    [again] = open_tasks(uow_factory, iid)
    assert again.id != task.id and again.element_id == "Task_Review"
    migrate = client.post(f"/api/v1/instances/{iid}/migrate",
                          json={"target_definition_id": "x"}, headers=ops)
    assert_error(migrate, 404, "not_found")
