"""Fuzzing cases on /api/v1 and the CLI: 4xx naming what is wrong, nothing lost, no 500."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import sessionmaker

from api import create_app
from api.cli import cli
from engine import Settings, make_uow_factory
from tests.api.conftest import API_FIXTURES, assert_error, bearer
from tests.conftest import truncate
from tests.factories import FIXTURES, deploy_fixture, open_tasks, start


@pytest.fixture
def ops(uow_factory):
    return bearer(uow_factory, "ops1", "ops", "designer", "admin")


def _utf16(name: str) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def test_utf16_bpmn_and_dmn_deploy(client, ops):
    data = {"files": [(io.BytesIO(_utf16("review.bpmn")), "review16.bpmn"),
                      (io.BytesIO(_utf16("score_band.dmn")), "band16.dmn")]}
    done = client.post("/api/v1/definitions", data=data, headers=ops,
                       content_type="multipart/form-data")
    assert done.status_code == 201, done.json
    assert {d["key"] for d in done.json["definitions"]} == {"simple_review", "score_band"}
    started = client.post("/api/v1/instances", headers=ops, json={
        "process": "simple_review", "variables": {"province_code": "11"}})
    assert started.status_code == 201, started.json


def test_multipart_part_named_with_a_quote(client, ops):
    review = (FIXTURES / "review.bpmn").read_bytes()
    for path in ("/api/v1/definitions", "/api/v1/files"):
        for disposition in ('name="x\\""', 'name="x\\""; filename="x\\""',
                            'name="files"; filename="x\\".bpmn"'):
            raw = (f"--B\r\nContent-Disposition: form-data; {disposition}\r\n"
                   "Content-Type: text/xml\r\n\r\n").encode() + review + b"\r\n--B--\r\n"
            response = client.post(path, data=raw, headers=ops,
                                   content_type="multipart/form-data; boundary=B")
            assert response.status_code < 500, response.get_data(as_text=True)
            if response.status_code >= 400:
                assert response.json["error"]["message"]


def test_json_nested_900_deep(client, uow_factory, ops):
    deploy_fixture(uow_factory, "review.bpmn")
    body = ('{"process": "simple_review", "variables": {"province_code": "11", "x": '
            + "[" * 900 + "]" * 900 + "}}")
    response = client.post("/api/v1/instances", data=body, headers=ops,
                           content_type="application/json")
    error = assert_error(response, 400, "validation_failed")
    assert "64" in error["message"] and any(k.startswith("$.variables.x") for k in
                                            error["details"])
    assert client.get("/api/v1/instances", headers=ops).json["items"] == []


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_variables(client, uow_factory, ops, constant):
    deploy_fixture(uow_factory, "review.bpmn")
    body = ('{"process": "simple_review", "variables": {"province_code": "11", "x": '
            + constant + "}}")
    error = assert_error(client.post("/api/v1/instances", data=body, headers=ops,
                                     content_type="application/json"), 400,
                         "validation_failed")
    assert constant.lstrip("-") in error["message"]
    inst = start(uow_factory, "simple_review", province_code="11")
    put = ('{"reason": "fix", "variables": {"score": ' + constant + "}}")
    error = assert_error(client.put(f"/api/v1/instances/{inst.id}/variables", data=put,
                                    headers=ops, content_type="application/json"), 400)
    assert "$.variables.score" in error["message"]


@pytest.fixture
def no_autoflush_client(connection):
    """The app on sessions configured like production's (autoflush off)."""
    factory = make_uow_factory(sessionmaker(bind=connection, expire_on_commit=False,
                                            autoflush=False,
                                            join_transaction_mode="create_savepoint"))
    app = create_app(Settings(secret_key="test-secret"), uow_factory=factory, testing=True)
    return app.test_client(), factory


def test_incident_retry_that_fails_again_answers_the_new_incident(no_autoflush_client):
    client, factory = no_autoflush_client
    deploy_fixture(factory, "../api/fixtures/form_review.bpmn")
    inst = start(factory, "form_review", province_code="11",
                 review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(factory, inst.id)
    p11 = bearer(factory, "p11", "province:11:reviewer")
    done = client.post(f"/api/v1/tasks/{task.id}/complete",
                       json={"data": {"decision": "approve", "score": 80}}, headers=p11)
    assert done.status_code == 200 and done.json["incident"]
    ops = bearer(factory, "ops1", "ops")
    [first] = client.get("/api/v1/incidents", headers=ops).json
    again = client.post(f"/api/v1/incidents/{first['id']}/retry", headers=ops)
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.json["id"] != first["id"] and again.json["resolved_at"] is None
    assert again.json["element_id"] == first["element_id"]
    [still_open] = client.get("/api/v1/incidents", headers=ops).json
    assert still_open["id"] == again.json["id"]


def test_incident_stuck_instance_has_its_reason_in_the_api(client, uow_factory):
    deploy_fixture(uow_factory, "../api/fixtures/form_review.bpmn")
    inst = start(uow_factory, "form_review", province_code="11",
                 review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(uow_factory, inst.id)
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    client.post(f"/api/v1/tasks/{task.id}/complete",
                json={"data": {"decision": "approve", "score": 80}}, headers=p11)
    ops = bearer(uow_factory, "ops1", "ops")
    [row] = client.get("/api/v1/instances?stuck=true", headers=ops).json["items"]
    assert row["id"] == inst.id
    assert row["stall_reason"].startswith("incident at ") and "failed_task" in row["stall_reason"]


@pytest.fixture
def run(db_engine, monkeypatch):
    monkeypatch.setenv("VOCFLOW_DATABASE_URL",
                       db_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if args[0] == "--json" else result

    yield invoke
    truncate(db_engine)


@pytest.mark.committed_db
def test_cli_retry_that_fails_again_and_tasks_by_group(run):
    run("deploy", str(API_FIXTURES / "form_review.bpmn"), str(FIXTURES / "review.bpmn"))
    run("users", "add", "wang", "--password", "Qiuyue-7-plum-river", "--group",
        "province:11:reviewer")
    run("start", "simple_review", "--var", "province_code=44", "--var", "review_due=")
    started = run("--json", "start", "form_review", "--var", "province_code=11",
                  "--var", "review_due=")
    [task] = run("--json", "tasks", "--group", "province:11:reviewer")
    assert task["instance"] == started["id"]  # not the province-44 task
    assert run("--json", "tasks", "--group", "nobody") == []
    run("complete", task["id"], "--user", "wang", "--data",
        '{"decision": "approve", "score": 80}')
    [incident] = run("--json", "incidents")
    again = run("--json", "retry", incident["id"])
    assert again["result"].startswith("failed again: incident ")
    [new] = run("--json", "incidents")
    assert new["id"] != incident["id"] and again["result"].endswith(new["id"])
