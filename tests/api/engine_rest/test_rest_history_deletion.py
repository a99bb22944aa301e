"""Deleting ended process instances with their history: DELETE and POST .../delete (ops)."""

from __future__ import annotations

from tests.factories import deploy_fixture

R = "/engine-rest"


def _start(client, headers, province="11"):
    response = client.post(f"{R}/process-definition/key/simple_review/start", headers=headers,
                           json={"variables": {"province_code": {"value": province},
                                               "review_due": {"value": ""}}})
    assert response.status_code == 200, response.json
    return response.json["id"]


def _finish(client, ops):
    instance_id = _start(client, ops)
    assert client.delete(f"{R}/process-instance/{instance_id}", headers=ops).status_code == 204
    return instance_id


def _left(client, ops, instance_id):
    return [client.get(f"{R}/history/{what}/count?processInstanceId={instance_id}",
                       headers=ops).json["count"]
            for what in ("process-instance", "activity-instance", "task")]


def test_an_ended_instance_goes_with_its_history(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    wang = user("wang", "province:11:reviewer")
    ended = _finish(client, ops)
    running = _start(client, ops)
    assert _left(client, ops, ended) == [1, 2, 1]
    refused = client.delete(f"{R}/history/process-instance/{ended}", headers=wang)
    assert refused.status_code == 403
    still = client.delete(f"{R}/history/process-instance/{running}", headers=ops)
    assert still.status_code == 400 and running in still.json["message"]
    assert client.delete(f"{R}/history/process-instance/{ended}", headers=ops).status_code == 204
    assert _left(client, ops, ended) == [0, 0, 0]
    assert _left(client, ops, running) == [1, 2, 1]
    again = client.delete(f"{R}/history/process-instance/{ended}", headers=ops)
    assert again.status_code == 404
    assert client.delete(f"{R}/history/process-instance/{ended}?failIfNotExists=false",
                         headers=ops).status_code == 204
    assert client.delete(f"{R}/history/process-instance/{ended}?cascade=true",
                         headers=ops).status_code == 400
    log = client.get(f"{R}/history/user-operation", headers=ops)
    assert log.status_code == 200


def test_many_by_ids_or_by_a_historic_query(client, uow_factory, ops):
    deploy_fixture(uow_factory, "review.bpmn")
    first, second, third = (_finish(client, ops) for _ in range(3))
    running = _start(client, ops)
    by_ids = client.post(f"{R}/history/process-instance/delete", headers=ops, json={
        "historicProcessInstanceIds": [first], "deleteReason": "test data"})
    assert by_ids.status_code == 200 and by_ids.json["totalJobs"] == 1
    assert by_ids.json["type"] == "historic-process-instance-deletion"
    by_query = client.post(f"{R}/history/process-instance/delete", headers=ops, json={
        "historicProcessInstanceQuery": {"finished": True}})
    assert by_query.status_code == 200 and by_query.json["totalJobs"] == 2
    assert [_left(client, ops, i)[0] for i in (first, second, third, running)] == [0, 0, 0, 1]
    for body, status in (({}, 400), ({"historicProcessInstanceIds": [running]}, 400),
                         ({"historicProcessInstanceIds": ["nope"]}, 404),
                         ({"historicProcessInstanceIds": ["nope"], "failIfNotExists": False},
                          200),
                         ({"historicProcessInstanceQuery": {"bogus": 1}}, 400),
                         ({"historicProcessInstanceIds": [running], "skipIoMappings": True},
                          400)):
        answer = client.post(f"{R}/history/process-instance/delete", headers=ops, json=body)
        assert answer.status_code == status, body


def test_only_ops_delete_history(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    ended = _finish(client, ops)
    admin = user("admin11", "province:11:admin")
    refused = client.post(f"{R}/history/process-instance/delete", headers=admin,
                          json={"historicProcessInstanceQuery": {}})
    assert refused.status_code == 403
    assert _left(client, ops, ended)[0] == 1
