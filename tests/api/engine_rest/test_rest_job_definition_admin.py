"""Ops on /job-definition: suspension and overriding priority, of existing jobs (includeJobs)
and of the jobs made later; DELETE /job/{id} of a timer start job."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from engine import Settings, jobs
from tests.factories import NOW, deploy_fixture, start

R = "/engine-rest"


def _job(client, ops, instance_id):
    [job] = client.get(f"{R}/job?processInstanceId={instance_id}", headers=ops).json
    return job


def _fire(uow_factory, when):
    with time_machine.travel(when, tick=False):
        return jobs.run_until_idle(uow_factory, Settings(secret_key="x"), "w1",
                                   now=lambda: when)


def test_a_suspended_job_definition_suspends_its_jobs_and_those_made_later(
        client, uow_factory, ops, user):
    [duration] = deploy_fixture(uow_factory, "timer_duration.bpmn")
    jd = f"Timer_Wait@{duration.id}"
    with time_machine.travel(NOW, tick=False):
        before = start(uow_factory, "timer_duration").id
    reviewer = user("wang", "province:11:reviewer")
    url = f"{R}/job-definition/{jd}/suspended"
    assert client.put(url, json={"suspended": True}, headers=reviewer).status_code == 403
    assert client.put(url, json={"suspended": True, "includeJobs": False},
                      headers=ops).status_code == 204
    shown = client.get(f"{R}/job-definition/{jd}", headers=reviewer).json
    assert shown["suspended"] is True
    assert _job(client, ops, before)["suspended"] is False  # not included
    with time_machine.travel(NOW, tick=False):
        after = start(uow_factory, "timer_duration").id
    assert _job(client, ops, after)["suspended"] is True  # made for a suspended definition
    assert len(_fire(uow_factory, NOW + timedelta(hours=1))) == 1  # only `before` fired
    assert client.get(f"{R}/job?processInstanceId={before}", headers=ops).json == []
    assert [j["id"] for j in client.get(f"{R}/job-definition?suspended=true",
                                        headers=ops).json] == [jd]
    assert client.get(f"{R}/job-definition/count?active=true&processDefinitionKey="
                      "timer_duration", headers=ops).json == {"count": 0}
    assert client.put(url, json={"suspended": False, "includeJobs": True},
                      headers=ops).status_code == 204
    assert _job(client, ops, after)["suspended"] is False
    assert client.get(f"{R}/job-definition/{jd}", headers=ops).json["suspended"] is False
    [logged] = client.get(f"{R}/history/user-operation?operationType=SuspendJobDefinition",
                          headers=ops).json
    assert (logged["entityType"], logged["newValue"]) == ("JobDefinition", "suspended")


def test_suspending_by_process_definition_key_reaches_every_version(client, uow_factory, ops):
    [first] = deploy_fixture(uow_factory, "timer_boundary.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance_id = start(uow_factory, "timer_boundary", unit_id="u1").id
    body = {"processDefinitionKey": "timer_boundary", "suspended": True, "includeJobs": True}
    assert client.put(f"{R}/job-definition/suspended", json=body,
                      headers=ops).status_code == 204
    rows = client.get(f"{R}/job-definition?processDefinitionKey=timer_boundary",
                      headers=ops).json
    assert len(rows) == 2 and all(r["suspended"] for r in rows)
    assert all(j["suspended"] for j in client.get(
        f"{R}/job?processInstanceId={instance_id}", headers=ops).json)
    by_id = {"processDefinitionId": first.id, "suspended": False}
    assert client.put(f"{R}/job-definition/suspended", json=by_id,
                      headers=ops).status_code == 204
    assert not any(r["suspended"] for r in client.get(
        f"{R}/job-definition?processDefinitionId={first.id}", headers=ops).json)
    for bad, named in ((
            {"suspended": True}, "exactly one"),
            ({"processDefinitionKey": "timer_boundary", "processDefinitionId": first.id,
              "suspended": True}, "exactly one"),
            ({"processDefinitionKey": "timer_boundary"}, "suspended"),
            ({"processDefinitionKey": "timer_boundary", "suspended": True,
              "executionDate": "2026-12-01T00:00:00.000+0000"}, "executionDate"),
            ({"processDefinitionKey": 5, "suspended": True}, "processDefinitionKey"),
            ({"processDefinitionKey": "x", "suspended": True, "colour": 1}, "colour")):
        refused = client.put(f"{R}/job-definition/suspended", json=bad, headers=ops)
        assert refused.status_code == 400, bad
        assert named in refused.json["message"], (bad, refused.json)
    missing = client.put(f"{R}/job-definition/suspended", headers=ops, json={
        "processDefinitionKey": "nope", "suspended": True})
    assert missing.status_code == 404
    assert client.put(f"{R}/job-definition/Timer_X@nope/suspended", headers=ops,
                      json={"suspended": True}).status_code == 404


def test_the_overriding_priority_reaches_existing_and_later_jobs(client, uow_factory, ops):
    [duration] = deploy_fixture(uow_factory, "timer_duration.bpmn")
    jd = f"Timer_Wait@{duration.id}"
    with time_machine.travel(NOW, tick=False):
        before = start(uow_factory, "timer_duration").id
    url = f"{R}/job-definition/{jd}/jobPriority"
    assert client.put(url, json={"priority": 9}, headers=ops).status_code == 204
    assert client.get(f"{R}/job-definition/{jd}", headers=ops).json[
        "overridingJobPriority"] == 9
    assert _job(client, ops, before)["priority"] == 0
    with time_machine.travel(NOW, tick=False):
        after = start(uow_factory, "timer_duration").id
    assert _job(client, ops, after)["priority"] == 9
    assert client.put(url, json={"priority": 4, "includeJobs": True},
                      headers=ops).status_code == 204
    assert {_job(client, ops, i)["priority"] for i in (before, after)} == {4}
    assert [r["id"] for r in client.get(f"{R}/job-definition?withOverridingJobPriority=true",
                                        headers=ops).json] == [jd]
    refused = client.put(url, json={"priority": None, "includeJobs": True}, headers=ops)
    assert refused.status_code == 400 and "includeJobs" in refused.json["message"]
    assert client.put(url, json={"priority": "high"}, headers=ops).status_code == 400
    assert client.put(url, json={"priority": 2**63}, headers=ops).status_code == 400
    assert client.put(url, json={"priority": None}, headers=ops).status_code == 204
    assert client.get(f"{R}/job-definition/{jd}", headers=ops).json[
        "overridingJobPriority"] is None
    assert _job(client, ops, after)["priority"] == 4  # jobs keep theirs
    reviewer_put = client.put(url, json={"priority": 1},
                              headers={"Accept": "application/json"})
    assert reviewer_put.status_code == 401


def test_delete_job_removes_a_timer_start_and_refuses_a_tokens_timer(
        client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "start_cycle.bpmn", "timer_duration.bpmn")
    [start_job] = [j for j in client.get(f"{R}/job", headers=ops).json
                   if j["processInstanceId"] is None]
    reviewer = user("wang", "province:11:reviewer")
    assert client.delete(f"{R}/job/{start_job['id']}", headers=reviewer).status_code == 403
    assert client.delete(f"{R}/job/{start_job['id']}", headers=ops).status_code == 204
    assert client.get(f"{R}/job/{start_job['id']}", headers=ops).status_code == 404
    assert client.delete(f"{R}/job/{start_job['id']}", headers=ops).status_code == 404
    assert _fire(uow_factory, NOW + timedelta(days=30)) == []  # the start never fires
    with time_machine.travel(NOW, tick=False):
        instance_id = start(uow_factory, "timer_duration").id
    timer = _job(client, ops, instance_id)
    refused = client.delete(f"{R}/job/{timer['id']}", headers=ops)
    assert refused.status_code == 400 and "modification" in refused.json["message"]
    assert client.get(f"{R}/job/{timer['id']}", headers=ops).status_code == 200
    [logged] = client.get(f"{R}/history/user-operation?entityType=Job&operationType=Delete",
                          headers=ops).json
    assert logged["userId"] == "ops1"
