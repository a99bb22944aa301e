"""POST /condition: instances start at the conditional start events that hold."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.factories import deploy_files

HERE = Path(__file__).resolve().parent
R = "/engine-rest"


def test_without_conditional_start_events_nothing_is_subscribed(client, uow_factory, user):
    [flow] = deploy_files(uow_factory, HERE / "fixtures" / "js_flow.bpmn")
    starter = user("starter", "staff")
    answer = client.post(f"{R}/condition", headers=starter,
                         json={"variables": {"amount": {"value": 150, "type": "Integer"}}})
    assert answer.status_code == 400
    assert "No subscriptions were found" in answer.json["message"]
    named = client.post(f"{R}/condition", headers=starter,
                        json={"processDefinitionId": flow.id})
    assert named.status_code == 400 and "does not declare" in named.json["message"]
    assert client.get(f"{R}/process-instance/count", headers=user("o", "ops")
                      ).json == {"count": 0}


def _deploy(client, designer, name: str) -> None:
    fixture = HERE / "fixtures" / name
    deployed = client.post(f"{R}/deployment/create", headers=designer,
                           content_type="multipart/form-data", data={
                               fixture.name: (io.BytesIO(fixture.read_bytes()), fixture.name)})
    assert deployed.status_code == 200, deployed.json


def _waiting_at(client, ops, instance_id: str) -> list[str]:
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances", headers=ops)
    assert tree.status_code == 200, tree.json
    return sorted(child["activityId"] for child in tree.json["childActivityInstances"])


def _integer(value: int) -> dict:
    return {"value": value, "type": "Integer"}


def test_an_instance_starts_where_the_condition_holds(client, designer, ops):
    _deploy(client, designer, "cond_start.bpmn")  # ${amount > 100}, then an external task
    below = client.post(f"{R}/condition", headers=ops,
                        json={"variables": {"amount": _integer(50)}})
    assert below.status_code == 200 and below.json == [], below.json
    lacking = client.post(f"{R}/condition", headers=ops, json={"variables": {}})
    assert lacking.status_code == 200 and lacking.json == []  # unknown variable: false
    above = client.post(f"{R}/condition", headers=ops, json={
        "variables": {"amount": _integer(150)}, "businessKey": "unit-7"})
    assert above.status_code == 200, above.json
    [started] = above.json
    assert started["businessKey"] == "unit-7" and started["ended"] is False
    assert started["definitionId"].startswith("cond_start:")
    assert _waiting_at(client, ops, started["id"]) == ["Task_Check"]
    amount = client.get(f"{R}/process-instance/{started['id']}/variables/amount", headers=ops)
    assert amount.json["value"] == 150
    assert client.get(f"{R}/process-instance/count", headers=ops).json == {"count": 1}


def test_a_start_by_key_goes_past_the_conditional_start_event(client, designer, ops):
    _deploy(client, designer, "cond_start.bpmn")
    started = client.post(f"{R}/process-definition/key/cond_start/start", headers=ops, json={})
    assert started.status_code == 200, started.json
    assert _waiting_at(client, ops, started.json["id"]) == ["Task_Check"]


def test_each_holding_start_event_starts_its_own_instance(client, designer, ops):
    _deploy(client, designer, "cond_two_starts.bpmn")  # none, ${priority == 'high'}, amount
    urgent = client.post(f"{R}/condition", headers=ops, json={
        "variables": {"priority": {"value": "high", "type": "String"}}})
    assert urgent.status_code == 200, urgent.json
    [one] = urgent.json
    assert _waiting_at(client, ops, one["id"]) == ["Task_Urgent"]  # not the none start's
    both = client.post(f"{R}/condition", headers=ops, json={
        "variables": {"priority": {"value": "high", "type": "String"},
                      "amount": _integer(5000)}})
    assert sorted(_waiting_at(client, ops, i["id"])[0] for i in both.json) == [
        "Task_Large", "Task_Urgent"]
    plain = client.post(f"{R}/process-definition/key/cond_two_starts/start", headers=ops,
                        json={})
    assert _waiting_at(client, ops, plain.json["id"]) == ["Task_Normal"]


def test_named_and_suspended_definitions(client, designer, ops, uow_factory):
    _deploy(client, designer, "cond_start.bpmn")
    _deploy(client, designer, "cond_two_starts.bpmn")
    [definition] = client.get(f"{R}/process-definition?key=cond_two_starts",
                              headers=ops).json
    body = {"variables": {"amount": _integer(5000)}}
    named = client.post(f"{R}/condition", headers=ops,
                        json={**body, "processDefinitionId": definition["id"]})
    [only] = named.json
    assert only["definitionId"] == definition["id"]
    suspended = client.put(f"{R}/process-definition/key/cond_start/suspended", headers=ops,
                           json={"suspended": True})
    assert suspended.status_code == 204, suspended.json
    rest = client.post(f"{R}/condition", headers=ops, json=body)
    assert [i["definitionId"] for i in rest.json] == [definition["id"]]


def test_a_condition_that_cannot_be_evaluated_is_refused_naming_the_event(client, designer,
                                                                         ops):
    _deploy(client, designer, "cond_start.bpmn")
    answer = client.post(f"{R}/condition", headers=ops, json={
        "variables": {"amount": {"value": "many", "type": "String"}}})
    assert answer.status_code == 400, answer.json
    assert "'StartEvent_1'" in answer.json["message"] and "cond_start" in answer.json["message"]
    assert client.get(f"{R}/process-instance/count", headers=ops).json == {"count": 0}


@pytest.mark.parametrize("body", [
    {"colour": "red"}, {"businessKey": 7}, {"tenantId": "t1"}, {"withoutTenantId": "maybe"},
    {"variables": {"amount": {"value": "x", "type": "Integer"}}},
])
def test_bad_condition_requests_are_400(client, ops, body):
    answer = client.post(f"{R}/condition", headers=ops, json=body)
    assert answer.status_code == 400 and answer.json["type"] == "InvalidRequestException"
