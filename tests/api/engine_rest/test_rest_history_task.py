"""Camunda /history/task: user tasks open, completed and deleted, in scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import deploy_fixture

R = "/engine-rest"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
DUE = "2026-12-15T23:59:00+08:00"


def _start(client, headers, key, business_key=None, **variables):
    typed = {k: {"value": v} for k, v in variables.items()}
    response = client.post(f"{R}/process-definition/key/{key}/start", headers=headers,
                           json={"businessKey": business_key, "variables": typed})
    assert response.status_code == 200, response.json
    return response.json["id"]


def _task(client, headers, instance_id):
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=headers).json
    return task


def _complete(client, headers, task_id, **variables):
    typed = {k: {"value": v} for k, v in variables.items()}
    done = client.post(f"{R}/task/{task_id}/complete", headers=headers,
                       json={"variables": typed})
    assert done.status_code == 204, done.json


def test_historic_tasks_open_completed_and_deleted(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "review.bpmn")
    wang = user("wang", "province:11:reviewer")
    li = user("li", "province:44:reviewer")
    with time_machine.travel(T0, tick=False) as traveller:
        done_id, open_id, gone_id = (
            _start(client, ops, "simple_review", f"T-{n}", province_code="11", review_due=DUE)
            for n in (1, 2, 3))
        traveller.shift(timedelta(minutes=90))
        _complete(client, wang, _task(client, wang, done_id)["id"], approved=True, score=80)
        live = _task(client, wang, open_id)
        claim = client.post(f"{R}/task/{live['id']}/claim", headers=wang,
                            json={"userId": "wang"})
        assert claim.status_code == 204
        traveller.shift(timedelta(minutes=30))
        assert client.delete(f"{R}/process-instance/{gone_id}", headers=ops).status_code == 204

    ended = client.get(f"{R}/history/task?finished=true&sortBy=deleteReason&sortOrder=asc",
                       headers=ops).json
    assert [(t["processInstanceId"], t["deleteReason"], t["assignee"]) for t in ended] == [
        (done_id, "completed", "wang"), (gone_id, "deleted", None)]
    first = ended[0]
    assert (first["startTime"], first["endTime"], first["duration"]) == (
        "2026-11-30T01:00:00.000+0000", "2026-11-30T02:30:00.000+0000", 90 * 60 * 1000)
    assert (first["name"], first["taskDefinitionKey"], first["priority"], first["due"]) == (
        "省级审核", "Task_Review", 60, "2026-12-15T15:59:00.000+0000")
    assert first["processDefinitionId"].startswith("simple_review:1:")
    [still] = client.get(f"{R}/history/task?unfinished=true", headers=ops).json
    assert (still["id"], still["assignee"], still["endTime"], still["duration"]) == (
        live["id"], "wang", None, None)  # the claim after the start shows while it is open
    assert client.post(f"{R}/history/task/count", headers=ops,
                       json={"taskAssignee": "wang"}).json == {"count": 2}
    assert client.get(f"{R}/history/task/count?processFinished=true",
                      headers=ops).json == {"count": 2}
    by_time = client.post(f"{R}/history/task?firstResult=0&maxResults=1", headers=ops,
                          json={"sorting": [{"sortBy": "endTime", "sortOrder": "desc"}],
                                "finishedAfter": "2026-11-30T02:00:00.000+0000"}).json
    assert [t["processInstanceId"] for t in by_time] == [gone_id]
    assert client.get(f"{R}/history/task/count", headers=wang).json == {"count": 3}
    assert client.get(f"{R}/history/task/count", headers=li).json == {"count": 0}


def test_a_worker_keeps_the_tasks_they_worked(client, uow_factory, ops, user):
    """Offered to a group without a province, the instance leaves a worker's scope when its
    task does; the tasks they completed stay theirs to see."""
    deploy_fixture(uow_factory, "loop_review.bpmn")
    zhang = user("zhang", "staff")
    zhao = user("zhao", "staff")
    instance_id = _start(client, ops, "loop_review", done=False)
    first = _task(client, zhang, instance_id)
    _complete(client, zhang, first["id"], done=False)
    second = _task(client, zhang, instance_id)
    assert second["id"] != first["id"]
    assert client.get(f"{R}/history/task/count", headers=zhao).json == {"count": 2}
    _complete(client, zhang, second["id"], done=True)
    mine = client.get(f"{R}/history/task?sortBy=startTime&sortOrder=asc", headers=zhang).json
    assert [(t["id"], t["deleteReason"]) for t in mine] == [
        (first["id"], "completed"), (second["id"], "completed")]
    assert client.get(f"{R}/history/task", headers=zhao).json == []


def test_history_task_refuses_what_it_does_not_answer(client, ops):
    owner = client.get(f"{R}/history/task?taskOwner=x", headers=ops)
    assert owner.status_code == 400 and "taskOwner" in owner.json["message"]
    duration = client.get(f"{R}/history/task?sortBy=duration&sortOrder=asc", headers=ops)
    assert duration.status_code == 400 and "duration" in duration.json["message"]
    date = client.post(f"{R}/history/task/count", headers=ops, json={"startedAfter": "soon"})
    assert date.status_code == 400 and "startedAfter" in date.json["message"]
