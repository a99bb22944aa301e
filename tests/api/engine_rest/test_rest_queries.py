"""Camunda REST list queries: every filter honoured or refused, sorting, paging, counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from engine import clock, jobs
from engine.config import Settings
from tests.factories import NOW, deploy_fixture, make_user, start

R = "/engine-rest"
HISTORY = ["/history/process-instance", "/history/incident", "/history/task",
           "/history/user-operation", "/history/external-task-log", "/history/job-log",
           "/history/identity-link-log", "/history/variable-instance", "/history/detail",
           "/history/batch", "/history/batch/cleanable-batch-report",
           "/history/process-definition/cleanable-process-instance-report",
           "/history/decision-definition/cleanable-decision-instance-report"]
LISTS = ["/task", "/process-instance", "/process-definition", "/deployment", "/job",
         "/external-task", "/incident", "/execution", "/variable-instance", "/job-definition",
         "/filter", "/user", "/group", "/decision-definition", "/tenant", "/authorization",
         "/decision-requirements-definition", "/batch", "/batch/statistics",
         *HISTORY]
POSTS = ["/task", "/process-instance", "/execution", "/variable-instance", "/job",
         "/job-definition", "/group", "/history/process-instance", "/history/task",
         "/history/external-task-log", "/history/job-log", "/history/variable-instance"]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_refuses_an_unknown_parameter(client, ops, path):
    for url in (f"{R}{path}?noSuchFilter=1", f"{R}{path}/count?noSuchFilter=1"):
        response = client.get(url, headers=ops)
        assert response.status_code == 400, response.json
        assert response.json["type"] == "InvalidRequestException"
        assert "noSuchFilter" in response.json["message"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", POSTS)
def test_post_queries_refuse_an_unknown_field(client, ops, path):
    for url in (f"{R}{path}", f"{R}{path}/count"):
        response = client.post(url, json={"superProcessInstance": "x"}, headers=ops)
        assert response.status_code == 400 and "superProcessInstance" in response.json[
            "message"]
        in_url = client.post(f"{url}?assignee=wang", json={}, headers=ops)
        assert in_url.status_code == 400 and "assignee" in in_url.json["message"]


def _instances(uow_factory, *business_keys):
    deploy_fixture(uow_factory, "review.bpmn")
    return [start(uow_factory, "simple_review", business_key=key, province_code="11",
                  review_due="").id for key in business_keys]


def test_sorting_reverses_with_sort_order_and_pages(client, uow_factory, ops):
    ids = dict(zip(["B-2", "B-1", "B-3"], _instances(uow_factory, "B-2", "B-1", "B-3"),
                   strict=True))
    url = f"{R}/process-instance?sortBy=businessKey&sortOrder="
    ascending = [i["businessKey"] for i in client.get(url + "asc", headers=ops).json]
    descending = [i["businessKey"] for i in client.get(url + "desc", headers=ops).json]
    assert ascending == ["B-1", "B-2", "B-3"] and descending == ["B-3", "B-2", "B-1"]
    paged = client.get(url + "asc&firstResult=1&maxResults=1", headers=ops).json
    assert [i["id"] for i in paged] == [ids["B-2"]]
    posted = client.post(f"{R}/process-instance?maxResults=2", headers=ops, json={
        "sorting": [{"sortBy": "businessKey", "sortOrder": "desc"}]}).json
    assert [i["businessKey"] for i in posted] == ["B-3", "B-2"]
    tasks = client.get(f"{R}/task?sortBy=processInstanceId&sortOrder=desc", headers=ops).json
    assert [t["processInstanceId"] for t in tasks] == sorted(ids.values(), reverse=True)
    bad = client.get(f"{R}/process-instance?sortBy=businessKey", headers=ops)
    assert bad.status_code == 400 and "sortOrder" in bad.json["message"]
    bad = client.get(f"{R}/task?sortBy=colour&sortOrder=asc", headers=ops)
    assert bad.status_code == 400 and "colour" in bad.json["message"]


def test_filters_that_were_ignored_now_filter(client, uow_factory, ops):
    ids = _instances(uow_factory, "PC-10", "PC-11", "X-1")
    like = client.get(f"{R}/process-instance?businessKeyLike=PC-%25", headers=ops).json
    assert sorted(i["id"] for i in like) == sorted(ids[:2])
    assert client.get(f"{R}/process-instance?withIncident=true", headers=ops).json == []
    by_key = client.get(f"{R}/task?processInstanceBusinessKey=X-1", headers=ops).json
    assert [t["processInstanceId"] for t in by_key] == [ids[2]]
    assert client.get(f"{R}/task/count?processInstanceBusinessKeyLike=PC%25",
                      headers=ops).json == {"count": 2}
    assert client.post(f"{R}/task/count", headers=ops,
                       json={"processInstanceIdIn": ids[1:]}).json == {"count": 2}
    assert client.get(f"{R}/process-definition?latestVersion=true&key=simple_review",
                      headers=ops).json[0]["historyTimeToLive"] == 180


def test_wrong_types_name_the_parameter(client, ops):
    for url in (f"{R}/task?minPriority=high", f"{R}/task?dueBefore=tomorrow",
                f"{R}/process-instance?suspended=maybe", f"{R}/task?maxResults=-1"):
        response = client.get(url, headers=ops)
        name = url.split("?")[1].split("=")[0]
        assert response.status_code == 400 and name in response.json["message"], url


@pytest.mark.parametrize(("path", "sort_by", "key"), [
    ("/execution", "instanceId", "processInstanceId"),
    ("/variable-instance", "variableName", "name"),
    ("/job", "jobId", "id"), ("/job-definition", "activityId", "activityId")])
def test_runtime_lists_reverse_with_sort_order(client, uow_factory, ops, path, sort_by, key):
    deploy_fixture(uow_factory, "review.bpmn", "timer_duration.bpmn", "timer_boundary.bpmn")
    for business_key in ("S-1", "S-2"):
        start(uow_factory, "simple_review", business_key=business_key, province_code="11",
              review_due="")
        start(uow_factory, "timer_duration", business_key=business_key)
    url = f"{R}{path}?sortBy={sort_by}&sortOrder="
    ascending = [row[key] for row in client.get(url + "asc", headers=ops).json]
    descending = [row[key] for row in client.get(url + "desc", headers=ops).json]
    assert len(set(ascending)) >= 2 and ascending == sorted(ascending)
    assert descending == sorted(ascending, reverse=True)
    posted = client.post(f"{R}{path}", headers=ops, json={
        "sorting": [{"sortBy": sort_by, "sortOrder": "desc"}]}).json
    assert [row[key] for row in posted] == descending


def test_filters_sort_both_ways_and_page(client, ops):
    for name in ("B", "A", "C"):
        response = client.post(f"{R}/filter/create", headers=ops,
                               json={"resourceType": "Task", "name": name, "query": {}})
        assert response.status_code == 200, response.json
    url = f"{R}/filter?sortBy=name&sortOrder="
    assert [f["name"] for f in client.get(url + "asc", headers=ops).json] == ["A", "B", "C"]
    assert [f["name"] for f in client.get(url + "desc", headers=ops).json] == ["C", "B", "A"]
    paged = client.get(url + "asc&firstResult=1&maxResults=1", headers=ops).json
    assert [f["name"] for f in paged] == ["B"]
    bad = client.get(f"{R}/filter?sortBy=colour&sortOrder=asc", headers=ops)
    assert bad.status_code == 400 and "colour" in bad.json["message"]


def test_identity_decision_and_tenant_lists_sort_both_ways(client, uow_factory, user):
    admin = user("root", "admin", "ops")
    for name, group in (("b-user", "g-2"), ("a-user", "g-1"), ("c-user", "g-3")):
        make_user(uow_factory, name, group)
    deploy_fixture(uow_factory, "dmn_collect.dmn", "dmn_drd.dmn")
    for path, by, field in (("/user", "userId", "id"), ("/group", "id", "id"),
                            ("/decision-definition", "key", "key"),
                            ("/authorization", "resourceType", "resourceType")):
        url = f"{R}{path}?sortBy={by}&sortOrder="
        up = [row[field] for row in client.get(url + "asc", headers=admin).json]
        down = [row[field] for row in client.get(url + "desc", headers=admin).json]
        assert len(up) >= 3 and up == sorted(up) and down == up[::-1], path
        bad = client.get(f"{R}{path}?sortBy=colour&sortOrder=asc", headers=admin)
        assert bad.status_code == 400 and "colour" in bad.json["message"], path
    posted = client.post(f"{R}/group?maxResults=2", headers=admin, json={
        "sorting": [{"sortBy": "id", "sortOrder": "desc"}]}).json
    assert [g["id"] for g in posted] == ["ops", "g-3"]
    assert client.get(f"{R}/tenant?sortBy=name&sortOrder=desc", headers=admin).json == []
    assert client.get(f"{R}/tenant?sortBy=colour&sortOrder=asc",
                      headers=admin).status_code == 400
def _history_rows(client, uow_factory, ops, worker, reviewer):
    """Two rows in every /history list, each a minute after the one before."""
    deploy_fixture(uow_factory, "review.bpmn", "rest_external.bpmn", "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False) as traveller:
        for _ in range(2):
            traveller.shift(timedelta(minutes=1))
            start(uow_factory, "timer_duration", clock.now())
            for key in ("simple_review", "rest_external"):
                traveller.shift(timedelta(seconds=1))
                assert client.post(f"{R}/process-definition/key/{key}/start", headers=ops,
                                   json={"variables": {"province_code": {"value": "11"},
                                                       "review_due": {"value": ""}}}
                                   ).status_code == 200
        for task in client.get(f"{R}/task", headers=reviewer).json:
            traveller.shift(timedelta(minutes=1))
            assert client.post(f"{R}/task/{task['id']}/claim", headers=reviewer,
                               json={"userId": "wang"}).status_code == 204
        for _ in range(2):
            traveller.shift(timedelta(minutes=1))
            [task] = client.post(f"{R}/external-task/fetchAndLock", headers=worker, json={
                "workerId": "w1", "maxTasks": 1,
                "topics": [{"topicName": "rest-score", "lockDuration": 60000}]}).json
            assert client.post(f"{R}/external-task/{task['id']}/complete", headers=worker,
                               json={"workerId": "w1"}).status_code == 204
    for seconds in (690, 750):  # each timer is due ten minutes after its start
        with time_machine.travel(NOW + timedelta(seconds=seconds), tick=False):
            jobs.run_until_idle(uow_factory, Settings(job_lease_seconds=60), "w",
                                now=clock.now)


HISTORY_SORTS = [("/history/task", "startTime"), ("/history/user-operation", "timestamp"),
                 ("/history/external-task-log", "timestamp"), ("/history/job-log", "timestamp"),
                 ("/history/identity-link-log", "time")]


def test_history_lists_reverse_with_sort_order(client, uow_factory, ops, user):
    _history_rows(client, uow_factory, ops, user("worker1", "worker"),
                  user("wang", "province:11:reviewer"))
    for path, key in HISTORY_SORTS:
        url = f"{R}{path}?sortBy={key}&sortOrder="
        ascending = [e["id"] for e in client.get(url + "asc", headers=ops).json]
        descending = [e["id"] for e in client.get(url + "desc", headers=ops).json]
        assert len(ascending) >= 2 and ascending == descending[::-1], path
        assert client.get(f"{url}asc&firstResult=1&maxResults=1", headers=ops).json[0][
            "id"] == ascending[1], path
