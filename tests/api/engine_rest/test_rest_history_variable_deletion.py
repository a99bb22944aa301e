"""DELETE /history/variable-instance/{id} and /history/process-instance/{id}/variable-instances:
an ended instance's variables go from its history (values and updates); ops only."""

from __future__ import annotations

from tests.api.engine_rest.test_rest_history_variable import _reviewed
from tests.factories import deploy_fixture

R = "/engine-rest"


def _names(client, headers, instance_id):
    listed = client.get(f"{R}/history/variable-instance?processInstanceId={instance_id}",
                        headers=headers).json
    return {v["name"] for v in listed}


def _updated(client, headers, instance_id):
    rows = client.get(f"{R}/history/detail?processInstanceId={instance_id}",
                      headers=headers).json
    return [(d["variableName"], d["value"]) for d in rows]


def test_one_variable_goes_with_its_updates_and_the_rest_stays(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    instance_id, _task = _reviewed(client, uow_factory, ops, wang)
    assert ("note", "first") in _updated(client, ops, instance_id)
    url = f"{R}/history/variable-instance/{instance_id}:note"
    refused = client.delete(url, headers=wang)
    assert refused.status_code == 403 and refused.json["type"] == "AuthorizationException"
    assert client.get(url, headers=wang).status_code == 200
    assert client.delete(url, headers=ops).status_code == 204
    assert client.get(url, headers=ops).status_code == 404
    assert "note" not in _names(client, ops, instance_id)
    assert {"score", "approved", "province_code"} <= _names(client, ops, instance_id)
    updates = _updated(client, ops, instance_id)
    assert not [u for u in updates if u[0] == "note"] and ("score", 80) in updates
    again = client.delete(url, headers=ops)
    assert again.status_code == 404 and "note" in again.json["message"]
    [logged] = client.get(f"{R}/history/user-operation?processInstanceId={instance_id}"
                          "&operationType=DeleteHistory", headers=ops).json
    assert (logged["entityType"], logged["userId"]) == ("Variable", "ops1")


def test_every_variable_of_an_instance_goes(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    instance_id, _task = _reviewed(client, uow_factory, ops, wang)
    url = f"{R}/history/process-instance/{instance_id}/variable-instances"
    assert client.delete(url, headers=wang).status_code == 403
    assert client.delete(url, headers=ops).status_code == 204
    assert _names(client, ops, instance_id) == set()
    assert _updated(client, ops, instance_id) == []
    assert client.get(f"{R}/history/process-instance/{instance_id}",
                      headers=ops).json["state"] == "COMPLETED"
    assert client.delete(url, headers=ops).status_code == 204  # nothing left: no error


def test_a_running_instance_or_an_unknown_one_is_refused(client, uow_factory, ops):
    deploy_fixture(uow_factory, "review.bpmn")
    started = client.post(f"{R}/process-definition/key/simple_review/start", headers=ops,
                          json={"variables": {"province_code": {"value": "11"},
                                              "review_due": {"value": ""}}}).json
    running = client.delete(f"{R}/history/variable-instance/{started['id']}:province_code",
                            headers=ops)
    assert running.status_code == 400 and "has not ended" in running.json["message"]
    assert "/variables/" in running.json["message"]
    whole = client.delete(f"{R}/history/process-instance/{started['id']}/variable-instances",
                          headers=ops)
    assert whole.status_code == 400
    variables = client.get(f"{R}/process-instance/{started['id']}/variables",
                           headers=ops).json
    assert variables["province_code"]["value"] == "11"
    for url in (f"{R}/history/variable-instance/nope:x",
                f"{R}/history/variable-instance/no-colon",
                f"{R}/history/process-instance/nope/variable-instances"):
        missing = client.delete(url, headers=ops)
        assert missing.status_code == 404, url
        assert missing.json["type"] == "InvalidRequestException"
