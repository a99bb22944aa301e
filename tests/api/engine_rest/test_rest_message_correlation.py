"""POST /message with BPMN correlation properties (SpiffWorkflow's conversations)."""

from __future__ import annotations

from tests.factories import deploy_fixture, start

R = "/engine-rest"


def test_a_payload_without_the_correlation_property_does_not_correlate(client, uow_factory,
                                                                       ops):
    deploy_fixture(uow_factory, "msg_correlation.bpmn")
    instance_id = start(uow_factory, "msg_correlation").id
    refused = client.post(f"{R}/message", json={"messageName": "paid"}, headers=ops)
    assert refused.status_code == 400, refused.json  # was a 500 (NameError)
    assert "no instance waits for message 'paid'" in refused.json["message"]
    state = client.get(f"{R}/history/process-instance/{instance_id}", headers=ops).json
    assert state["state"] == "ACTIVE"
    body = {"messageName": "paid",
            "processVariables": {"order_id": {"value": "A-1", "type": "String"}}}
    paid = client.post(f"{R}/message", json=body, headers=ops)
    assert paid.status_code == 204, paid.get_data(as_text=True)
    state = client.get(f"{R}/history/process-instance/{instance_id}", headers=ops).json
    assert state["state"] == "COMPLETED"
    variables = client.get(f"{R}/history/variable-instance?processInstanceId={instance_id}",
                           headers=ops).json
    assert {"order_id": "A-1"}.items() <= {v["name"]: v["value"] for v in variables}.items()
