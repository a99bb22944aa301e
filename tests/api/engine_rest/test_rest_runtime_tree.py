"""Camunda REST runtime: activity-instance tree, modification, suspension, variable deletion."""

from __future__ import annotations

from tests.factories import deploy_fixture, start

R = "/engine-rest"


def _review(uow_factory, **extra):
    deploy_fixture(uow_factory, "review.bpmn")
    return start(uow_factory, "simple_review", province_code="11", review_due="",
                 **extra).id


def test_activity_tree_of_parallel_tokens(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "gateways.bpmn")
    instance_id = start(uow_factory, "gateways", amount=5, urgent=False).id
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    assert tree["id"] == instance_id and tree["activityType"] == "processDefinition"
    assert tree["activityId"].startswith("gateways:1:") and tree["executionIds"] == [
        instance_id]
    children = sorted(tree["childActivityInstances"], key=lambda c: c["activityId"])
    assert [c["activityId"] for c in children] == ["Task_A", "Task_B"]
    for child in children:
        task_id = child["id"].split(":", 1)[1]
        assert child["id"] == f"{child['activityId']}:{task_id}"
        assert child["activityType"] == "userTask" and child["parentActivityInstanceId"] == (
            instance_id)
        assert child["executionIds"] == [f"{instance_id}.{task_id}"]
        assert child["childTransitionInstances"] == [] and child["incidentIds"] == []
    tasks = client.get(f"{R}/task?processInstanceId={instance_id}", headers=ops).json
    assert {t["id"] for t in tasks} == {c["id"].split(":", 1)[1] for c in children}
    other = user("li", "province:44:reviewer")
    assert client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=other).status_code == 404


def test_call_activity_is_a_scope_with_its_children(client, uow_factory, ops):
    deploy_fixture(uow_factory, "call_child.bpmn", "call_parent.bpmn")
    instance_id = start(uow_factory, "call_parent").id
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    [call] = tree["childActivityInstances"]
    assert call["activityId"] == "Call_Child" and call["activityType"] == "callActivity"
    [inner] = call["childActivityInstances"]
    assert inner["activityId"] == "Task_Child" and inner["parentActivityInstanceId"] == (
        call["id"])
    executions = client.get(f"{R}/execution?processInstanceId={instance_id}",
                            headers=ops).json
    assert len(executions) == 3  # the instance, the call activity's scope, the task



def test_failed_gateway_is_the_activity_instance_carrying_the_incident(client, uow_factory,
                                                                       ops):
    deploy_fixture(uow_factory, "incident_gateway.bpmn")
    instance_id = start(uow_factory, "incident_gateway").id
    [incident] = client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    assert tree["incidentIds"] == [] and tree["incidents"] == []
    [gateway] = tree["childActivityInstances"]
    assert gateway["activityId"] == "Gateway_Credit"
    assert gateway["activityType"] == "exclusiveGateway"
    assert gateway["incidentIds"] == [incident["id"]]
    assert gateway["incidents"] == [{"id": incident["id"], "activityId": "Gateway_Credit"}]
    assert gateway["executionIds"] == [incident["executionId"]]
    executions = client.get(f"{R}/execution?processInstanceId={instance_id}",
                            headers=ops).json
    assert incident["executionId"] in {e["id"] for e in executions}
    body = {"instructions": [{"type": "cancel", "activityInstanceId": gateway["id"]},
                             {"type": "startBeforeActivity", "activityId": "End_Approved"}]}
    moved = client.post(f"{R}/process-instance/{instance_id}/modification", json=body,
                        headers=ops)
    assert moved.status_code == 204, moved.json
    history = client.get(f"{R}/history/process-instance/{instance_id}", headers=ops).json
    assert history["state"] == "COMPLETED"
    assert client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json == []


def test_timer_whose_expression_failed_is_shown_where_the_token_waits(client, uow_factory,
                                                                      ops):
    deploy_fixture(uow_factory, "incident_timer.bpmn")
    instance_id = start(uow_factory, "incident_timer").id
    [incident] = client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    [timer] = tree["childActivityInstances"]
    assert timer["activityId"] == "Timer_Wait" and timer["activityType"] == "intermediateTimer"
    assert timer["incidentIds"] == [incident["id"]] and tree["incidentIds"] == []

def _leaf(client, headers, instance_id):
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=headers).json
    return tree["childActivityInstances"]


def test_modification_moves_the_token_forward_and_ends_by_cancel(client, uow_factory, ops,
                                                                 user):
    instance_id = _review(uow_factory, approved=False)
    [review] = _leaf(client, ops, instance_id)
    body = {"skipCustomListeners": True, "annotation": "skip the review", "instructions": [
        {"type": "cancel", "activityInstanceId": review["id"]},
        {"type": "startBeforeActivity", "activityId": "Script_Rejected"}]}
    reviewer = user("wang", "province:11:reviewer")
    refused = client.post(f"{R}/process-instance/{instance_id}/modification", json=body,
                          headers=reviewer)
    assert refused.status_code == 403 and refused.json["type"] == "AuthorizationException"
    other = user("li", "ops:none")
    assert client.post(f"{R}/process-instance/{instance_id}/modification", json=body,
                       headers=other).status_code == 404
    moved = client.post(f"{R}/process-instance/{instance_id}/modification", json=body,
                        headers=ops)
    assert moved.status_code == 204, moved.json
    history = client.get(f"{R}/history/process-instance/{instance_id}", headers=ops).json
    assert history["state"] == "COMPLETED"
    variables = client.get(f"{R}/process-instance/{instance_id}/variables", headers=ops).json
    assert variables["result"]["value"] == "rejected"


def test_modification_rewinds_cancels_and_refuses(client, uow_factory, ops):
    instance_id = _review(uow_factory)
    [review] = _leaf(client, ops, instance_id)
    url = f"{R}/process-instance/{instance_id}/modification"
    again = client.post(url, headers=ops, json={"instructions": [
        {"type": "cancel", "activityId": "Task_Review"},
        {"type": "startTransition", "transitionId": "Flow_1"}]})
    assert again.status_code == 204, again.json
    [fresh] = _leaf(client, ops, instance_id)
    assert fresh["activityId"] == "Task_Review" and fresh["id"] != review["id"]
    for bad, word in (({"instructions": [{"type": "startBeforeActivity",
                                          "activityId": "Task_Review"}]}, "concurrent"),
                      ({"instructions": [{"type": "cancel", "activityInstanceId": review[
                          "id"]}]}, review["id"]),
                      ({"instructions": [{"type": "jump"}]}, "type"),
                      ({"instructions": []}, "instructions"),
                      ({"instructions": [{"type": "cancel", "activityId": "Task_Review"}],
                        "colour": 1}, "colour")):
        response = client.post(url, json=bad, headers=ops)
        assert response.status_code == 400 and word in response.json["message"], bad
    ended = client.post(url, headers=ops, json={"instructions": [
        {"type": "cancel", "activityInstanceId": fresh["id"]}]})
    assert ended.status_code == 204
    assert client.get(f"{R}/process-instance/{instance_id}", headers=ops).status_code == 404


def test_suspend_and_activate_one_and_by_definition(client, uow_factory, ops, user):
    first, second = _review(uow_factory), _review(uow_factory)
    url = f"{R}/process-instance/{first}/suspended"
    assert client.put(url, json={"suspended": True}, headers=ops).status_code == 204
    assert client.get(f"{R}/process-instance/{first}", headers=ops).json["suspended"] is True
    assert client.put(url, json={"suspended": True}, headers=ops).status_code == 204
    assert client.put(url, json={"suspended": "maybe"}, headers=ops).status_code == 400
    other = user("li", "province:44:reviewer")
    assert client.put(url, json={"suspended": False}, headers=other).status_code == 404
    bulk = client.put(f"{R}/process-instance/suspended", headers=ops,
                      json={"processDefinitionKey": "simple_review", "suspended": True})
    assert bulk.status_code == 204
    assert client.get(f"{R}/process-instance/count?suspended=true", headers=ops).json == {
        "count": 2}
    assert client.put(f"{R}/process-instance/suspended", headers=ops, json={
        "processDefinitionKey": "simple_review", "suspended": False}).status_code == 204
    assert client.get(f"{R}/process-instance/{second}", headers=ops).json["suspended"] is False
    bad = client.put(f"{R}/process-instance/suspended", json={"suspended": True}, headers=ops)
    assert bad.status_code == 400 and "processDefinitionKey" in bad.json["message"]


def test_delete_variables_by_name_and_by_deletions(client, uow_factory, ops, user):
    instance_id = _review(uow_factory, note="x", extra=1, spare=True)
    url = f"{R}/process-instance/{instance_id}/variables"
    reviewer = user("wang", "province:11:reviewer")
    assert client.delete(f"{url}/note", headers=reviewer).status_code == 403
    assert client.delete(f"{url}/note", headers=ops).status_code == 204
    assert client.get(f"{url}/note", headers=ops).status_code == 404
    modified = client.post(url, headers=ops, json={
        "modifications": {"added": {"value": 2, "type": "Integer"}}, "deletions": ["extra"]})
    assert modified.status_code == 204, modified.json
    values = client.get(url, headers=ops).json
    assert "extra" not in values and values["added"]["value"] == 2 and "spare" in values
    assert client.delete(f"{url}/never_set", headers=ops).status_code == 204
    gone = client.delete(f"{R}/process-instance/{instance_id}?skipCustomListeners=true&"
                         "skipIoMappings=true&skipSubprocesses=false", headers=ops)
    assert gone.status_code == 204
    assert client.delete(f"{R}/process-instance/x?skipIoMappings=perhaps",
                         headers=ops).status_code == 400
