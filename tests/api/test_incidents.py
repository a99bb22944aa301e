"""/api/v1/incidents: list (scoped), one with details, retry, resolve (ops only)."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_error, bearer, deploy_api_fixture
from tests.factories import open_tasks, start


@pytest.fixture
def incident(client, uow_factory):
    """A gateway condition fails after the review form: `approved` is not a form field."""
    deploy_api_fixture(uow_factory, "form_review.bpmn")
    inst = start(uow_factory, "form_review", province_code="11",
                 review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(uow_factory, inst.id)
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    done = client.post(f"/api/v1/tasks/{task.id}/complete",
                       json={"data": {"decision": "approve", "score": 80}}, headers=p11)
    assert done.status_code == 200 and done.json["incident"]
    return inst.id, p11


def test_list_and_show_in_scope_only(client, uow_factory, incident):
    iid, p11 = incident
    listed = client.get("/api/v1/incidents", headers=p11).json
    assert [i["instance_id"] for i in listed] == [iid]
    one = client.get(f"/api/v1/incidents/{listed[0]['id']}", headers=p11).json
    assert one["element_id"] and one["message"] and "traceback" in one
    p44 = bearer(uow_factory, "p44", "province:44:reviewer")
    assert client.get("/api/v1/incidents", headers=p44).json == []
    assert_error(client.get(f"/api/v1/incidents/{one['id']}", headers=p44), 404, "not_found")
    assert_error(client.post(f"/api/v1/incidents/{one['id']}/retry", headers=p11), 403)


def test_fix_data_then_retry_completes(client, uow_factory, incident):
    iid, _ = incident
    ops = bearer(uow_factory, "ops1", "ops")
    [inc] = client.get(f"/api/v1/incidents?instance_id={iid}", headers=ops).json
    again = client.post(f"/api/v1/incidents/{inc['id']}/retry", headers=ops)
    assert again.status_code == 200 and again.json["id"] != inc["id"]
    fixed = client.put(f"/api/v1/instances/{iid}/variables", headers=ops,
                       json={"variables": {"approved": True}, "reason": "missing flag"})
    assert fixed.status_code == 200
    retried = client.post(f"/api/v1/incidents/{again.json['id']}/retry", headers=ops)
    assert retried.json["resolution"] == "retried"
    assert client.get(f"/api/v1/instances/{iid}", headers=ops).json["status"] == "completed"
    assert client.get("/api/v1/incidents", headers=ops).json == []


def test_resolve(client, uow_factory, incident):
    ops = bearer(uow_factory, "ops1", "ops")
    [inc] = client.get("/api/v1/incidents", headers=ops).json
    done = client.post(f"/api/v1/incidents/{inc['id']}/resolve", json={"note": "manual"},
                       headers=ops)
    assert done.json["resolved_by"] == "ops1" and done.json["resolution"] == "resolved"
    assert_error(client.post(f"/api/v1/incidents/{inc['id']}/resolve", json={}, headers=ops),
                 409)
    closed = client.get("/api/v1/incidents?open=false", headers=ops).json
    assert [i["id"] for i in closed] == [inc["id"]]
