"""Camunda REST /job-definition: the timers of deployed diagrams, the jobDefinitionId of jobs."""

from __future__ import annotations

import time_machine

from tests.factories import NOW, deploy_fixture, start

R = "/engine-rest"


def test_job_definitions_list_filter_sort_and_match_jobs(client, uow_factory, ops, user):
    [duration] = deploy_fixture(uow_factory, "timer_duration.bpmn")
    [boundary] = deploy_fixture(uow_factory, "timer_boundary.bpmn")
    reviewer = user("wang", "province:11:reviewer")
    rows = client.get(f"{R}/job-definition", headers=reviewer).json
    by_id = {r["id"]: r for r in rows}
    timer = by_id[f"Timer_Wait@{duration.id}"]
    assert timer == {
        "id": f"Timer_Wait@{duration.id}", "processDefinitionId": duration.id,
        "processDefinitionKey": "timer_duration", "activityId": "Timer_Wait",
        "jobType": "timer-intermediate-transition", "jobConfiguration": "DURATION: PT10M",
        "overridingJobPriority": None, "suspended": False, "tenantId": None,
        "deploymentId": duration.deployment_id}
    escalate = by_id[f"Boundary_Escalate@{boundary.id}"]
    assert escalate["jobType"] == "timer-transition"
    assert client.get(f"{R}/job-definition/count?processDefinitionKey=timer_boundary",
                      headers=reviewer).json == {"count": 2}
    assert [r["activityId"] for r in client.post(f"{R}/job-definition", headers=reviewer,
            json={"activityIdIn": ["Timer_Wait"]}).json] == ["Timer_Wait"]
    assert client.post(f"{R}/job-definition/count", headers=reviewer, json={
        "jobType": "timer-transition"}).json == {"count": 2}
    ascending = client.get(f"{R}/job-definition?sortBy=activityId&sortOrder=asc",
                           headers=reviewer).json
    descending = client.get(f"{R}/job-definition?sortBy=activityId&sortOrder=desc",
                            headers=reviewer).json
    assert [r["activityId"] for r in descending] == [r["activityId"] for r in
                                                     reversed(ascending)]
    assert client.get(f"{R}/job-definition/{timer['id']}", headers=reviewer).json == timer
    assert client.get(f"{R}/job-definition/Timer_Wait@nope",
                      headers=reviewer).status_code == 404
    assert client.get(f"{R}/job-definition?tenantIdIn=t", headers=ops).status_code == 400
    with time_machine.travel(NOW, tick=False):
        instance_id = start(uow_factory, "timer_duration").id
    [job] = client.get(f"{R}/job?processInstanceId={instance_id}", headers=ops).json
    assert job["jobDefinitionId"] == timer["id"]
    assert client.get(f"{R}/job/count?jobDefinitionId={timer['id']}", headers=ops).json == {
        "count": 1}
    suspended = client.put(f"{R}/job/suspended", headers=ops, json={
        "jobDefinitionId": timer["id"], "suspended": True})
    assert suspended.status_code == 204
    assert client.get(f"{R}/job/{job['id']}", headers=ops).json["suspended"] is True


def test_job_definition_retries_reach_failed_jobs_only(client, uow_factory, ops, user):
    [duration] = deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        ids = [start(uow_factory, "timer_duration").id for _ in range(2)]
    jobs = [client.get(f"{R}/job?processInstanceId={i}", headers=ops).json[0] for i in ids]
    client.put(f"{R}/job/{jobs[0]['id']}/retries", json={"retries": 0}, headers=ops)
    url = f"{R}/job-definition/Timer_Wait@{duration.id}/retries"
    reviewer = user("wang", "province:11:reviewer")
    assert client.put(url, json={"retries": 2}, headers=reviewer).status_code == 403
    assert client.put(url, json={"retries": 2}, headers=ops).status_code == 204
    retries = [client.get(f"{R}/job/{j['id']}", headers=ops).json["retries"] for j in jobs]
    assert retries[0] == 2 and retries[1] != 2
    assert client.put(url, json={"retries": "x"}, headers=ops).status_code == 400


def test_local_variable_data_is_no_binary(client, uow_factory, ops):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    instance_id = start(uow_factory, "timer_duration", note="n").id
    url = f"{R}/execution/{instance_id}/localVariables"
    data = client.get(f"{url}/note/data", headers=ops)
    assert data.status_code == 400 and "binary" in data.json["message"]
    assert client.get(f"{url}/absent/data", headers=ops).status_code == 404
