"""Camunda REST batch calls on process instances (done at once), create-incident, recalculate."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.factories import NOW, deploy_fixture, start

R = "/engine-rest"


def _reviews(uow_factory, *business_keys):
    deploy_fixture(uow_factory, "review.bpmn")
    return [start(uow_factory, "simple_review", business_key=key, province_code="11",
                  review_due="").id for key in business_keys]


def test_suspend_variables_and_delete_in_one_call(client, uow_factory, ops, user):
    first, second, third = _reviews(uow_factory, "B-1", "B-2", "C-1")
    suspended = client.post(f"{R}/process-instance/suspended-async", headers=ops, json={
        "processInstanceIds": [first], "processInstanceQuery": {"businessKey": "B-2"},
        "suspended": True})
    assert suspended.status_code == 200, suspended.json
    assert suspended.json["type"] == "instance-update-suspension-state"
    assert suspended.json["totalJobs"] == 2
    assert client.get(f"{R}/process-instance/count?suspended=true", headers=ops).json == {
        "count": 2}
    client.post(f"{R}/process-instance/suspended-async", headers=ops, json={
        "processInstanceIds": [first, second], "suspended": False})
    typed = {"checked": {"value": True, "type": "Boolean"}}
    done = client.post(f"{R}/process-instance/variables-async", headers=ops, json={
        "processInstanceQuery": {"businessKeyLike": "B-%"}, "variables": typed})
    assert done.status_code == 200 and done.json["totalJobs"] == 2
    for instance_id, expected in ((first, True), (third, None)):
        values = client.get(f"{R}/process-instance/{instance_id}/variables", headers=ops).json
        assert values.get("checked", {}).get("value") == expected
    other = user("li", "province:44:reviewer")
    refused = client.post(f"{R}/process-instance/delete", headers=other,
                          json={"processInstanceIds": [first]})
    assert refused.status_code == 404
    assert client.post(f"{R}/process-instance/delete", headers=ops, json={
        "historicProcessInstanceQuery": {}}).status_code == 400
    deleted = client.post(f"{R}/process-instance/delete", headers=ops, json={
        "processInstanceIds": [first, third], "deleteReason": "tidy",
        "skipCustomListeners": True})
    assert deleted.status_code == 200 and deleted.json["type"] == "instance-deletion"
    assert client.get(f"{R}/process-instance/count", headers=ops).json == {"count": 1}
    assert client.post(f"{R}/process-instance/delete", headers=ops,
                       json={}).status_code == 400


def test_delete_with_fail_if_not_exists_false_skips_unknown_ids(client, uow_factory, ops):
    [kept, gone] = _reviews(uow_factory, "F-1", "F-2")
    listed = {"processInstanceIds": [gone, "no-such-instance"]}
    refused = client.post(f"{R}/process-instance/delete", headers=ops, json=listed)
    assert refused.status_code == 404 and "no-such-instance" in refused.json["message"]
    assert client.get(f"{R}/process-instance/count", headers=ops).json == {"count": 2}
    skipped = client.post(f"{R}/process-instance/delete", headers=ops,
                          json={**listed, "failIfNotExists": False})
    assert skipped.status_code == 200, skipped.json
    assert skipped.json["totalJobs"] == 1  # the one that exists
    left = client.get(f"{R}/process-instance", headers=ops).json
    assert [i["id"] for i in left] == [kept]
    assert client.post(f"{R}/process-instance/delete", headers=ops, json={
        "processInstanceIds": [gone], "failIfNotExists": False}).status_code == 200
    assert client.post(f"{R}/process-instance/delete", headers=ops, json={
        **listed, "failIfNotExists": "maybe"}).status_code == 400


def test_modification_async_is_done_before_the_answer(client, uow_factory, ops):
    [instance_id] = _reviews(uow_factory, "M-1")
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    [review] = tree["childActivityInstances"]
    answer = client.post(f"{R}/process-instance/{instance_id}/modification-async",
                         headers=ops, json={"instructions": [
                             {"type": "cancel", "activityInstanceId": review["id"]},
                             {"type": "startAfterActivity", "activityId": "Script_Rejected"}]})
    assert answer.status_code == 200, answer.json
    assert answer.json["type"] == "instance-modification"
    history = client.get(f"{R}/history/process-instance/{instance_id}", headers=ops).json
    assert history["state"] == "COMPLETED"  # started after the script: at its end event


def test_job_retries_of_instances_and_recalculated_due_date(client, uow_factory, ops):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance_id = start(uow_factory, "timer_duration").id
    [job] = client.get(f"{R}/job?processInstanceId={instance_id}", headers=ops).json
    assert job["dueDate"] == "2026-11-28T04:10:00.000+0000"
    batch = client.post(f"{R}/process-instance/job-retries", headers=ops, json={
        "processInstances": [instance_id], "retries": 4})
    assert batch.status_code == 200 and batch.json["totalJobs"] == 1
    assert client.get(f"{R}/job/{job['id']}", headers=ops).json["retries"] == 4
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        moved = client.post(f"{R}/job/{job['id']}/duedate/recalculate", headers=ops)
    assert moved.status_code == 204, moved.json
    assert client.get(f"{R}/job/{job['id']}", headers=ops).json["dueDate"] == (
        "2026-11-28T06:10:00.000+0000")
    assert client.post(f"{R}/job/{job['id']}/duedate/recalculate?creationDateBased=true",
                       headers=ops).status_code == 400


def test_create_incident_on_an_execution(client, uow_factory, ops, user):
    [instance_id] = _reviews(uow_factory, "I-1")
    [token] = client.get(f"{R}/execution?processInstanceId={instance_id}&activityId="
                         "Task_Review", headers=ops).json
    url = f"{R}/execution/{token['id']}/create-incident"
    reviewer = user("wang", "province:11:reviewer")
    body = {"incidentType": "paperMissing", "configuration": "box 7", "message": "no paper"}
    assert client.post(url, json=body, headers=reviewer).status_code == 403
    created = client.post(url, json=body, headers=ops)
    assert created.status_code == 200, created.json
    assert created.json["incidentType"] == "paperMissing"
    assert created.json["configuration"] == "box 7"
    assert created.json["activityId"] == "Task_Review"
    assert created.json["executionId"] == token["id"]
    listed = client.get(f"{R}/incident/{created.json['id']}", headers=ops).json
    assert listed["incidentMessage"] == "no paper"
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    assert tree["childActivityInstances"][0]["incidentIds"] == [created.json["id"]]
    assert client.post(url, json={"incidentType": 3}, headers=ops).status_code == 400


def test_message_async_reaches_the_waiting_instances(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    waiting = [start(uow_factory, "msg_wait").id for _ in range(2)]
    [review] = _reviews(uow_factory, "X-1")
    body = {"messageName": "reply_received", "processInstanceIds": [*waiting, review],
            "variables": {"reply": {"value": "yes", "type": "String"}}}
    reviewer = user("wang", "province:11:reviewer")
    assert client.post(f"{R}/process-instance/message-async", json=body,
                       headers=reviewer).status_code == 404  # msg_wait is not in scope
    answer = client.post(f"{R}/process-instance/message-async", json=body, headers=ops)
    assert answer.status_code == 200, answer.json
    assert answer.json["type"] == "correlate-message" and answer.json["totalJobs"] == 2
    for instance_id in waiting:
        assert client.get(f"{R}/history/process-instance/{instance_id}", headers=ops
                          ).json["state"] == "COMPLETED"
    assert client.get(f"{R}/process-instance/{review}", headers=ops).status_code == 200
    assert client.post(f"{R}/process-instance/message-async", headers=ops, json={
        "processInstanceIds": waiting}).status_code == 400
