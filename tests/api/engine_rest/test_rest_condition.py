"""POST /condition: VocFlow evaluates no conditional start events, and says so."""

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


def test_a_deployed_conditional_start_event_is_refused_by_name(client, designer, ops):
    fixture = HERE / "fixtures" / "cond_start.bpmn"
    deployed = client.post(f"{R}/deployment/create", headers=designer,
                           content_type="multipart/form-data", data={
                               fixture.name: (io.BytesIO(fixture.read_bytes()), fixture.name)})
    assert deployed.status_code == 200, deployed.json
    answer = client.post(f"{R}/condition", headers=ops,
                         json={"variables": {"amount": {"value": 150, "type": "Integer"}}})
    assert answer.status_code == 400, answer.json
    assert "not evaluated" in answer.json["message"] and "cond_start" in answer.json["message"]


@pytest.mark.parametrize("body", [
    {"colour": "red"}, {"businessKey": 7}, {"tenantId": "t1"}, {"withoutTenantId": "maybe"},
    {"variables": {"amount": {"value": "x", "type": "Integer"}}},
])
def test_bad_condition_requests_are_400(client, ops, body):
    answer = client.post(f"{R}/condition", headers=ops, json=body)
    assert answer.status_code == 400 and answer.json["type"] == "InvalidRequestException"
