"""/migration/generate, validate, execute(Async) and /modification/execute(Async)."""

from __future__ import annotations

from pathlib import Path

import pycamunda.migration
import pytest
import requests

from tests.factories import deploy_files

HERE = Path(__file__).resolve().parent
R = "/engine-rest"


@pytest.fixture
def versions(uow_factory, tmp_path) -> tuple[str, str]:
    """js_flow version 1 and a version 2 that renames the task after the check."""
    source = HERE / "fixtures" / "js_flow.bpmn"
    [v1] = deploy_files(uow_factory, source)
    changed = tmp_path / "js_flow.bpmn"
    changed.write_text(source.read_text(encoding="utf-8").replace(
        'name="后续处理"', 'name="后续处理（新）"'), encoding="utf-8")
    [v2] = deploy_files(uow_factory, changed)
    assert v1.id != v2.id
    return v1.id, v2.id


def _start(client, headers, definition_id: str) -> str:
    answer = client.post(f"{R}/process-definition/{definition_id}/start", json={},
                         headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return str(answer.json["id"])


def test_generate_validate_and_execute_a_plan(client, versions, ops):
    v1, v2 = versions
    first, second = _start(client, ops, v1), _start(client, ops, v1)
    plan = client.post(f"{R}/migration/generate", headers=ops, json={
        "sourceProcessDefinitionId": v1, "targetProcessDefinitionId": v2}).json
    assert plan["sourceProcessDefinitionId"] == v1 and plan["targetProcessDefinitionId"] == v2
    assert {"sourceActivityIds": ["Task_Check"], "targetActivityIds": ["Task_Check"],
            "updateEventTrigger": False} in plan["instructions"]
    valid = client.post(f"{R}/migration/validate", headers=ops, json=plan)
    assert valid.status_code == 200 and valid.json["instructionReports"] == []
    done = client.post(f"{R}/migration/execute", headers=ops, json={
        "migrationPlan": plan, "processInstanceIds": [first]})
    assert done.status_code == 204, done.get_data(as_text=True)
    assert client.get(f"{R}/process-instance/{first}",
                      headers=ops).json["definitionId"] == v2
    assert client.get(f"{R}/process-instance/{second}",
                      headers=ops).json["definitionId"] == v1
    batch = client.post(f"{R}/migration/executeAsync", headers=ops, json={
        "migrationPlan": plan, "processInstanceQuery": {"processDefinitionId": v1}})
    assert batch.status_code == 200, batch.get_data(as_text=True)
    assert batch.json["type"] == "instance-migration" and batch.json["totalJobs"] == 1
    assert client.get(f"{R}/process-instance/{second}",
                      headers=ops).json["definitionId"] == v2


def test_validate_reports_what_cannot_map(client, versions, ops):
    v1, v2 = versions
    report = client.post(f"{R}/migration/validate", headers=ops, json={
        "sourceProcessDefinitionId": v1, "targetProcessDefinitionId": v2, "instructions": [
            {"sourceActivityIds": ["Task_Check"], "targetActivityIds": ["Task_After"]},
            {"sourceActivityIds": ["Nope"], "targetActivityIds": ["Nope"]}]}).json
    failures = [r["failures"] for r in report["instructionReports"]]
    assert len(failures) == 2
    assert any("element id" in f for f in failures[0])
    assert any("'Nope' does not exist" in f for f in failures[1])


def test_execute_refuses_an_invalid_plan_and_an_unmapped_activity(client, versions, ops):
    v1, v2 = versions
    instance = _start(client, ops, v1)
    wrong = client.post(f"{R}/migration/execute", headers=ops, json={
        "migrationPlan": {"sourceProcessDefinitionId": v1, "targetProcessDefinitionId": v2,
                          "instructions": [{"sourceActivityIds": ["Task_Check"],
                                            "targetActivityIds": ["Task_After"]}]},
        "processInstanceIds": [instance]})
    assert wrong.status_code == 400 and "not valid" in wrong.json["message"]
    unmapped = client.post(f"{R}/migration/execute", headers=ops, json={
        "migrationPlan": {"sourceProcessDefinitionId": v1, "targetProcessDefinitionId": v2,
                          "instructions": [{"sourceActivityIds": ["Task_After"],
                                            "targetActivityIds": ["Task_After"]}]},
        "processInstanceIds": [instance]})
    assert unmapped.status_code == 400 and "Task_Check" in unmapped.json["message"]
    assert client.get(f"{R}/process-instance/{instance}",
                      headers=ops).json["definitionId"] == v1


@pytest.mark.parametrize("body", [
    {"sourceProcessDefinitionId": "x", "targetProcessDefinitionId": "y", "colour": 1},
    {"sourceProcessDefinitionId": 3, "targetProcessDefinitionId": "y"},
])
def test_bad_generate_requests_are_400(client, versions, ops, body):
    answer = client.post(f"{R}/migration/generate", headers=ops, json=body)
    assert answer.status_code == 400 and answer.json["type"] == "InvalidRequestException"


def test_migration_is_for_ops(client, versions, user):
    v1, v2 = versions
    staff = user("staff1", "staff")
    answer = client.post(f"{R}/migration/generate", headers=staff, json={
        "sourceProcessDefinitionId": v1, "targetProcessDefinitionId": v2})
    assert answer.status_code == 403 and answer.json["type"] == "AuthorizationException"


def test_modification_of_many_instances(client, versions, ops):
    v1, _v2 = versions
    first, second = _start(client, ops, v1), _start(client, ops, v1)
    instructions = [{"type": "startBeforeActivity", "activityId": "Task_After"},
                    {"type": "cancel", "activityId": "Task_Check"}]
    done = client.post(f"{R}/modification/execute", headers=ops, json={
        "processDefinitionId": v1, "instructions": instructions,
        "processInstanceIds": [first], "annotation": "checker retired"})
    assert done.status_code == 204, done.get_data(as_text=True)
    assert _keys(client, ops, first) == ["Task_After"]
    assert _keys(client, ops, second) == []
    batch = client.post(f"{R}/modification/executeAsync", headers=ops, json={
        "processDefinitionId": v1, "instructions": instructions,
        "processInstanceQuery": {"processInstanceIds": [second]}})
    assert batch.status_code == 200 and batch.json["totalJobs"] == 1, batch.json
    assert _keys(client, ops, second) == ["Task_After"]


def test_modification_by_a_historic_query(client, versions, ops):
    v1, _v2 = versions
    first, second, ended = (_start(client, ops, v1) for _ in range(3))
    assert client.delete(f"{R}/process-instance/{ended}", headers=ops).status_code == 204
    instructions = [{"type": "startBeforeActivity", "activityId": "Task_After"},
                    {"type": "cancel", "activityId": "Task_Check"}]
    body = {"processDefinitionId": v1, "instructions": instructions}
    refused = client.post(f"{R}/modification/execute", headers=ops, json={
        **body, "historicProcessInstanceQuery": {"processDefinitionId": v1}})
    assert refused.status_code == 400 and ended in refused.json["message"], refused.json
    assert _keys(client, ops, first) == []  # nothing modified: still at the external check
    done = client.post(f"{R}/modification/executeAsync", headers=ops, json={
        **body, "processInstanceIds": [second],
        "historicProcessInstanceQuery": {"processInstanceIds": [first], "unfinished": True}})
    assert done.status_code == 200 and done.json["totalJobs"] == 2, done.json
    assert _keys(client, ops, first) == _keys(client, ops, second) == ["Task_After"]


def _keys(client, headers, instance: str) -> list[str]:
    tasks = client.get(f"{R}/task?processInstanceId={instance}", headers=headers).json
    return [t["taskDefinitionKey"] for t in tasks]


@pytest.mark.parametrize(("extra", "word"), [
    ({"processDefinitionId": None}, "processDefinitionId"),
    ({"historicProcessInstanceQuery": []}, "historicProcessInstanceQuery"),
    ({"historicProcessInstanceQuery": {"colour": "red"}}, "colour"),
    ({"colour": "red"}, "colour"),
])
def test_bad_modification_requests_are_400(client, versions, ops, extra, word):
    v1, _v2 = versions
    instance = _start(client, ops, v1)
    body = {"processDefinitionId": v1, "processInstanceIds": [instance],
            "instructions": [{"type": "cancel", "activityId": "Task_Check"}], **extra}
    answer = client.post(f"{R}/modification/execute", headers=ops, json=body)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json


@pytest.mark.committed_db
def test_pycamunda_generates_validates_and_executes(server_url, versions, client, ops):
    v1, v2 = versions
    instance = _start(client, ops, v1)
    auth = requests.auth.HTTPBasicAuth("ops1", "s3cret-pass")
    generate = pycamunda.migration.Generate(server_url, v1, v2)
    generate.auth = auth
    plan = generate()
    assert ("Task_Check",) == tuple(next(i.source_activity_ids for i in plan.instructions
                                         if "Task_Check" in i.source_activity_ids))
    validate = pycamunda.migration.Validate.from_migration_plan(server_url, plan)
    validate.auth = auth
    assert validate() == ()
    execute = pycamunda.migration.Execute.from_migration_plan(server_url, plan, [instance],
                                                              async_=True)
    execute.auth = auth
    batch = execute()
    assert batch.type_ == "instance-migration" and batch.total_jobs == 1
    assert client.get(f"{R}/process-instance/{instance}",
                      headers=ops).json["definitionId"] == v2
