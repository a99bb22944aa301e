"""Fuzzing cases on /engine-rest: each bad input is a 4xx naming what is wrong, never a 500."""

from __future__ import annotations

import io

import pytest

from tests.api.engine_rest.conftest import basic_header
from tests.factories import FIXTURES, deploy_fixture, make_user, open_tasks

R = "/engine-rest"


@pytest.fixture
def ops(uow_factory):
    make_user(uow_factory, "ops1", "ops", "designer", "worker", password="s3cret-pass")
    return basic_header("ops1")


def _camunda_400(response, *words: str) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.json
    assert set(body) >= {"type", "message"} and body["type"] == "InvalidRequestException"
    for word in words:
        assert word in body["message"], body["message"]
    return str(body["message"])


def _utf16(name: str) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def test_utf16_bpmn_and_dmn_deploy_and_run(client, ops):
    data = {"a": (io.BytesIO(_utf16("review.bpmn")), "review16.bpmn"),
            "b": (io.BytesIO(_utf16("score_band.dmn")), "band16.dmn")}
    done = client.post(f"{R}/deployment/create", data=data, headers=ops,
                       content_type="multipart/form-data")
    assert done.status_code == 200, done.json
    [definition] = done.json["deployedProcessDefinitions"].values()
    assert definition["name"] == "简单审核"
    assert list(done.json["deployedDecisionDefinitions"].values())[0]["key"] == "score_band"
    xml = client.get(f"{R}/process-definition/{definition['id']}/xml", headers=ops).json
    assert "简单审核" in xml["bpmn20Xml"] and 'encoding="UTF-8"' in xml["bpmn20Xml"]
    started = client.post(f"{R}/process-definition/key/simple_review/start", headers=ops,
                          json={"variables": {"province_code": {"value": "11"}}})
    assert started.status_code == 200, started.json


def test_multipart_part_named_with_a_quote(client, ops):
    review = (FIXTURES / "review.bpmn").read_bytes()
    for disposition in ('name="x\\""', 'name="x\\""; filename="x\\""',
                        'name="x\\""; filename="r.bpmn"'):
        raw = (f"--B\r\nContent-Disposition: form-data; {disposition}\r\n"
               "Content-Type: text/xml\r\n\r\n").encode() + review + b"\r\n--B--\r\n"
        response = client.post(f"{R}/deployment/create", data=raw, headers=ops,
                               content_type="multipart/form-data; boundary=B")
        assert response.status_code in (200, 400), response.get_data(as_text=True)
        assert set(response.json) >= {"type", "message"} or "id" in response.json


def test_json_nested_900_deep_is_refused_naming_the_variable(client, uow_factory, ops):
    deploy_fixture(uow_factory, "review.bpmn")
    deep = "[" * 900 + "]" * 900
    url = f"{R}/process-definition/key/simple_review/start"
    untyped = ('{"variables": {"province_code": {"value": "11"}, "x": {"value": '
               + deep + "}}}")
    _camunda_400(client.post(url, data=untyped, headers=ops,
                             content_type="application/json"), "64")
    typed = {"variables": {"province_code": {"value": "11"},
                           "x": {"value": deep, "type": "Json"}}}
    _camunda_400(client.post(url, json=typed, headers=ops), "variable 'x'", "64")
    shallow = {"variables": {"province_code": {"value": "11"},
                             "x": {"value": "[" * 60 + "]" * 60, "type": "Json"}}}
    assert client.post(url, json=shallow, headers=ops).status_code == 200


@pytest.mark.parametrize("field", ["processInstanceId", "processDefinitionKey",
                                   "processDefinitionId", "assignee", "candidateGroup",
                                   "taskDefinitionKey", "name", "candidateUser"])
@pytest.mark.parametrize("value", [["a"], {"a": 1}])
def test_task_query_with_a_list_or_object_for_a_string(client, ops, field, value):
    for path in ("/task", "/task/count"):
        _camunda_400(client.post(f"{R}{path}", json={field: value}, headers=ops), field)


def _locked_task(client, uow_factory, ops):
    deploy_fixture(uow_factory, "rest_external.bpmn")
    started = client.post(f"{R}/process-definition/key/rest_external/start", headers=ops,
                          json={"variables": {"province_code": {"value": "11"}}})
    assert started.status_code == 200
    fetched = client.post(f"{R}/external-task/fetchAndLock", headers=ops, json={
        "workerId": "w1", "maxTasks": 1,
        "topics": [{"topicName": "rest-score", "lockDuration": 60_000}]})
    [task] = fetched.json
    return task["id"]


def test_huge_lock_durations_and_retries(client, uow_factory, ops):
    _camunda_400(client.post(f"{R}/external-task/fetchAndLock", headers=ops, json={
        "workerId": "w1", "maxTasks": 1,
        "topics": [{"topicName": "rest-score", "lockDuration": 10**15}]}), "lockDuration")
    task_id = _locked_task(client, uow_factory, ops)
    url = f"{R}/external-task/{task_id}"
    _camunda_400(client.post(f"{url}/extendLock", headers=ops,
                             json={"workerId": "w1", "newDuration": 10**15}), "newDuration")
    _camunda_400(client.post(f"{url}/failure", headers=ops, json={
        "workerId": "w1", "errorMessage": "boom", "retries": 10**20, "retryTimeout": 0}),
        "retries")
    _camunda_400(client.post(f"{url}/failure", headers=ops, json={
        "workerId": "w1", "errorMessage": "boom", "retries": 1, "retryTimeout": 10**20}),
        "retryTimeout")
    _camunda_400(client.put(f"{R}/job/{task_id}/retries", headers=ops,
                            json={"retries": 10**20}), "retries")
    # nothing was lost: the lock still holds and the task completes
    done = client.post(f"{url}/complete", headers=ops, json={"workerId": "w1"})
    assert done.status_code == 204, done.json


@pytest.mark.parametrize("raw", ['{"value": NaN, "type": "Double"}',
                                 '{"value": "NaN", "type": "Double"}',
                                 '{"value": "Infinity", "type": "Double"}',
                                 '{"value": -Infinity}'])
def test_nan_and_infinity_variables(client, uow_factory, ops, raw):
    deploy_fixture(uow_factory, "review.bpmn")
    body = '{"variables": {"province_code": {"value": "11"}, "x": ' + raw + "}}"
    response = client.post(f"{R}/process-definition/key/simple_review/start", data=body,
                           headers=ops, content_type="application/json")
    message = _camunda_400(response)
    assert "NaN" in message or "Infinity" in message
    listed = client.get(f"{R}/process-instance", headers=ops).json
    assert listed == []  # the refused start left nothing behind


def test_nan_in_a_task_completion_keeps_the_task(client, uow_factory, ops):
    deploy_fixture(uow_factory, "review.bpmn")
    started = client.post(f"{R}/process-definition/key/simple_review/start", headers=ops,
                          json={"variables": {"province_code": {"value": "11"}}})
    [task] = open_tasks(uow_factory, started.json["id"])
    response = client.post(f"{R}/task/{task.id}/complete", headers=ops,
                           data='{"variables": {"score": {"value": NaN}}}',
                           content_type="application/json")
    _camunda_400(response, "NaN")
    assert [t.id for t in open_tasks(uow_factory, started.json["id"])] == [task.id]
