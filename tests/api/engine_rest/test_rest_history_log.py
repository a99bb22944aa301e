"""Camunda /history external-task log, job log and identity-link log, from history events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from engine import clock, jobs
from engine.config import Settings
from tests.factories import NOW, deploy_fixture, start

R = "/engine-rest"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
FETCH = {"workerId": "w1", "maxTasks": 1,
         "topics": [{"topicName": "rest-score", "lockDuration": 60000}]}


def _start(client, headers, key, **variables):
    typed = {k: {"value": v} for k, v in variables.items()}
    response = client.post(f"{R}/process-definition/key/{key}/start", headers=headers,
                           json={"variables": typed})
    assert response.status_code == 200, response.json
    return response.json["id"]


def test_external_task_log_has_failures_with_details_and_the_success(client, uow_factory,
                                                                      ops, user):
    deploy_fixture(uow_factory, "rest_external.bpmn")
    worker = user("worker1", "worker")
    reviewer = user("wang", "province:11:reviewer")
    with time_machine.travel(T0, tick=False) as traveller:
        instance_id = _start(client, ops, "rest_external", province_code="11", base=5)
        [task] = client.post(f"{R}/external-task/fetchAndLock", headers=worker,
                             json=FETCH).json
        failed = client.post(f"{R}/external-task/{task['id']}/failure", headers=worker, json={
            "workerId": "w1", "errorMessage": "scoring service down", "retries": 2,
            "errorDetails": "Traceback: timeout", "retryTimeout": 0})
        assert failed.status_code == 204
        traveller.shift(timedelta(minutes=1))
        [again] = client.post(f"{R}/external-task/fetchAndLock", headers=worker,
                              json=FETCH).json
        done = client.post(f"{R}/external-task/{again['id']}/complete", headers=worker,
                           json={"workerId": "w1", "variables": {"score": {"value": 88}}})
        assert done.status_code == 204, done.json

    log = client.get(f"{R}/history/external-task-log?processInstanceId={instance_id}"
                     "&sortBy=timestamp&sortOrder=asc", headers=ops).json
    assert [(e["failureLog"], e["successLog"], e["workerId"], e["retries"]) for e in log] == [
        (True, False, None, 2), (False, True, "w1", None)]
    failure, success = log
    assert (failure["externalTaskId"], failure["topicName"], failure["activityId"]) == (
        task["id"], "rest-score", "Task_Score")
    assert failure["errorMessage"] == "scoring service down"
    assert success["timestamp"] == "2026-11-30T01:01:00.000+0000"
    details = client.get(f"{R}/history/external-task-log/{failure['id']}/error-details",
                         headers=ops)
    assert details.status_code == 200 and details.get_data(as_text=True) == (
        "Traceback: timeout")
    assert client.get(f"{R}/history/external-task-log/{success['id']}/error-details",
                      headers=ops).status_code == 404
    assert client.get(f"{R}/history/external-task-log/{success['id']}",
                      headers=ops).json == success
    assert client.post(f"{R}/history/external-task-log/count", headers=ops,
                       json={"failureLog": True, "topicName": "rest-score"}).json == {
        "count": 1}
    assert client.get(f"{R}/history/external-task-log/count?workerId=w1",
                      headers=ops).json == {"count": 1}
    refused = client.get(f"{R}/history/external-task-log", headers=reviewer)
    assert refused.status_code == 403
    creation = client.get(f"{R}/history/external-task-log?creationLog=true", headers=ops)
    assert creation.status_code == 400 and "creationLog" in creation.json["message"]


def test_job_log_lists_the_timers_that_fired(client, uow_factory, ops):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "timer_duration", NOW)
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        jobs.run_until_idle(uow_factory, Settings(job_lease_seconds=60), "w", now=clock.now)
    [entry] = client.get(f"{R}/history/job-log?processInstanceId={instance.id}",
                         headers=ops).json
    assert (entry["activityId"], entry["successLog"], entry["jobDueDate"]) == (
        "Timer_Wait", True, "2026-11-28T04:10:00.000+0000")
    assert entry["timestamp"] == "2026-11-28T04:11:00.000+0000"
    assert client.get(f"{R}/history/job-log/{entry['id']}", headers=ops).json == entry
    assert client.post(f"{R}/history/job-log/count", headers=ops,
                       json={"jobId": entry["jobId"]}).json == {"count": 1}
    assert client.get(f"{R}/history/job-log/{entry['id']}/stacktrace",
                      headers=ops).status_code == 404
    assert client.get(f"{R}/history/job-log/nonsense", headers=ops).status_code == 404
    failures = client.get(f"{R}/history/job-log?failureLog=true", headers=ops)
    assert failures.status_code == 400 and "failureLog" in failures.json["message"]


def test_identity_link_log_follows_claims_and_assignments(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    wang = user("wang", "province:11:reviewer")
    li = user("li", "province:44:reviewer")
    instance_id = _start(client, ops, "simple_review", province_code="11", review_due="")
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=wang).json
    url = f"{R}/task/{task['id']}"
    assert client.post(f"{url}/claim", headers=wang, json={"userId": "wang"}).status_code == 204
    assert client.post(f"{url}/unclaim", headers=wang).status_code == 204
    assert client.post(f"{url}/assignee", headers=ops,
                       json={"userId": "wang"}).status_code == 204
    links = client.get(f"{R}/history/identity-link-log?taskId={task['id']}&sortBy=time"
                       "&sortOrder=asc", headers=wang).json
    assert [(e["operationType"], e["userId"], e["assignerId"]) for e in links] == [
        ("add", "wang", "wang"), ("delete", None, "wang"), ("add", "wang", "ops1")]
    assert {e["type"] for e in links} == {"assignee"}
    assert client.get(f"{R}/history/identity-link-log/count?operationType=add&userId=wang",
                      headers=ops).json == {"count": 2}
    assert client.get(f"{R}/history/identity-link-log/count", headers=li).json == {"count": 0}
    group = client.get(f"{R}/history/identity-link-log?groupId=x", headers=ops)
    assert group.status_code == 400 and "groupId" in group.json["message"]
