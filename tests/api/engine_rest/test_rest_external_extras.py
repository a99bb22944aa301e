"""/external-task extras: POST query and count, topic names, priority (and usePriority),
retries for many at once; pycamunda's external-task requests against a real server."""

from __future__ import annotations

from pathlib import Path

import pycamunda.externaltask
import pytest
import requests

from tests.factories import deploy_files

HERE = Path(__file__).resolve().parent
R = "/engine-rest"


@pytest.fixture
def flow(uow_factory):
    deploy_files(uow_factory, HERE / "fixtures" / "js_flow.bpmn",
                 HERE / "fixtures" / "js_other.bpmn")


def _start(client, headers, key: str = "js_flow") -> str:
    answer = client.post(f"{R}/process-definition/key/{key}/start", json={}, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return str(answer.json["id"])


def _task_of(client, headers, instance: str) -> dict[str, object]:
    [task] = client.get(f"{R}/external-task?processInstanceId={instance}",
                        headers=headers).json
    return dict(task)


def test_post_query_count_and_topic_names(client, flow, ops):
    first, second = _start(client, ops), _start(client, ops, "js_other")
    found = client.post(f"{R}/external-task", headers=ops,
                        json={"processInstanceIdIn": [first, second], "topicName": "js-check",
                              "sorting": [{"sortBy": "processInstanceId",
                                           "sortOrder": "asc"}]})
    assert found.status_code == 200, found.json
    assert [t["processInstanceId"] for t in found.json] == sorted([first, second])
    count = client.post(f"{R}/external-task/count", headers=ops,
                        json={"processDefinitionKey": "js_other"})
    assert count.json == {"count": 1}
    assert client.get(f"{R}/external-task/topic-names", headers=ops).json == ["js-check"]
    assert client.get(f"{R}/external-task/topic-names?withLockedTasks=true",
                      headers=ops).json == []


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("post", "/external-task", {"json": {"colour": "red"}}),
    ("post", "/external-task/count", {"json": {"colour": "red"}}),
    ("get", "/external-task/topic-names?colour=red", {}),
])
def test_unknown_parameters_are_400(client, flow, ops, method, path, kwargs):
    answer = getattr(client, method)(f"{R}{path}", headers=ops, **kwargs)
    assert answer.status_code == 400 and "colour" in answer.json["message"], answer.json


def test_lists_are_for_ops_and_topic_names_too(client, flow, ops, user):
    _start(client, ops)
    staff = user("staff1", "staff")
    for path in ("/external-task/topic-names", "/external-task"):
        assert client.get(f"{R}{path}", headers=staff).status_code == 403


def test_priority_is_kept_shown_and_used_by_fetch(client, flow, ops, user):
    low, high = _start(client, ops), _start(client, ops)
    task = _task_of(client, ops, high)
    assert task["priority"] == 0
    put = client.put(f"{R}/external-task/{task['id']}/priority", headers=ops,
                     json={"priority": 90})
    assert put.status_code == 204, put.get_data(as_text=True)
    assert _task_of(client, ops, high)["priority"] == 90
    assert [t["processInstanceId"] for t in client.get(
        f"{R}/external-task?priorityHigherThanOrEquals=50", headers=ops).json] == [high]
    worker = user("worker1", "worker")
    fetched = client.post(f"{R}/external-task/fetchAndLock", headers=worker, json={
        "workerId": "w", "maxTasks": 1, "usePriority": True,
        "topics": [{"topicName": "js-check", "lockDuration": 1000}]}).json
    assert [(t["processInstanceId"], t["priority"]) for t in fetched] == [(high, 90)]
    assert low != high
    bad = client.put(f"{R}/external-task/{task['id']}/priority", headers=ops,
                     json={"priority": "high"})
    assert bad.status_code == 400 and "priority" in bad.json["message"]
    assert client.put(f"{R}/external-task/{task['id']}/priority", headers=worker,
                      json={"priority": 1}).status_code == 403


def test_retries_for_many_sync_and_async(client, flow, ops):
    first, second = _start(client, ops), _start(client, ops, "js_other")
    batch = client.post(f"{R}/external-task/retries-async", headers=ops, json={
        "retries": 4, "processInstanceQuery": {"processDefinitionKey": "js_other"},
        "externalTaskIds": [_task_of(client, ops, first)["id"]]})
    assert batch.status_code == 200, batch.json
    assert batch.json["totalJobs"] == 2 and batch.json["type"] == "set-external-task-retries"
    assert client.get(f"{R}/external-task/count?withRetriesLeft=true",
                      headers=ops).json == {"count": 2}
    zero = client.put(f"{R}/external-task/retries", headers=ops, json={
        "retries": 0, "externalTaskQuery": {"processInstanceId": second}})
    assert zero.status_code == 204
    assert client.get(f"{R}/external-task/count?noRetriesLeft=true",
                      headers=ops).json == {"count": 1}
    historic = client.post(f"{R}/external-task/retries-async", headers=ops, json={
        "retries": 1, "historicProcessInstanceQuery": {}})
    assert historic.status_code == 400
    nothing = client.post(f"{R}/external-task/retries-async", headers=ops, json={"retries": 1})
    assert nothing.status_code == 400


@pytest.mark.committed_db
def test_pycamunda_priority_and_retries_async(server_url, flow, client, ops):
    instance = _start(client, ops)
    auth = requests.auth.HTTPBasicAuth("ops1", "s3cret-pass")
    task_id = str(_task_of(client, ops, instance)["id"])
    priority = pycamunda.externaltask.SetPriority(server_url, task_id, 12)
    priority.auth = auth
    priority()
    shown = requests.get(f"{server_url}/external-task/{task_id}", auth=auth, timeout=30)
    assert shown.json()["priority"] == 12  # (pycamunda's Get asks errorDetails unsigned)
    retries = pycamunda.externaltask.SetRetriesAsync(server_url, 2, [task_id])
    retries.auth = auth
    assert retries().total_jobs == 1
    count = requests.get(f"{server_url}/external-task/count?withRetriesLeft=true", auth=auth,
                         timeout=30)
    assert count.json() == {"count": 1}
