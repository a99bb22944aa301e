"""Camunda File variables over /engine-rest: stored in the file store, read through .../data."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from api import create_app
from engine import Settings
from tests.factories import deploy_files, deploy_fixture

HERE = Path(__file__).resolve().parent
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LIMIT = 4096


@pytest.fixture
def app(uow_factory, tmp_path):
    settings = Settings(secret_key="test-secret", file_dir=tmp_path / "files",
                        max_file_bytes=LIMIT)
    return create_app(settings, uow_factory=uow_factory, testing=True)


@pytest.fixture
def flow(uow_factory):
    deploy_files(uow_factory, HERE / "fixtures" / "js_flow.bpmn")


def _file(content: bytes = PDF, name: str = "方案.pdf", **info: str) -> dict[str, object]:
    return {"type": "File", "value": base64.b64encode(content).decode(),
            "valueInfo": {"filename": name, "mimeType": "application/pdf", **info}}


def _start(client, headers, **variables) -> str:
    answer = client.post("/engine-rest/process-definition/key/js_flow/start",
                         json={"variables": variables}, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return str(answer.json["id"])


def test_start_with_a_file_keeps_a_reference_and_serves_the_content(client, flow, ops,
                                                                     uow_factory, tmp_path):
    instance = _start(client, ops, plan=_file(encoding="UTF-8"))
    typed = client.get(f"/engine-rest/process-instance/{instance}/variables/plan",
                       headers=ops).json
    assert typed == {"type": "File", "value": None, "valueInfo": {
        "filename": "方案.pdf", "mimeType": "application/pdf", "encoding": "UTF-8"}}
    data = client.get(f"/engine-rest/process-instance/{instance}/variables/plan/data",
                      headers=ops)
    assert data.status_code == 200 and data.data == PDF
    assert data.headers["Content-Type"] == "application/pdf; charset=UTF-8"
    assert data.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    with uow_factory() as uow:  # the workflow holds a reference, the store the content
        row = uow.instances.get(instance)
        assert base64.b64encode(PDF).decode() not in row.state_json
        assert row.state_json.count("file_id") == 1
    assert len(list((tmp_path / "files").rglob("*"))) == 2  # one blob in its sha256 folder
    for path in (f"/execution/{instance}/localVariables/plan/data",
                 f"/variable-instance/{instance}:plan/data"):
        assert client.get(f"/engine-rest{path}", headers=ops).data == PDF, path
    # the file is attached to the instance as a variable's, never as some task's attachment
    assert client.get(f"/engine-rest/task/{instance}/attachment",
                      headers=ops).status_code == 404


def test_external_task_complete_with_a_file_and_fetch_shows_it(client, flow, user):
    worker = user("worker1", "worker", "ops")
    instance = _start(client, worker, plan=_file())
    fetched = client.post("/engine-rest/external-task/fetchAndLock", headers=worker, json={
        "workerId": "w1", "maxTasks": 1, "topics": [
            {"topicName": "js-check", "lockDuration": 10000, "deserializeValues": True}]})
    task = fetched.json[0]
    assert task["variables"]["plan"]["type"] == "File"
    assert task["variables"]["plan"]["value"] is None
    report = b"checked: ok\n"
    done = client.post(f"/engine-rest/external-task/{task['id']}/complete", headers=worker,
                       json={"workerId": "w1", "variables": {"report": {
                           "type": "file", "value": base64.b64encode(report).decode(),
                           "valueInfo": {"filename": "report.txt", "mimetype": "text/plain",
                                         "encoding": "utf-8"}}}})
    assert done.status_code == 204, done.get_data(as_text=True)
    human = client.get(f"/engine-rest/task?processInstanceId={instance}", headers=worker).json
    got = client.get(f"/engine-rest/task/{human[0]['id']}/variables/report/data",
                     headers=worker)
    assert got.data == report and got.mimetype == "text/plain"
    history = client.get(f"/engine-rest/history/variable-instance?processInstanceId={instance}"
                         "&variableName=report", headers=worker).json
    assert history[0]["type"] == "File"
    old = client.get(f"/engine-rest/history/variable-instance/{history[0]['id']}/data",
                     headers=worker)
    assert old.status_code == 200 and old.data == report


def test_multipart_post_data_sets_a_file_variable(client, flow, ops):
    instance = _start(client, ops)
    posted = client.post(
        f"/engine-rest/process-instance/{instance}/variables/scan/data", headers=ops,
        data={"data": (io.BytesIO(PDF), "scan.pdf", "application/pdf"), "valueType": "File"},
        content_type="multipart/form-data")
    assert posted.status_code == 204, posted.get_data(as_text=True)
    typed = client.get(f"/engine-rest/process-instance/{instance}/variables/scan",
                       headers=ops).json
    assert typed["type"] == "File" and typed["valueInfo"]["filename"] == "scan.pdf"
    assert typed["valueInfo"]["mimeType"] == "application/pdf"
    assert client.get(f"/engine-rest/process-instance/{instance}/variables/scan/data",
                      headers=ops).data == PDF


def test_a_user_who_cannot_see_the_instance_cannot_read_its_file(client, flow, ops, user):
    instance = _start(client, ops, plan=_file())
    outsider = user("unit9", "unit:u9")
    answer = client.get(f"/engine-rest/process-instance/{instance}/variables/plan/data",
                        headers=outsider)
    assert answer.status_code == 404 and answer.json["type"] == "InvalidRequestException"
    assert PDF not in answer.data


def test_a_reference_forged_in_a_json_variable_reads_nothing(client, flow, ops, user,
                                                             uow_factory):
    """Copying another instance's file reference into a Json variable gives nothing."""
    theirs = _start(client, ops, plan=_file())
    with uow_factory() as uow:
        state = json.loads(uow.instances.get(theirs).state_json)
    ref = _find_ref(state)
    mine = _start(client, ops, copied={"type": "Json", "value": json.dumps(ref)})
    typed = client.get(f"/engine-rest/process-instance/{mine}/variables/copied",
                       headers=ops).json
    assert typed["type"] == "File"  # it looks like one ...
    answer = client.get(f"/engine-rest/process-instance/{mine}/variables/copied/data",
                        headers=ops)
    assert answer.status_code == 404, answer.data  # ... but no file is attached to `mine`


def _find_ref(value):
    if isinstance(value, dict):
        if "file_id" in value and "sha256" in value:
            return value
        for item in value.values():
            if (found := _find_ref(item)) is not None:
                return found
    if isinstance(value, list):
        for item in value:
            if (found := _find_ref(item)) is not None:
                return found
    return None


@pytest.mark.parametrize(("typed", "words"), [
    ({"type": "File", "value": "%%% not base64", "valueInfo": {"filename": "a.pdf"}},
     ["plan", "base64"]),
    ({"type": "File", "value": 17, "valueInfo": {}}, ["plan", "base64"]),
    ({"type": "File", "value": "", "valueInfo": {"filename": 3}}, ["plan", "filename"]),
    ({"type": "Bytes", "value": "AAAA"}, ["plan", "Bytes"]),
    ({"type": "File", "value": base64.b64encode(b"x" * (LIMIT + 1)).decode(),
      "valueInfo": {"filename": "big.bin"}}, ["big.bin", str(LIMIT)]),
])
def test_bad_file_values_are_400_naming_them(client, flow, ops, typed, words):
    answer = client.post("/engine-rest/process-definition/key/js_flow/start",
                         json={"variables": {"plan": typed}}, headers=ops)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert all(w in answer.json["message"] for w in words), answer.json


@pytest.mark.parametrize(("form", "words"), [
    ({"valueType": "Bytes"}, ["Bytes"]),
    ({"valueType": "Yaml"}, ["Yaml"]),
    ({"valueType": "File"}, ["data"]),
])
def test_bad_multipart_posts_are_400(client, flow, ops, form, words):
    instance = _start(client, ops)
    data = dict(form)
    if form["valueType"] != "File":
        data["data"] = (io.BytesIO(PDF), "scan.pdf")
    answer = client.post(f"/engine-rest/process-instance/{instance}/variables/x/data",
                         headers=ops, data=data, content_type="multipart/form-data")
    assert answer.status_code == 400 and all(w in answer.json["message"] for w in words)


def test_data_of_a_plain_variable_is_400_and_of_a_missing_one_404(client, flow, ops):
    instance = _start(client, ops, n={"type": "Integer", "value": 3})
    plain = client.get(f"/engine-rest/process-instance/{instance}/variables/n/data",
                       headers=ops)
    assert plain.status_code == 400 and "not a binary value" in plain.json["message"]
    missing = client.get(f"/engine-rest/process-instance/{instance}/variables/zz/data",
                         headers=ops)
    assert missing.status_code == 404



def _fetch(client, headers) -> dict[str, object]:
    fetched = client.post("/engine-rest/external-task/fetchAndLock", headers=headers, json={
        "workerId": "w1", "maxTasks": 1, "topics": [
            {"topicName": "js-check", "lockDuration": 10000}]})
    assert fetched.status_code == 200 and len(fetched.json) == 1, fetched.json
    return dict(fetched.json[0])


def test_bpmn_error_and_task_completion_carry_files(client, flow, user):
    worker = user("worker2", "worker", "ops", "staff")
    instance = _start(client, worker)
    task = _fetch(client, worker)
    thrown = client.post(f"/engine-rest/external-task/{task['id']}/bpmnError", headers=worker,
                         json={"workerId": "w1", "errorCode": "REJECTED",
                               "variables": {"why": _file(b"missing page 3\n", "why.txt")}})
    assert thrown.status_code == 204, thrown.get_data(as_text=True)
    [fix] = client.get(f"/engine-rest/task?processInstanceId={instance}", headers=worker).json
    assert fix["taskDefinitionKey"] == "Task_Fix"
    assert client.get(f"/engine-rest/task/{fix['id']}/variables/why/data",
                      headers=worker).data == b"missing page 3\n"
    done = client.post(f"/engine-rest/task/{fix['id']}/complete", headers=worker,
                       json={"variables": {"page3": _file(PDF, "page3.pdf")}})
    assert done.status_code == 204, done.get_data(as_text=True)
    ended = client.get(f"/engine-rest/process-instance/{instance}/variables/page3/data",
                       headers=worker)  # the instance has ended: its variables stay readable
    assert ended.status_code == 200 and ended.data == PDF


def test_message_correlation_sets_a_file_variable(client, uow_factory, ops):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    waiting = client.post("/engine-rest/process-definition/key/msg_wait/start",
                          json={"businessKey": "M-F"}, headers=ops).json["id"]
    result = client.post("/engine-rest/message", headers=ops, json={
        "messageName": "reply_received", "businessKey": "M-F",
        "processVariables": {"reply": _file(PDF, "reply.pdf")}})
    assert result.status_code == 204, result.get_data(as_text=True)
    assert client.get(f"/engine-rest/process-instance/{waiting}/variables/reply/data",
                      headers=ops).data == PDF



def test_failure_with_variables_sets_them_and_keeps_the_file(client, flow, user):
    worker = user("worker3", "worker", "ops")
    instance = _start(client, worker)
    task = _fetch(client, worker)
    failed = client.post(f"/engine-rest/external-task/{task['id']}/failure", headers=worker,
                         json={"workerId": "w1", "errorMessage": "scanner jammed",
                               "retries": 2, "retryTimeout": 0,
                               "variables": {"log": _file(b"jam at page 2\n", "log.txt")},
                               "localVariables": {"attempt": {"value": 1,
                                                              "type": "Integer"}}})
    assert failed.status_code == 204, failed.get_data(as_text=True)
    values = client.get(f"/engine-rest/process-instance/{instance}/variables",
                        headers=worker).json
    assert values["attempt"]["value"] == 1 and values["log"]["type"] == "File"
    assert client.get(f"/engine-rest/process-instance/{instance}/variables/log/data",
                      headers=worker).data == b"jam at page 2\n"
    [again] = client.get(f"/engine-rest/external-task?processInstanceId={instance}",
                         headers=worker).json
    assert again["retries"] == 2 and again["errorMessage"] == "scanner jammed"
    details = client.get(f"/engine-rest/history/detail?variableInstanceId={instance}:attempt",
                         headers=worker).json
    assert [d["value"] for d in details] == [1], details
