"""Camunda /history/activity-instance: runs of activities, filtered, sorted, paged in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import deploy_fixture

R = "/engine-rest"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
AT = "2026-11-30T{}.000+0000"


def _start(client, headers, province="11"):
    response = client.post(f"{R}/process-definition/key/simple_review/start", headers=headers,
                           json={"variables": {"province_code": {"value": province},
                                               "review_due": {"value": ""}}})
    assert response.status_code == 200, response.json
    return response.json["id"]


def _review(client, headers, instance_id, approved):
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=headers).json
    done = client.post(f"{R}/task/{task['id']}/complete", headers=headers, json={
        "variables": {"approved": {"value": approved}, "score": {"value": 80}}})
    assert done.status_code == 204, done.json
    return task


def _two_instances(client, uow_factory, ops, wang):
    deploy_fixture(uow_factory, "review.bpmn")
    with time_machine.travel(T0, tick=False) as traveller:
        done_id = _start(client, ops)
        traveller.shift(timedelta(minutes=10))
        open_id = _start(client, ops)
        traveller.shift(timedelta(minutes=80))
        task = _review(client, wang, done_id, approved=True)
    return done_id, open_id, task


def test_runs_of_an_instance_with_camunda_fields(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    done_id, open_id, task = _two_instances(client, uow_factory, ops, wang)
    runs = client.get(f"{R}/history/activity-instance?processInstanceId={done_id}"
                      "&sortBy=startTime&sortOrder=asc", headers=ops).json
    assert [(r["activityId"], r["activityType"]) for r in runs] == [
        ("StartEvent_1", "startEvent"), ("Task_Review", "userTask"),
        ("Gateway_Decision", "exclusiveGateway"), ("Script_Approved", "scriptTask"),
        ("End_Approved", "noneEndEvent")]
    review = runs[1]
    assert review["id"] == f"Task_Review:{task['id']}" and review["taskId"] == task["id"]
    assert (review["startTime"], review["endTime"], review["durationInMillis"]) == (
        AT.format("01:00:00"), AT.format("02:30:00"), 90 * 60_000)
    assert (review["assignee"], review["canceled"], review["completeScope"]) == (
        "wang", False, False)
    assert review["parentActivityInstanceId"] == done_id
    assert review["executionId"] == f"{done_id}.{task['id']}"
    assert review["processDefinitionKey"] == "simple_review"
    assert review["processDefinitionId"].startswith("simple_review:1:")
    assert runs[-1]["completeScope"] is True
    one = client.get(f"{R}/history/activity-instance/{review['id']}", headers=ops)
    assert one.status_code == 200 and one.json == review
    [waiting] = client.get(f"{R}/history/activity-instance?unfinished=true", headers=ops).json
    assert (waiting["processInstanceId"], waiting["activityId"], waiting["endTime"]) == (
        open_id, "Task_Review", None)
    # the runtime tree and the history name the same activity instance
    tree = client.get(f"{R}/process-instance/{open_id}/activity-instances", headers=ops).json
    assert tree["childActivityInstances"][0]["id"] == waiting["id"]


def test_filters_sorting_paging_and_count(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    done_id, open_id, _task = _two_instances(client, uow_factory, ops, wang)
    count = client.get(f"{R}/history/activity-instance/count", headers=ops).json
    assert count == {"count": 7}  # 5 runs of the ended instance, 2 of the waiting one
    for query, expected in (
            ("activityType=userTask", 2), ("activityId=StartEvent_1", 2),
            ("finished=true", 6), ("unfinished=true", 1), ("completeScope=true", 1),
            ("canceled=true", 0), ("taskAssignee=wang", 1), ("activityName=省级审核", 2),
            (f"processInstanceId={open_id}", 2), (f"executionId={open_id}.nope", 0),
            ("startedAfter=2026-11-30T01:10:00.000%2B0000", 5),
            ("startedBefore=2026-11-30T01:00:00.000%2B0000", 2),
            ("finishedAfter=2026-11-30T02:00:00.000%2B0000", 4),
            ("finishedBefore=2026-11-30T01:30:00.000%2B0000", 2),
            ("tenantIdIn=t1", 0), ("withoutTenantId=true", 7)):
        got = client.get(f"{R}/history/activity-instance/count?{query}", headers=ops).json
        assert got == {"count": expected}, query
        listed = client.get(f"{R}/history/activity-instance?{query}", headers=ops).json
        assert len(listed) == expected, query
    ascending = client.get(f"{R}/history/activity-instance?sortBy=activityId&sortOrder=asc",
                           headers=ops).json
    descending = client.get(f"{R}/history/activity-instance?sortBy=activityId&sortOrder=desc",
                            headers=ops).json
    keys = [r["activityId"] for r in ascending]
    assert keys == sorted(keys) and [r["activityId"] for r in descending] == keys[::-1]
    page = client.get(f"{R}/history/activity-instance?sortBy=activityId&sortOrder=asc"
                      "&firstResult=2&maxResults=3", headers=ops).json
    assert [r["id"] for r in page] == [r["id"] for r in ascending[2:5]]
    posted = client.post(f"{R}/history/activity-instance?firstResult=0&maxResults=2",
                         headers=ops, json={
                             "activityType": "userTask", "sorting": [
                                 {"sortBy": "startTime", "sortOrder": "desc"}]}).json
    assert [r["processInstanceId"] for r in posted] == [open_id, done_id]
    timed = client.post(f"{R}/history/activity-instance", headers=ops, json={
        "finished": True, "sortBy": "duration", "sortOrder": "desc"}).json
    assert timed[0]["activityId"] == "Task_Review" and timed[0]["durationInMillis"] == 90 * 60_000
    assert client.post(f"{R}/history/activity-instance/count", headers=ops,
                       json={"finished": True, "activityType": "userTask"}).json == {
        "count": 1}


def test_unknown_parameters_and_bad_values_are_refused(client, ops):
    for url in ("/history/activity-instance?activityIdIn=a",
                "/history/activity-instance/count?calledProcessInstanceId=x",
                "/history/activity-instance?sortBy=assignee&sortOrder=asc",
                "/history/activity-instance?startedAfter=tomorrow",
                "/history/activity-instance?sortBy=startTime"):
        answer = client.get(f"{R}{url}", headers=ops)
        assert answer.status_code == 400, url
        assert answer.json["type"] == "InvalidRequestException", url
    posted = client.post(f"{R}/history/activity-instance", headers=ops,
                         json={"activityInstanceIdIn": ["x"]})
    assert posted.status_code == 400 and "activityInstanceIdIn" in posted.json["message"]
    missing = client.get(f"{R}/history/activity-instance/Task_X:nope", headers=ops)
    assert missing.status_code == 404


def test_each_caller_sees_the_runs_of_instances_in_scope(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    li = user("li", "province:44:reviewer")
    deploy_fixture(uow_factory, "review.bpmn")
    ours = _start(client, ops, "11")
    theirs = _start(client, ops, "44")
    assert client.get(f"{R}/history/activity-instance/count", headers=ops).json == {
        "count": 4}
    mine = client.get(f"{R}/history/activity-instance", headers=wang).json
    assert {r["processInstanceId"] for r in mine} == {ours}
    assert {r["processInstanceId"] for r in client.get(
        f"{R}/history/activity-instance", headers=li).json} == {theirs}
    hidden = mine[0]["id"]
    assert client.get(f"{R}/history/activity-instance/{hidden}", headers=li).status_code == 404


def test_statistics_per_activity_of_a_definition(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    done_id, open_id, _task = _two_instances(client, uow_factory, ops, wang)
    gone_id = _start(client, ops)
    assert client.delete(f"{R}/process-instance/{gone_id}", headers=ops).status_code == 204
    failing = _start(client, ops)
    [task] = client.get(f"{R}/task?processInstanceId={failing}", headers=wang).json
    client.post(f"{R}/task/{task['id']}/complete", headers=wang,
                json={"variables": {"approved": {"value": True}}})  # no score: it fails
    definition = client.get(f"{R}/process-definition/key/simple_review", headers=ops).json
    url = f"{R}/history/process-definition/{definition['id']}/statistics"
    plain = {row["id"]: row for row in client.get(url, headers=ops).json}
    assert plain["Task_Review"] == {
        "id": "Task_Review", "instances": 1, "canceled": 0, "finished": 0,
        "completeScope": 0, "openIncidents": 0, "resolvedIncidents": 0, "deletedIncidents": 0}
    full = {row["id"]: row for row in client.get(
        f"{url}?canceled=true&finished=true&completeScope=true&incidents=true",
        headers=ops).json}
    review = full["Task_Review"]
    assert (review["instances"], review["canceled"], review["finished"]) == (1, 1, 3)
    assert full["End_Approved"]["completeScope"] == 1
    assert sum(row["openIncidents"] for row in full.values()) == 1
    ids = [row["id"] for row in client.get(f"{url}?sortBy=activityId&sortOrder=desc",
                                           headers=ops).json]
    assert ids == sorted(ids, reverse=True)
    only = client.get(f"{url}?processInstanceIdIn={open_id}&finished=true", headers=ops).json
    assert {row["id"]: (row["instances"], row["finished"]) for row in only} == {
        "StartEvent_1": (0, 1), "Task_Review": (1, 0)}
    later = client.get(f"{url}?startedAfter=2026-11-30T01:05:00.000%2B0000", headers=ops).json
    assert all(row["id"] != "End_Approved" for row in later)  # done_id started before
    assert client.get(f"{url}?maxResults=1", headers=ops).status_code == 400
    assert client.get(f"{url}?activityId=x", headers=ops).status_code == 400
    assert client.get(f"{R}/history/process-definition/nope/statistics",
                      headers=ops).status_code == 404
    li = user("li", "province:44:reviewer")
    assert client.get(url, headers=li).json == []
