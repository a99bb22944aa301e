"""Camunda REST: instances, tasks, variables, incidents, jobs, messages, external tasks."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from engine import clock
from tests.factories import deploy_fixture

R = "/engine-rest"


def _start(client, headers, key, business_key=None, **variables):
    typed = {k: {"value": v, "type": "String" if isinstance(v, str) else "Integer"}
             for k, v in variables.items()}
    response = client.post(f"{R}/process-definition/key/{key}/start",
                           json={"businessKey": business_key, "variables": typed},
                           headers=headers)
    assert response.status_code == 200, response.json
    return response.json["id"]


def test_task_list_claim_complete_and_variables(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    reviewer = user("wang", "province:11:reviewer")
    instance_id = _start(client, ops, "simple_review", "BK-7", province_code="11",
                         review_due="2026-12-15T23:59:00+08:00")
    tasks = client.get(f"{R}/task?processInstanceId={instance_id}", headers=reviewer).json
    [task] = tasks
    assert task["taskDefinitionKey"] == "Task_Review" and task["assignee"] is None
    assert task["due"] == "2026-12-15T15:59:00.000+0000"
    assert task["processDefinitionId"].startswith("simple_review:1:")
    by_group = client.post(f"{R}/task", json={"candidateGroup": "province:11:reviewer"},
                           headers=reviewer).json
    assert [t["id"] for t in by_group] == [task["id"]]
    assert client.get(f"{R}/task/count?candidateGroup=nobody", headers=reviewer).json == {
        "count": 0}
    claim = client.post(f"{R}/task/{task['id']}/claim", json={"userId": "wang"},
                        headers=reviewer)
    assert claim.status_code == 204
    assert client.get(f"{R}/task/{task['id']}", headers=reviewer).json["assignee"] == "wang"
    assert client.get(f"{R}/task?candidateGroup=province:11:reviewer",
                      headers=reviewer).json == []
    assert client.get(f"{R}/task?assignee=wang", headers=reviewer).json[0]["id"] == task["id"]
    variables = client.get(f"{R}/task/{task['id']}/variables", headers=reviewer).json
    assert variables["province_code"] == {"type": "String", "value": "11", "valueInfo": {}}
    done = client.post(f"{R}/task/{task['id']}/complete", headers=reviewer, json={
        "variables": {"approved": {"value": True, "type": "Boolean"},
                      "score": {"value": 80, "type": "Integer"}}})
    assert done.status_code == 204, done.json
    ended = client.get(f"{R}/process-instance/{instance_id}", headers=ops)
    assert ended.status_code == 404 and ended.json["type"] == "InvalidRequestException"
    final = client.get(f"{R}/process-instance/{instance_id}/variables", headers=ops).json
    assert final["result"]["value"] == "approved"
    assert final["score"] == {"type": "Integer", "value": 80, "valueInfo": {}}


def test_out_of_scope_reviewer_sees_nothing(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    other = user("li", "province:44:reviewer")
    instance_id = _start(client, ops, "simple_review", province_code="11",
                         review_due="2026-12-15T23:59:00+08:00")
    assert client.get(f"{R}/task", headers=other).json == []
    response = client.get(f"{R}/process-instance/{instance_id}", headers=other)
    assert response.status_code == 404
    assert response.json["type"] == "InvalidRequestException"
    assert client.get(f"{R}/process-instance/{instance_id}/variables",
                      headers=other).status_code == 404


def test_form_errors_list_the_fields(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "form_review.bpmn")
    reviewer = user("wang", "province:11:reviewer")
    instance_id = _start(client, ops, "form_review", province_code="11")
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=reviewer).json
    form = client.get(f"{R}/task/{task['id']}/form-variables", headers=reviewer).json
    assert "decision" in form or form  # the review_decision form's fields
    response = client.post(f"{R}/task/{task['id']}/complete", headers=reviewer,
                           json={"variables": {"bogus": {"value": 1, "type": "Integer"}}})
    assert response.status_code == 400
    assert response.json["type"] == "InvalidRequestException"
    assert "bogus" in response.json["message"]


def test_instance_query_variables_put_and_delete(client, uow_factory, ops):
    deploy_fixture(uow_factory, "review.bpmn")
    first = _start(client, ops, "simple_review", "A", province_code="11",
                   review_due="2026-12-15T23:59:00+08:00")
    second = _start(client, ops, "simple_review", "B", province_code="11",
                    review_due="2026-12-15T23:59:00+08:00")
    found = client.post(f"{R}/process-instance", headers=ops,
                        json={"processInstanceIds": [first, second], "businessKey": "B"}).json
    assert [i["id"] for i in found] == [second]
    assert client.get(f"{R}/process-instance/count?processDefinitionKey=simple_review",
                      headers=ops).json == {"count": 2}
    put = client.put(f"{R}/process-instance/{first}/variables/note", headers=ops,
                     json={"value": '{"a": [1, 2]}', "type": "Json"})
    assert put.status_code == 204
    note = client.get(f"{R}/process-instance/{first}/variables/note", headers=ops).json
    assert note["type"] == "Json" and note["value"] == '{"a": [1, 2]}'
    bad = client.put(f"{R}/process-instance/{first}/variables/x", headers=ops,
                     json={"value": "abc", "type": "Integer"})
    assert bad.status_code == 400 and "'x'" in bad.json["message"]
    assert client.delete(f"{R}/process-instance/{first}", headers=ops).status_code == 204
    assert client.get(f"{R}/process-instance/{first}", headers=ops).status_code == 404
    assert client.get(f"{R}/process-instance/nope", headers=ops).status_code == 404


def test_definitions_and_xml(client, uow_factory, designer):
    [definition] = deploy_fixture(uow_factory, "review.bpmn")
    listed = client.get(f"{R}/process-definition?latestVersion=true&key=simple_review",
                        headers=designer).json
    assert [d["id"] for d in listed] == [definition.id]
    by_key = client.get(f"{R}/process-definition/key/simple_review", headers=designer).json
    assert by_key["version"] == 1
    xml = client.get(f"{R}/process-definition/{definition.id}/xml", headers=designer).json
    assert xml["id"] == definition.id and "<bpmn:process" in xml["bpmn20Xml"]
    missing = client.get(f"{R}/process-definition/key/nope/xml", headers=designer)
    assert missing.status_code == 404


def test_job_execute_fires_a_timer_now_and_duedate_moves_it(client, uow_factory, ops):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    instance_id = _start(client, ops, "timer_duration")
    [job] = client.get(f"{R}/job?processInstanceId={instance_id}", headers=ops).json
    moved = clock.now() + timedelta(days=2)
    due = moved.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert client.put(f"{R}/job/{job['id']}/duedate", headers=ops,
                      json={"duedate": due}).status_code == 204
    assert client.get(f"{R}/job/{job['id']}", headers=ops).json["dueDate"] == due
    executed = client.post(f"{R}/job/{job['id']}/execute", headers=ops)
    assert executed.status_code == 204, executed.json
    assert client.get(f"{R}/process-instance/{instance_id}", headers=ops).status_code == 404
    variables = client.get(f"{R}/process-instance/{instance_id}/variables", headers=ops).json
    assert variables["fired"]["value"] is True


def test_jobs_are_for_ops(client, designer):
    response = client.get(f"{R}/job", headers=designer)
    assert response.status_code == 403 and response.json["type"] == "AuthorizationException"


def test_message_and_signal(client, uow_factory, ops):
    deploy_fixture(uow_factory, "msg_wait.bpmn", "signal_wait.bpmn")
    waiting = _start(client, ops, "msg_wait", "M-1")
    result = client.post(f"{R}/message", headers=ops, json={
        "messageName": "reply_received", "businessKey": "M-1", "resultEnabled": True,
        "processVariables": {"answer": {"value": "yes", "type": "String"}}})
    assert result.status_code == 200, result.json
    assert result.json[0]["resultType"] == "Execution"
    assert result.json[0]["execution"]["processInstanceId"] == waiting
    nobody = client.post(f"{R}/message", headers=ops, json={"messageName": "nobody_waits"})
    assert nobody.status_code == 400 and "nobody_waits" in nobody.json["message"]
    signalled = _start(client, ops, "signal_wait")
    assert client.post(f"{R}/signal", headers=ops,
                       json={"name": "window_open"}).status_code == 204
    assert client.get(f"{R}/process-instance/{signalled}", headers=ops).status_code == 404


def test_external_task_fetch_lock_complete_and_failure(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "rest_external.bpmn")
    worker = user("worker1", "worker")
    instance_id = _start(client, ops, "rest_external", province_code="11", base=5)
    locked = client.post(f"{R}/external-task/fetchAndLock", headers=worker, json={
        "workerId": "w1", "maxTasks": 5, "usePriority": True,
        "topics": [{"topicName": "rest-score", "lockDuration": 60000,
                    "variables": ["base"]}]}).json
    [task] = locked
    assert task["processInstanceId"] == instance_id and task["topicName"] == "rest-score"
    assert task["variables"] == {"base": {"type": "Integer", "value": 5, "valueInfo": {}}}
    again = client.post(f"{R}/external-task/fetchAndLock", headers=worker, json={
        "workerId": "w2", "maxTasks": 5,
        "topics": [{"topicName": "rest-score", "lockDuration": 60000}]}).json
    assert again == []
    wrong = client.post(f"{R}/external-task/{task['id']}/complete", headers=worker,
                        json={"workerId": "w2"})
    assert wrong.status_code == 400
    assert client.post(f"{R}/external-task/{task['id']}/extendLock", headers=worker,
                       json={"workerId": "w1", "newDuration": 120000}).status_code == 204
    done = client.post(f"{R}/external-task/{task['id']}/complete", headers=worker, json={
        "workerId": "w1", "variables": {"score": {"value": 88, "type": "Integer"}}})
    assert done.status_code == 204, done.json
    [user_task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=ops).json
    assert user_task["taskDefinitionKey"] == "Task_Check"


def test_external_task_failure_without_retries_opens_incident(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "rest_external.bpmn")
    worker = user("worker1", "worker")
    instance_id = _start(client, ops, "rest_external", province_code="11")
    [task] = client.post(f"{R}/external-task/fetchAndLock", headers=worker, json={
        "workerId": "w1", "maxTasks": 1,
        "topics": [{"topicName": "rest-score", "lockDuration": 60000}]}).json
    failed = client.post(f"{R}/external-task/{task['id']}/failure", headers=worker, json={
        "workerId": "w1", "errorMessage": "scoring service down", "retries": 0,
        "retryTimeout": 0})
    assert failed.status_code == 204
    [incident] = client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json
    assert incident["incidentMessage"] == "scoring service down"
    assert incident["activityId"] == "Task_Score"
    assert client.put(f"{R}/job/{task['id']}/retries", headers=ops,
                      json={"retries": 2}).status_code == 204
    assert client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json == []
    with time_machine.travel(clock.now() + timedelta(seconds=5)):
        refetched = client.post(f"{R}/external-task/fetchAndLock", headers=worker, json={
            "workerId": "w1", "maxTasks": 1,
            "topics": [{"topicName": "rest-score", "lockDuration": 60000}]}).json
    assert [t["id"] for t in refetched] == [task["id"]]


def test_completing_work_before_a_multi_instance_over_a_missing_collection(
        client, uow_factory, ops, user):
    """What fails as a completed task's successors are updated (here a multi-instance whose
    collection is unset, right after the user task) is an incident there, never a 500 (an
    external task's completion goes the same way: engine.bpmn.workflow._complete_guarded)."""
    deploy_fixture(uow_factory, "compat_mi_missing_after_work.bpmn")
    instance_id = _start(client, ops, "compat_mi_missing_after_work")
    worker = user("mi_worker", "worker")
    [locked] = client.post(f"{R}/external-task/fetchAndLock", headers=worker, json={
        "workerId": "w1", "maxTasks": 1,
        "topics": [{"topicName": "fetch-reviewers", "lockDuration": 60000}]}).json
    done = client.post(f"{R}/external-task/{locked['id']}/complete", headers=worker,
                       json={"workerId": "w1"})
    assert done.status_code == 204, done.json
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=ops).json
    assert task["taskDefinitionKey"] == "Task_Prepare"
    completed = client.post(f"{R}/task/{task['id']}/complete", headers=ops, json={})
    assert completed.status_code == 204, completed.json
    [incident] = client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json
    assert incident["activityId"] == "Task_Sign"
    assert "Cannot resolve identifier 'reviewers'" in incident["incidentMessage"]
    assert "multi-instance collection of 'Task_Sign'" in incident["incidentMessage"]
