"""Running instances through the service layer: start, user tasks, repair and BPMN constructs."""

from __future__ import annotations

from typing import Any

import pytest

from engine import service
from engine.errors import Forbidden, FormInvalid, InvalidState, NotFound, ProcessDefinitionError
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import (
    FIXTURES,
    NOW,
    deploy_files,
    deploy_fixture,
    make_user,
    open_tasks,
    start,
)
from tests.factories import activity_states as _states
from tests.factories import show as _detail

STAFF = Actor("staff_member", frozenset({"staff"}))
OPS = Actor("ops_member", frozenset({"ops"}))


def _complete(uow_factory, task_id: str, data: dict[str, Any], actor: Actor) -> Any:
    with uow_factory() as uow:
        return service.complete_task(uow, task_id, data, actor, NOW)


def _only_task(uow_factory, instance_id: str, element_id: str | None = None) -> Any:
    tasks = open_tasks(uow_factory, instance_id)
    if element_id is not None:
        tasks = [t for t in tasks if t.element_id == element_id]
    assert len(tasks) == 1, [t.element_id for t in tasks]
    return tasks[0]


def test_start_by_key_takes_latest_version_and_by_id_keeps_the_old_one(uow_factory, tmp_path):
    [v1] = deploy_fixture(uow_factory, "review.bpmn")
    changed = tmp_path / "review.bpmn"
    changed.write_bytes((FIXTURES / "review.bpmn").read_bytes().replace(
        "简单审核".encode(), "简单审核（第二版）".encode()))
    [v2] = deploy_files(uow_factory, changed)
    starter = make_user(uow_factory, "chen", "unit:U1")
    by_key = start(uow_factory, "simple_review", actor=starter, business_key="BK-1",
                   province_code="11", review_due="2026-12-15T23:59:00+08:00")
    by_id = start(uow_factory, v1.id, actor=starter, province_code="11",
                  review_due="2026-12-15T23:59:00+08:00")
    assert (v1.version, v2.version) == (1, 2)
    assert by_key.definition_id == v2.id and by_id.definition_id == v1.id
    detail = _detail(uow_factory, by_key.id)
    assert detail.instance.started_by == "chen"
    assert detail.instance.business_key == "BK-1"
    assert detail.variables["province_code"] == "11"
    assert detail.variables["initiator"] == "chen"
    started = detail.history[0]
    assert (started.action, started.actor) == ("instance_started", "chen")
    assert started.data["business_key"] == "BK-1"
    assert started.data["variables"]["province_code"] == "11"


def test_only_candidates_or_assignee_may_claim_and_complete(uow_factory):
    deploy_fixture(uow_factory, "form_review.bpmn")
    wang = make_user(uow_factory, "wang", "province:11:reviewer")
    zhao = make_user(uow_factory, "zhao")
    li = make_user(uow_factory, "li", "province:12:reviewer")
    instance = start(uow_factory, "form_review", province_code="11")
    task = _only_task(uow_factory, instance.id)
    good = {"decision": "approve", "score": 80}
    # Out of scope (another province) reads as absent: NotFound, nothing leaks.
    for action in (lambda uow: service.claim_task(uow, task.id, li, NOW),
                   lambda uow: service.complete_task(uow, task.id, good, li, NOW)):
        with pytest.raises(NotFound), uow_factory() as uow:
            action(uow)
    with uow_factory() as uow:
        assert service.claim_task(uow, task.id, zhao, NOW).assignee == "zhao"
    with pytest.raises(InvalidState), uow_factory() as uow:
        service.claim_task(uow, task.id, wang, NOW)
    with pytest.raises(Forbidden):
        _complete(uow_factory, task.id, good, wang)
    with pytest.raises(NotFound), uow_factory() as uow:
        service.assign_task(uow, task.id, "wang", li, NOW)
    with uow_factory() as uow:
        service.unclaim_task(uow, task.id, zhao, NOW)
        service.assign_task(uow, task.id, "wang", SYSTEM_ACTOR, NOW)
    with pytest.raises(Forbidden):
        _complete(uow_factory, task.id, good, zhao)
    _complete(uow_factory, task.id, good, wang)
    actions = [h.action for h in _detail(uow_factory, instance.id).history]
    assert actions.count("task_completed") == 1
    assert {"task_claimed", "task_unclaimed", "task_assigned"} <= set(actions)


def test_form_errors_come_back_with_field_paths_and_change_nothing(uow_factory):
    deploy_fixture(uow_factory, "form_review.bpmn")
    wang = make_user(uow_factory, "wang", "province:11:reviewer")
    instance = start(uow_factory, "form_review", province_code="11")
    task = _only_task(uow_factory, instance.id)
    with pytest.raises(FormInvalid) as caught:
        _complete(uow_factory, task.id, {"decision": "maybe", "score": 200}, wang)
    assert {"decision", "score"} <= set(caught.value.details)
    with pytest.raises(FormInvalid) as caught:
        _complete(uow_factory, task.id, {"decision": "reject"}, wang)
    assert "opinion" in str(caught.value.details)
    assert _only_task(uow_factory, instance.id).id == task.id


def _fail_at_script(uow_factory) -> tuple[Any, Actor]:
    deploy_fixture(uow_factory, "form_review.bpmn")
    wang = make_user(uow_factory, "wang", "province:11:reviewer")
    instance = start(uow_factory, "form_review", actor=wang, province_code="11")
    task = _only_task(uow_factory, instance.id)
    failure = _complete(uow_factory, task.id, {"decision": "approve", "score": 80}, wang)
    assert failure is not None and failure.element_id == "Script_Weight"
    return instance, wang


def test_failing_script_opens_incident_keeps_completion_and_retry_finishes(uow_factory):
    instance, wang = _fail_at_script(uow_factory)
    detail = _detail(uow_factory, instance.id)
    [incident] = [i for i in detail.incidents if i.resolved_at is None]
    assert (incident.element_id, incident.line) == ("Script_Weight", 2)
    assert "weight" in incident.message and incident.error_line == "weighted = base / weight"
    assert _states(detail)["Script_Weight"] == {"ERROR"}
    assert _states(detail)["Task_Review"] == {"COMPLETED"}
    completed = [h for h in detail.history if h.action == "task_completed"]
    assert completed[0].actor == "wang" and completed[0].data["decision"] == "approve"
    assert detail.variables["score"] == 80
    with pytest.raises(Forbidden), uow_factory() as uow:
        service.set_variables(uow, instance.id, {"weight": 4}, wang, NOW)
    with uow_factory() as uow:
        service.set_variables(uow, instance.id, {"weight": 4}, OPS, NOW, reason="missing")
    with uow_factory() as uow:
        assert service.retry_incident(uow, incident.id, OPS, NOW) is None
    confirm = _only_task(uow_factory, instance.id)
    assert (confirm.element_id, confirm.assignee) == ("Task_Confirm", "wang")
    detail = _detail(uow_factory, instance.id)
    assert detail.variables["weighted"] == 2000
    assert all(i.resolved_by == "ops_member" for i in detail.incidents)
    _complete(uow_factory, confirm.id, {}, wang)
    assert _detail(uow_factory, instance.id).instance.status == "completed"


def test_skip_failed_task_then_move_token_back_to_review(uow_factory):
    instance, wang = _fail_at_script(uow_factory)
    detail = _detail(uow_factory, instance.id)
    failed = next(a for a in detail.activities if a["element_id"] == "Script_Weight")
    with pytest.raises(Forbidden), uow_factory() as uow:
        service.skip_task(uow, instance.id, failed["task_id"], wang, NOW)
    with uow_factory() as uow:
        service.skip_task(uow, instance.id, failed["task_id"], OPS, NOW, data={"weighted": 0})
    confirm = _only_task(uow_factory, instance.id)
    assert confirm.element_id == "Task_Confirm"
    assert not [i for i in _detail(uow_factory, instance.id).incidents if i.resolved_at is None]
    with uow_factory() as uow:
        service.move_token(uow, instance.id, confirm.id, "Task_Review", OPS, NOW)
    review = _only_task(uow_factory, instance.id)
    assert review.element_id == "Task_Review" and review.id != confirm.id
    assert review.candidate_groups == ["province:11:reviewer"]
    history = [h.action for h in _detail(uow_factory, instance.id).history]
    assert "task_skipped" in history and history[-1] == "token_moved"


def test_suspend_blocks_completion_until_resume_and_terminate_ends(uow_factory):
    deploy_fixture(uow_factory, "gateways.bpmn")
    instance = start(uow_factory, "gateways", amount=1, urgent=False)
    task_a = _only_task(uow_factory, instance.id, "Task_A")
    with uow_factory() as uow:
        service.suspend_instance(uow, instance.id, OPS, NOW)
    with pytest.raises(InvalidState):
        _complete(uow_factory, task_a.id, {}, STAFF)
    with uow_factory() as uow:
        service.resume_instance(uow, instance.id, OPS, NOW)
    _complete(uow_factory, task_a.id, {}, STAFF)
    task_b = _only_task(uow_factory, instance.id, "Task_B")
    with pytest.raises(Forbidden), uow_factory() as uow:
        service.terminate_instance(uow, instance.id, STAFF, NOW)
    with uow_factory() as uow:
        service.terminate_instance(uow, instance.id, OPS, NOW, reason="test")
    assert open_tasks(uow_factory, instance.id) == []
    assert _detail(uow_factory, instance.id).instance.status == "terminated"
    with pytest.raises(NotFound):
        _complete(uow_factory, task_b.id, {}, STAFF)


def test_forbidden_import_is_refused_at_deploy_naming_element_and_line(uow_factory):
    with pytest.raises(ProcessDefinitionError) as refused:
        deploy_fixture(uow_factory, "script_import.bpmn")
    text = str(refused.value)
    assert "element 'Script_Import'" in text and "line 10" in text
    assert "import of module 'os' is forbidden (allowed: calendar, datetime" in text


def test_scripts_import_the_harmless_standard_modules(uow_factory):
    deploy_fixture(uow_factory, "script_stdlib.bpmn")
    instance = start(uow_factory, "script_stdlib")
    detail = _detail(uow_factory, instance.id)
    assert detail.instance.status == "completed" and detail.incidents == []
    values = detail.variables
    assert values["stamp"] == "1970-01-01" and values["days"] == 29 and values["leap"] is True
    assert values["token"] == "e50f38fe-5baa-52b4-9deb-eca634d54746"
    assert values["when"] == "2026-12-15" and values["pick"] in ("a", "b", "c")
    assert 1 <= values["dice"] <= 6 and values["topic"] == f"topic_{values['timestamp']}"
    assert "time" not in values and "calendar" not in values


@pytest.mark.parametrize(("amount", "urgent", "expected", "end"), [
    (150, False, {"big"}, "End_High"),
    (20, True, {"big", "flagged"}, "End_Low"),
    (5, False, {"plain"}, "End_Low"),
])
def test_parallel_inclusive_and_exclusive_gateways(uow_factory, amount, urgent, expected, end):
    deploy_fixture(uow_factory, "gateways.bpmn")
    instance = start(uow_factory, "gateways", amount=amount, urgent=urgent)
    assert {t.element_id for t in open_tasks(uow_factory, instance.id)} == {"Task_A", "Task_B"}
    _complete(uow_factory, _only_task(uow_factory, instance.id, "Task_A").id, {}, STAFF)
    assert _detail(uow_factory, instance.id).instance.status == "running"
    _complete(uow_factory, _only_task(uow_factory, instance.id, "Task_B").id, {}, STAFF)
    detail = _detail(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert {k for k in ("big", "flagged", "plain") if detail.variables.get(k)} == expected
    states = _states(detail)
    assert "COMPLETED" in states[end]
    other = "End_Low" if end == "End_High" else "End_High"
    assert "COMPLETED" not in states.get(other, set())


@pytest.mark.parametrize(("missing", "next_task"), [(True, "Task_Fix"), (False, "Task_After")])
def test_error_end_event_in_subprocess_caught_by_boundary(uow_factory, missing, next_task):
    deploy_fixture(uow_factory, "subprocess_error.bpmn")
    instance = start(uow_factory, "subprocess_error", missing=missing)
    _complete(uow_factory, _only_task(uow_factory, instance.id, "Sub_Task").id, {}, STAFF)
    task = _only_task(uow_factory, instance.id)
    assert task.element_id == next_task
    _complete(uow_factory, task.id, {}, STAFF)
    detail = _detail(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert "COMPLETED" in _states(detail)["End_Fixed" if missing else "EndEvent_1"]


def test_escalation_in_subprocess_triggers_non_interrupting_boundary(uow_factory):
    deploy_fixture(uow_factory, "escalation.bpmn")
    instance = start(uow_factory, "escalation")
    tasks = {t.element_id: t for t in open_tasks(uow_factory, instance.id)}
    assert set(tasks) == {"Sub_Task", "Task_Notify"}
    _complete(uow_factory, tasks["Task_Notify"].id, {}, STAFF)
    assert _detail(uow_factory, instance.id).instance.status == "running"
    _complete(uow_factory, tasks["Sub_Task"].id, {}, STAFF)
    assert _detail(uow_factory, instance.id).instance.status == "completed"


def test_call_activity_runs_the_called_process_and_returns_its_data(uow_factory):
    deploy_fixture(uow_factory, "call_child.bpmn", "call_parent.bpmn")
    instance = start(uow_factory, "call_parent", note="from parent")
    child_task = _only_task(uow_factory, instance.id)
    assert child_task.element_id == "Task_Child"
    _complete(uow_factory, child_task.id, {"child_answer": 42}, STAFF)
    parent_task = _only_task(uow_factory, instance.id)
    assert parent_task.element_id == "Task_ParentDone"
    _complete(uow_factory, parent_task.id, {}, STAFF)
    detail = _detail(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert (detail.variables["child_version"], detail.variables["child_answer"]) == (1, 42)


def test_message_and_signal_thrown_and_caught_inside_one_instance(uow_factory):
    deploy_fixture(uow_factory, "events_inner.bpmn")
    instance = start(uow_factory, "events_inner")
    states = _states(_detail(uow_factory, instance.id))
    assert states["Catch_Ping"] == {"WAITING"} and states["Catch_Go"] == {"WAITING"}
    _complete(uow_factory, _only_task(uow_factory, instance.id).id, {}, STAFF)
    detail = _detail(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["got_ping"] is True and detail.variables["got_go"] is True


@pytest.mark.parametrize(("score", "band"), [(85, "A"), (50, "B")])
def test_business_rule_task_evaluates_dmn_by_decision_ref(uow_factory, score, band):
    deploy_fixture(uow_factory, "score_band.dmn", "rule_score.bpmn")
    instance = start(uow_factory, "rule_score", score=score)
    assert _only_task(uow_factory, instance.id).element_id == "Task_Show"
    assert _detail(uow_factory, instance.id).variables["band"] == band
