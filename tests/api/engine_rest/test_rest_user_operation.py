"""Camunda /history/user-operation: who did what, in Camunda's words, in the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from api.engine_rest.user_operation import OPERATIONS
from engine import service
from engine.repository import USER_OPERATIONS
from tests.factories import FIXTURES, NOW, deploy_fixture, make_user

R = "/engine-rest"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _start(client, headers, **variables):
    typed = {k: {"value": v} for k, v in variables.items()}
    response = client.post(f"{R}/process-definition/key/simple_review/start",
                           headers=headers, json={"variables": typed})
    assert response.status_code == 200, response.json
    return response.json["id"]


def _ops_of(client, headers, query=""):
    entries = client.get(f"{R}/history/user-operation?{query}", headers=headers).json
    return [(e["operationType"], e["entityType"], e["userId"]) for e in entries]


def _count(client, headers, query=""):
    return client.get(f"{R}/history/user-operation/count?{query}", headers=headers).json[
        "count"]


def test_user_operations_in_order_and_in_scope(client, uow_factory, ops, user, basic):
    designer = make_user(uow_factory, "des", "designer")
    with uow_factory() as uow:
        service.deploy(uow, {"review.bpmn": (FIXTURES / "review.bpmn").read_bytes()},
                       designer, NOW)
    wang = user("wang", "province:11:reviewer")
    li = user("li", "province:44:reviewer")
    with time_machine.travel(T0, tick=False) as traveller:
        instance_id = _start(client, ops, province_code="11", review_due="")
        traveller.shift(MINUTE)
        [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=wang).json
        assert client.post(f"{R}/task/{task['id']}/claim", headers=wang,
                           json={"userId": "wang"}).status_code == 204
        traveller.shift(MINUTE)
        assert client.post(f"{R}/task/{task['id']}/complete", headers=wang, json={
            "variables": {"approved": {"value": True}, "score": {"value": 80}}}
        ).status_code == 204
        other_id = _start(client, ops, province_code="11", review_due="")
        assert client.delete(f"{R}/process-instance/{other_id}", headers=ops).status_code == 204

    mine = f"processInstanceId={instance_id}&sortBy=timestamp&sortOrder=asc"
    assert _ops_of(client, ops, mine) == [("Create", "ProcessInstance", "ops1"),
                                          ("Claim", "Task", "wang"), ("Complete", "Task", "wang")]
    claim = client.get(f"{R}/history/user-operation?{mine}", headers=ops).json[1]
    assert (claim["taskId"], claim["property"], claim["newValue"], claim["category"]) == (
        task["id"], "assignee", "wang", "TaskWorker")
    assert (claim["timestamp"], claim["processDefinitionKey"]) == (
        "2026-11-30T01:01:00.000+0000", "simple_review")
    [deleted] = client.get(f"{R}/history/user-operation?operationType=Delete", headers=ops).json
    assert (deleted["processInstanceId"], deleted["property"]) == (other_id, "deleteReason")
    [deploy] = client.get(f"{R}/history/user-operation?entityType=Deployment",
                          headers=ops).json
    assert deploy["userId"] == "des" and deploy["deploymentId"]
    assert _count(client, ops, "category=TaskWorker") == 2
    assert _count(client, ops, "entityTypeIn=Task,Deployment") == 3
    assert _count(client, ops, "afterTimestamp=2026-11-30T01:00:30.000%2B0000") == 4
    assert client.get(f"{R}/deployment", headers=basic("wang", "wrong")).status_code == 401
    assert _count(client, ops) == 6  # a failed sign-in is no operation
    assert _count(client, wang) == 5  # their province's instances; no deployment
    assert _count(client, li) == 0


def test_every_operation_has_camunda_names(client, ops):
    assert set(OPERATIONS) == set(USER_OPERATIONS)
    bad = client.get(f"{R}/history/user-operation?operationId=1", headers=ops)
    assert bad.status_code == 400 and "operationId" in bad.json["message"]
    sort = client.get(f"{R}/history/user-operation?sortBy=userId&sortOrder=asc", headers=ops)
    assert sort.status_code == 400 and "userId" in sort.json["message"]


def test_ops_annotate_an_operation_and_clear_the_note(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    wang = user("wang", "province:11:reviewer")
    instance_id = _start(client, ops, province_code="11", review_due="")
    [created] = client.get(f"{R}/history/user-operation?processInstanceId={instance_id}",
                           headers=ops).json
    url = f"{R}/history/user-operation/{created['operationId']}"
    assert client.put(f"{url}/set-annotation", headers=ops,
                      json={"annotation": "started for the audit"}).status_code == 204
    listed = _ops_of(client, ops, f"processInstanceId={instance_id}&sortBy=timestamp"
                                  "&sortOrder=asc")
    assert listed == [("Create", "ProcessInstance", "ops1"),
                      ("SetAnnotation", "OperationLog", "ops1")]
    entries = client.get(f"{R}/history/user-operation?processInstanceId={instance_id}"
                         "&operationType=Create", headers=wang).json
    assert entries[0]["annotation"] == "started for the audit"
    refused = client.put(f"{url}/set-annotation", headers=wang, json={"annotation": "mine"})
    assert refused.status_code == 403
    empty = client.put(f"{url}/set-annotation", headers=ops, json={"annotation": " "})
    assert empty.status_code == 400 and "annotation" in empty.json["message"]
    assert client.put(f"{url}/clear-annotation", headers=ops).status_code == 204
    entries = client.get(f"{R}/history/user-operation?operationType=Create", headers=ops).json
    assert entries[0]["annotation"] is None
    assert _count(client, ops, "operationType=ClearAnnotation") == 1
    assert client.put(f"{R}/history/user-operation/999999/clear-annotation",
                      headers=ops).status_code == 404
