"""Compensation driven the way Camunda Modeler and a Camunda 7 client drive it (/engine-rest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine import bpmn
from tests.api.engine_rest.test_rest_modeler import deploy_like_modeler
from tests.factories import FIXTURES, show

R = "/engine-rest"
CORPUS_TX = (Path(__file__).resolve().parents[4] / "shared" / "corpus-practice"
             / "camunda-bpm-platform" / "TransactionSubProcessTest.testSimpleCase.bpmn20.xml")


def _start(client: Any, headers: dict[str, str], key: str) -> str:
    answer = client.post(f"{R}/process-definition/key/{key}/start", headers=headers, json={})
    assert answer.status_code == 200, answer.json
    return str(answer.json["id"])


def _tasks(client: Any, headers: dict[str, str], instance_id: str) -> list[dict[str, Any]]:
    answer = client.get(f"{R}/task?processInstanceId={instance_id}", headers=headers)
    assert answer.status_code == 200, answer.json
    return list(answer.json)


def _fetch_and_complete(client: Any, headers: dict[str, str], instance_id: str) -> list[str]:
    """As the corpus runner: every topic the instance waits on, fetched and completed."""
    waiting = client.get(f"{R}/external-task?processInstanceId={instance_id}", headers=headers)
    topics = sorted({t["topicName"] for t in waiting.json})
    if not topics:
        return []
    locked = client.post(f"{R}/external-task/fetchAndLock", headers=headers, json={
        "workerId": "w1", "maxTasks": 100,
        "topics": [{"topicName": t, "lockDuration": 60000} for t in topics]})
    assert locked.status_code == 200, locked.json
    for task in locked.json:
        done = client.post(f"{R}/external-task/{task['id']}/complete", headers=headers,
                           json={"workerId": "w1"})
        assert done.status_code == 204, done.json
    return [t["activityId"] for t in locked.json]


def _finished(client: Any, headers: dict[str, str], instance_id: str, kind: str) -> list[str]:
    """Activity ids of the instance's finished activities of one type, sorted."""
    answer = client.get(f"{R}/history/activity-instance?processInstanceId={instance_id}"
                        f"&activityType={kind}&finished=true", headers=headers)
    assert answer.status_code == 200, answer.json
    return sorted(a["activityId"] for a in answer.json)


def _variable(client: Any, headers: dict[str, str], instance_id: str, name: str) -> Any:
    answer = client.get(f"{R}/history/variable-instance?processInstanceId={instance_id}"
                        f"&variableName={name}", headers=headers)
    assert answer.status_code == 200, answer.json
    [row] = answer.json
    return row["value"]


def test_a_user_task_handler_is_a_camunda_task_and_the_throw_goes_on_after_it(
        client, designer, user):
    admin = user("comp_admin", "admin", "ops")
    content = (FIXTURES / "compat_compensation_throw.bpmn").read_bytes()
    deployed = deploy_like_modeler(client, designer, "compat_compensation_throw.bpmn", content)
    assert deployed.status_code == 200, deployed.json
    instance_id = _start(client, admin, "compat_compensation_throw")
    [task] = _tasks(client, admin, instance_id)
    assert (task["taskDefinitionKey"], task["name"]) == ("Undo_Flight", "退票")
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances", headers=admin)
    active = {c["activityId"]: c["activityType"] for c in tree.json["childActivityInstances"]}
    assert active["Throw_Compensate"] == "intermediateCompensationThrowEvent"  # it waits
    bpmn.WORKFLOWS.clear()  # the next step restores the stored state
    done = client.post(f"{R}/task/{task['id']}/complete", headers=admin, json={
        "variables": {"refunded": {"value": True, "type": "Boolean"}}})
    assert done.status_code == 204, done.json
    state = client.get(f"{R}/history/process-instance/{instance_id}", headers=admin)
    assert state.json["state"] == "COMPLETED"
    assert json.loads(_variable(client, admin, instance_id, "trail")) == [
        "hotel", "flight", "undo hotel", "after"]


@pytest.mark.skipif(not CORPUS_TX.is_file(), reason="../shared/corpus-practice is not here")
def test_the_camunda_transaction_test_cancels_compensating_every_instance_newest_first(
        client, designer, user, uow_factory):
    admin = user("comp_admin2", "admin", "ops", "worker")
    deployed = deploy_like_modeler(client, designer, CORPUS_TX.name, CORPUS_TX.read_bytes())
    assert deployed.status_code == 200, deployed.json
    instance_id = _start(client, admin, "transactionProcess")
    # the bookings are camunda:expression="${true}": they run in the step, as in Camunda
    [ask] = _tasks(client, admin, instance_id)
    assert _finished(client, admin, instance_id, "serviceTask") == [
        "bookFlight", *["bookHotel"] * 5]
    assert client.post(f"{R}/task/{ask['id']}/complete", headers=admin, json={
        "variables": {"confirmed": {"value": False, "type": "Boolean"}}}).status_code == 204
    assert "chargeCard" in _finished(client, admin, instance_id, "serviceTask")
    undone: list[str] = []
    while moved := _fetch_and_complete(client, admin, instance_id):
        assert len(moved) == 1  # one handler after the other
        undone += moved
        bpmn.WORKFLOWS.clear()
    assert undone[0] == "undoChargeCard"  # the newest completion first
    assert sorted(undone[1:]) == ["undoBookFlight", *["undoBookHotel"] * 5]
    # as in Camunda's own test, the cancel boundary leads to a receive task that waits
    [token] = client.get(f"{R}/execution?processInstanceId={instance_id}&"
                         "activityId=afterCancellation", headers=admin).json
    state = client.get(f"{R}/history/process-instance/{instance_id}", headers=admin)
    assert state.json["state"] == "ACTIVE"
    assert client.post(f"{R}/execution/{token['id']}/signal", headers=admin,
                       json={}).status_code == 204
    state = client.get(f"{R}/history/process-instance/{instance_id}", headers=admin)
    assert state.json["state"] == "COMPLETED"
    ids = {a["element_id"] for a in show(uow_factory, instance_id).activities
           if a["state"] == "COMPLETED"}
    assert {"catchCancelTx", "afterCancellation"} <= ids  # left by the cancel boundary
    assert "afterSuccess" not in ids
