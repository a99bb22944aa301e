"""POST /message to a catch with BPMN correlation properties (SpiffWorkflow's conversations):
Camunda correlates by name, so a message lacking a property still arrives (was a 500)."""

from __future__ import annotations

from tests.factories import deploy_fixture, start

R = "/engine-rest"


def _state(client, ops, instance_id):
    return client.get(f"{R}/history/process-instance/{instance_id}", headers=ops).json["state"]


def test_a_message_without_the_correlation_property_correlates_by_name(client, uow_factory,
                                                                       ops):
    deploy_fixture(uow_factory, "msg_correlation.bpmn")
    instance_id = start(uow_factory, "msg_correlation").id
    assert _state(client, ops, instance_id) == "ACTIVE"
    paid = client.post(f"{R}/message", json={"messageName": "paid"}, headers=ops)
    assert paid.status_code == 204, paid.get_data(as_text=True)
    assert _state(client, ops, instance_id) == "COMPLETED"


def test_a_message_with_the_property_correlates_and_sets_it(client, uow_factory, ops):
    deploy_fixture(uow_factory, "msg_correlation.bpmn")
    instance_id = start(uow_factory, "msg_correlation").id
    body = {"messageName": "paid",
            "processVariables": {"order_id": {"value": "A-1", "type": "String"}}}
    paid = client.post(f"{R}/message", json=body, headers=ops)
    assert paid.status_code == 204, paid.get_data(as_text=True)
    assert _state(client, ops, instance_id) == "COMPLETED"
    variables = client.get(f"{R}/history/variable-instance?processInstanceId={instance_id}",
                           headers=ops).json
    assert {v["name"]: v["value"] for v in variables}.get("order_id") == "A-1"
    again = client.post(f"{R}/message", json=body, headers=ops)
    assert again.status_code == 400  # nothing waits any more
