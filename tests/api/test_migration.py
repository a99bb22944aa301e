"""POST /api/v1/instances/{id}/migrate: dry-run report, refusal, migration, history, CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from api.cli import cli
from engine import make_sessionmaker, make_uow_factory, service
from engine.service import SYSTEM_ACTOR
from tests.api.conftest import assert_error, bearer
from tests.conftest import truncate
from tests.factories import FIXTURES, NOW, deploy_fixture, make_user, open_tasks, start

DUE = "2026-12-15T23:59:00+08:00"
REVIEW = (FIXTURES / "review.bpmn").read_text(encoding="utf-8")
# v2: a confirmation task after the approval script, and the approval script changed.
CONFIRM = (
    '<bpmn:userTask id="Task_Confirm" name="确认" camunda:candidateGroups="ops">'
    '<bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_5</bpmn:outgoing>'
    '</bpmn:userTask><bpmn:sequenceFlow id="Flow_5" sourceRef="Task_Confirm" '
    'targetRef="End_Approved" />'
)
V2 = (REVIEW
      .replace('targetRef="End_Approved" />', 'targetRef="Task_Confirm" />' + CONFIRM, 1)
      .replace("result = 'approved'", "result = 'approved v2'"))
# v3: the review task is replaced by another element id (the active token has no home).
V3 = REVIEW.replace('"Task_Review"', '"Task_Check"').replace(
    'sourceRef="Task_Review"', 'sourceRef="Task_Check"')


def _deploy(uow_factory, text: str):
    with uow_factory() as uow:
        result = service.deploy(uow, {"review.bpmn": text.encode()}, SYSTEM_ACTOR, NOW)
    [definition] = result.definitions
    return definition


@pytest.fixture
def setup(uow_factory):
    [v1] = deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due=DUE)
    v2 = _deploy(uow_factory, V2)
    return {"v1": v1, "v2": v2, "instance": instance,
            "ops": bearer(uow_factory, "ops1", "ops")}


def _migrate(client, setup, target, dry_run, headers=None):
    url = f"/api/v1/instances/{setup['instance'].id}/migrate"
    return client.post(url, json={"target_definition_id": target, "dry_run": dry_run},
                        headers=headers or setup["ops"])


def test_dry_run_reports_and_changes_nothing(client, uow_factory, setup):
    assert setup["v2"].version == 2
    report = _migrate(client, setup, setup["v2"].id, True)
    assert report.status_code == 200, report.json
    body = report.json
    assert body["ok"] is True and body["dry_run"] is True and body["migrated"] is False
    assert "Task_Review" in body["mapped"] and "Task_Confirm" in body["added"]
    assert body["removed"] == [] and "Script_Approved" in body["changed"]
    assert [t["element_id"] for t in body["kept_tasks"]] == ["Task_Review"]
    with uow_factory() as uow:
        row = service.get_instance(uow, setup["instance"].id, SYSTEM_ACTOR)
        assert row.definition_id == setup["v1"].id
        assert "instance_migrated" not in [h.action for h in uow.history.for_instance(row.id)]


def test_migration_keeps_task_ids_and_runs_the_new_version(client, uow_factory, setup):
    [before] = open_tasks(uow_factory, setup["instance"].id)
    done = _migrate(client, setup, setup["v2"].id, False)
    assert done.status_code == 200, done.json
    assert done.json["migrated"] is True
    [after] = open_tasks(uow_factory, setup["instance"].id)
    reviewer = make_user(uow_factory, "wang", "province:11:reviewer")
    assert after.id == before.id and after.element_id == "Task_Review"
    with uow_factory() as uow:
        row = service.get_instance(uow, setup["instance"].id, SYSTEM_ACTOR)
        assert row.definition_id == setup["v2"].id
        [event] = [h for h in uow.history.for_instance(row.id)
                   if h.action == "instance_migrated"]
        assert event.actor == "ops1" and event.data["to"] == setup["v2"].id
        service.complete_task(uow, after.id, {"approved": True, "score": 80}, reviewer, NOW)
    [confirm] = open_tasks(uow_factory, setup["instance"].id)
    assert confirm.element_id == "Task_Confirm"  # only v2 has it
    with uow_factory() as uow:
        assert service.show_instance(uow, row.id, SYSTEM_ACTOR).variables["result"] == "approved v2"


def test_active_token_on_removed_activity_is_refused(client, uow_factory, setup):
    v3 = _deploy(uow_factory, V3)
    dry = _migrate(client, setup, v3.id, True)
    assert dry.status_code == 200 and dry.json["ok"] is False
    assert "Task_Review" in dry.json["removed"]
    [blocking] = dry.json["blocking"]
    assert blocking["element_id"] == "Task_Review" and "removed" in blocking["reason"]
    error = assert_error(_migrate(client, setup, v3.id, False), 409, "invalid_state")
    assert error["details"]["blocking"][0]["element_id"] == "Task_Review"
    with uow_factory() as uow:
        row = service.get_instance(uow, setup["instance"].id, SYSTEM_ACTOR)
        assert row.definition_id == setup["v1"].id


def test_refusals_other_key_same_version_roles(client, uow_factory, setup):
    [other] = deploy_fixture(uow_factory, "timer_date.bpmn")
    assert_error(_migrate(client, setup, other.id, True), 409, "invalid_state")
    assert_error(_migrate(client, setup, setup["v1"].id, True), 409, "invalid_state")
    assert_error(_migrate(client, setup, "nope:1:x", True), 404, "not_found")
    p11 = bearer(uow_factory, "p11", "province:11:reviewer")
    assert_error(_migrate(client, setup, setup["v2"].id, True, p11), 403, "forbidden")
    p44 = bearer(uow_factory, "p44", "province:44:reviewer")
    assert_error(_migrate(client, setup, setup["v2"].id, True, p44), 404, "not_found")
    assert_error(client.post(f"/api/v1/instances/{setup['instance'].id}/migrate",
                             json={"dry_run": "maybe"}, headers=setup["ops"]), 422)


def test_changed_active_activity_blocks(client, uow_factory, setup):
    v4 = _deploy(uow_factory, REVIEW.replace('camunda:priority="60"', 'camunda:priority="90"'))
    dry = _migrate(client, setup, v4.id, True)
    assert dry.json["changed"] == {"Task_Review": ["extensions"]}
    [blocking] = dry.json["blocking"]
    assert blocking["reason"].endswith("changed in the target version: extensions")


@pytest.mark.committed_db
def test_cli_migrate_dry_run_and_real(db_engine, monkeypatch):
    monkeypatch.setenv("VOCFLOW_DATABASE_URL", db_engine.url.render_as_string(hide_password=False))
    factory = make_uow_factory(make_sessionmaker(db_engine))
    try:
        _run_cli_migration(factory)
    finally:
        truncate(db_engine)


def _run_cli_migration(factory):
    runner = CliRunner()
    deploy_fixture(factory, "review.bpmn")
    instance = start(factory, "simple_review", province_code="11", review_due=DUE)
    v2 = _deploy(factory, V2)
    dry = runner.invoke(cli, ["migrate", instance.id, v2.id, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "can be migrated" in dry.output and "added: Task_Confirm" in dry.output
    done = runner.invoke(cli, ["--json", "migrate", instance.id, v2.id])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["migrated"] is True
    again = runner.invoke(cli, ["migrate", instance.id, v2.id])
    assert again.exit_code == 1 and "already runs on" in again.output
