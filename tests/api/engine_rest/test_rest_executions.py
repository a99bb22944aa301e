"""Camunda REST /execution and /variable-instance over our instances and tokens."""

from __future__ import annotations

from tests.factories import deploy_fixture, start

R = "/engine-rest"


def _parallel(uow_factory, **variables):
    deploy_fixture(uow_factory, "gateways.bpmn")
    return start(uow_factory, "gateways", amount=5, urgent=False, **variables).id


def test_executions_are_the_instance_and_its_tokens(client, uow_factory, ops, user):
    instance_id = _parallel(uow_factory)
    rows = client.get(f"{R}/execution?processInstanceId={instance_id}", headers=ops).json
    assert rows[0] == {"id": instance_id, "processInstanceId": instance_id, "ended": False,
                       "tenantId": None}
    assert len(rows) == 3 and all(r["id"].startswith(f"{instance_id}.") for r in rows[1:])
    only_a = client.post(f"{R}/execution", headers=ops, json={
        "processInstanceId": instance_id, "activityId": "Task_A"}).json
    [token] = only_a
    assert client.get(f"{R}/execution/{token['id']}", headers=ops).json == token
    assert client.post(f"{R}/execution/count", headers=ops,
                       json={"processDefinitionKey": "gateways"}).json == {"count": 3}
    assert client.get(f"{R}/execution/count?activityId=Task_B", headers=ops).json == {
        "count": 1}
    paged = client.get(f"{R}/execution?processInstanceId={instance_id}&firstResult=1&"
                       "maxResults=1", headers=ops).json
    assert paged == [rows[1]]
    other = user("li", "province:44:reviewer")
    assert client.get(f"{R}/execution?processInstanceId={instance_id}", headers=other
                      ).json == []
    assert client.get(f"{R}/execution/{token['id']}", headers=other).status_code == 404
    assert client.get(f"{R}/execution/{instance_id}.nope", headers=ops).status_code == 404


def test_local_variables_are_the_instance_executions(client, uow_factory, ops):
    instance_id = _parallel(uow_factory, note="n")
    url = f"{R}/execution/{instance_id}/localVariables"
    assert client.get(url, headers=ops).json["note"] == {"type": "String", "value": "n",
                                                         "valueInfo": {}}
    assert client.put(f"{url}/flag", json={"value": True, "type": "Boolean"},
                      headers=ops).status_code == 204
    assert client.get(f"{url}/flag", headers=ops).json["value"] is True
    assert client.post(url, headers=ops, json={"deletions": ["note"]}).status_code == 204
    assert client.get(f"{url}/note", headers=ops).status_code == 404
    assert client.delete(f"{url}/flag", headers=ops).status_code == 204
    instance_vars = client.get(f"{R}/process-instance/{instance_id}/variables",
                               headers=ops).json
    assert "flag" not in instance_vars and "note" not in instance_vars
    [token] = client.get(f"{R}/execution?processInstanceId={instance_id}&activityId=Task_A",
                         headers=ops).json
    token_url = f"{R}/execution/{token['id']}/localVariables"
    assert client.get(token_url, headers=ops).json == {}
    refused = client.put(f"{token_url}/x", json={"value": 1, "type": "Integer"}, headers=ops)
    assert refused.status_code == 400 and instance_id in refused.json["message"]


def test_signal_and_message_subscription_of_a_waiting_token(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    first = start(uow_factory, "msg_wait").id
    second = start(uow_factory, "msg_wait").id
    [token] = client.get(f"{R}/execution?processInstanceId={first}&activityId=Catch_Reply",
                         headers=ops).json
    sub = client.get(f"{R}/execution/{token['id']}/messageSubscriptions/reply_received",
                     headers=ops)
    assert sub.status_code == 200 and sub.json["eventName"] == "reply_received"
    assert sub.json["processInstanceId"] == first
    assert client.get(f"{R}/execution/{token['id']}/messageSubscriptions/other",
                      headers=ops).status_code == 404
    reviewer = user("wang", "province:11:reviewer")
    assert client.post(f"{R}/execution/{token['id']}/signal", json={},
                       headers=reviewer).status_code == 404
    assert client.post(f"{R}/execution/{first}/signal", json={},
                       headers=ops).status_code == 400
    signalled = client.post(f"{R}/execution/{token['id']}/signal", headers=ops,
                            json={"variables": {"reply": {"value": "ok", "type": "String"}}})
    assert signalled.status_code == 204, signalled.json
    assert client.get(f"{R}/execution/{token['id']}", headers=ops).status_code == 404
    history = client.get(f"{R}/history/process-instance/{first}", headers=ops).json
    assert history["state"] == "COMPLETED"
    [other] = client.get(f"{R}/execution?processInstanceId={second}&activityId=Catch_Reply",
                         headers=ops).json
    fired = client.post(f"{R}/execution/{other['id']}/messageSubscriptions/reply_received/"
                        "trigger", headers=ops, json={})
    assert fired.status_code == 204, fired.json
    assert client.get(f"{R}/history/process-instance/{second}", headers=ops
                      ).json["state"] == "COMPLETED"


def test_variable_instances_list_sort_count_and_one(client, uow_factory, ops, user):
    instance_id = _parallel(uow_factory, note="n", zeta=3)
    url = f"{R}/variable-instance?processInstanceIdIn={instance_id}"
    names = [v["name"] for v in client.get(url, headers=ops).json]
    assert names == sorted(names) and {"note", "zeta", "amount"} <= set(names)
    desc = client.get(f"{url}&sortBy=variableName&sortOrder=desc", headers=ops).json
    assert [v["name"] for v in desc] == sorted(names, reverse=True)
    [note] = client.get(f"{url}&variableName=note", headers=ops).json
    assert note["id"] == f"{instance_id}:note" and note["type"] == "String"
    assert note["executionId"] == instance_id and note["activityInstanceId"] == instance_id
    assert client.get(f"{R}/variable-instance/{note['id']}", headers=ops).json == note
    like = client.post(f"{R}/variable-instance", headers=ops, json={
        "processInstanceIdIn": [instance_id], "variableNameLike": "z%"}).json
    assert [v["name"] for v in like] == ["zeta"]
    assert client.post(f"{R}/variable-instance/count", headers=ops, json={
        "processInstanceIdIn": [instance_id], "variableName": "zeta"}).json == {"count": 1}
    assert client.get(f"{R}/variable-instance/count?variableName=zeta",
                      headers=ops).json == {"count": 1}
    data = client.get(f"{R}/variable-instance/{note['id']}/data", headers=ops)
    assert data.status_code == 400 and "binary" in data.json["message"]
    other = user("li", "province:44:reviewer")
    assert client.get(f"{R}/variable-instance/{note['id']}", headers=other).status_code == 404
    assert client.get(url, headers=other).json == []
    refused = client.get(f"{R}/variable-instance?taskIdIn=t1", headers=ops)
    assert refused.status_code == 400 and "taskIdIn" in refused.json["message"]


def test_a_receive_task_without_a_message_waits_until_its_execution_is_signalled(
        client, uow_factory, ops):
    deploy_fixture(uow_factory, "receive_wait.bpmn")
    instance_id = start(uow_factory, "receive_wait").id
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    assert [a["activityId"] for a in tree["childActivityInstances"]] == ["Wait_Receipt"]
    assert client.get(f"{R}/event-subscription?processInstanceId={instance_id}",
                      headers=ops).json == []  # as in Camunda: no subscription, a wait state
    delivered = client.post(f"{R}/message", headers=ops, json={
        "messageName": "Wait_Receipt", "processInstanceId": instance_id})
    assert delivered.status_code == 400  # no message reaches it
    [token] = client.get(f"{R}/execution?processInstanceId={instance_id}&"
                         "activityId=Wait_Receipt", headers=ops).json
    signalled = client.post(f"{R}/execution/{token['id']}/signal", headers=ops,
                            json={"variables": {"receipt": {"value": "R-1", "type": "String"}}})
    assert signalled.status_code == 204, signalled.json
    history = client.get(f"{R}/history/process-instance/{instance_id}", headers=ops).json
    assert history["state"] == "COMPLETED"
    [receipt] = client.get(f"{R}/history/variable-instance?processInstanceId={instance_id}&"
                           "variableName=receipt", headers=ops).json
    assert receipt["value"] == "R-1"
