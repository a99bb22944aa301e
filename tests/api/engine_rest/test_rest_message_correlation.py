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


def _subscriptions(client, ops, instance_id):
    return sorted(s["activityId"] for s in client.get(
        f"{R}/event-subscription?processInstanceId={instance_id}", headers=ops).json)


def test_two_catches_of_one_message_in_one_instance_are_not_one_execution(client, uow_factory,
                                                                          ops):
    """Camunda's correlate is for exactly one execution: two parallel catches of the same
    message make it a 400 (MismatchingMessageCorrelationException) that changes nothing;
    "all": true reaches both (correlateAll)."""
    deploy_fixture(uow_factory, "compat_parallel_message_catches.bpmn")
    instance_id = start(uow_factory, "compat_parallel_message_catches").id
    both = ["Catch_Ministry", "Catch_Province"]
    assert _subscriptions(client, ops, instance_id) == both
    body = {"messageName": "receipt", "processInstanceId": instance_id}
    one = client.post(f"{R}/message", json=body, headers=ops)
    assert one.status_code == 400, one.get_data(as_text=True)
    assert ("Cannot correlate a message with name 'receipt' to a single execution. "
            "2 executions match") in one.json["message"]
    assert _subscriptions(client, ops, instance_id) == both  # nothing delivered
    every = client.post(f"{R}/message", json={**body, "all": True, "resultEnabled": True},
                        headers=ops)
    assert every.status_code == 200, every.get_data(as_text=True)
    assert [r["resultType"] for r in every.json] == ["Execution"]
    assert _state(client, ops, instance_id) == "COMPLETED"


def test_all_reaches_every_waiting_instance_and_none_is_no_error(client, uow_factory, ops):
    deploy_fixture(uow_factory, "msg_correlation.bpmn")
    first, second = (start(uow_factory, "msg_correlation").id for _ in range(2))
    one = client.post(f"{R}/message", json={"messageName": "paid"}, headers=ops)
    assert one.status_code == 400  # two instances match: not one execution
    every = client.post(f"{R}/message", json={"messageName": "paid", "all": True,
                                              "resultEnabled": True}, headers=ops)
    assert every.status_code == 200, every.get_data(as_text=True)
    assert sorted(r["execution"]["processInstanceId"] for r in every.json) == sorted(
        [first, second])
    assert {_state(client, ops, i) for i in (first, second)} == {"COMPLETED"}
    none = client.post(f"{R}/message", json={"messageName": "paid", "all": True}, headers=ops)
    assert none.status_code == 204  # correlateAll: nothing waits, nothing to do
    bad = client.post(f"{R}/message", json={"messageName": "paid", "all": "sometimes"},
                      headers=ops)
    assert bad.status_code == 400 and "all" in bad.json["message"]


def test_a_message_triggered_on_an_execution_reaches_that_catch_alone(client, uow_factory,
                                                                     ops):
    """POST /execution/{id}/messageSubscriptions/{name}/trigger is Camunda's
    messageEventReceived on one execution: that catch goes on, the other keeps waiting."""
    deploy_fixture(uow_factory, "compat_parallel_message_catches.bpmn")
    instance_id = start(uow_factory, "compat_parallel_message_catches").id
    executions = {e["id"]: e for e in client.get(
        f"{R}/execution?processInstanceId={instance_id}", headers=ops).json}
    tokens = [i for i in executions if i != instance_id]
    assert len(tokens) == 2
    waiting = {}
    for token in tokens:
        found = client.get(f"{R}/execution/{token}/messageSubscriptions/receipt", headers=ops)
        assert found.status_code == 200, found.get_data(as_text=True)
        waiting[token] = found.json["activityId"]
    first, second = tokens
    sent = client.post(f"{R}/execution/{first}/messageSubscriptions/receipt/trigger",
                       json={}, headers=ops)
    assert sent.status_code == 204, sent.get_data(as_text=True)
    assert _subscriptions(client, ops, instance_id) == [waiting[second]]
    assert _state(client, ops, instance_id) == "ACTIVE"
    again = client.post(f"{R}/execution/{second}/messageSubscriptions/receipt/trigger",
                        json={}, headers=ops)
    assert again.status_code == 204, again.get_data(as_text=True)
    assert _state(client, ops, instance_id) == "COMPLETED"
