"""Activity instances are recorded by the steps that start and end them (historic_activities)."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, select, text

from engine import service
from engine.models import HistoricActivity
from engine.service import Actor
from tests.factories import NOW, deploy_fixture, open_tasks, start

WANG = Actor("wang", frozenset({"province:11:reviewer"}))


def _runs(uow_factory, instance_id):
    with uow_factory() as uow:
        rows = uow.session.scalars(select(HistoricActivity).where(
            HistoricActivity.instance_id == instance_id)).all()
    return sorted(rows, key=lambda r: (r.started_at or NOW, r.ended_at or NOW + timedelta(9)))


def test_a_run_is_written_when_it_starts_and_rewritten_when_it_ends(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    [task] = open_tasks(uow_factory, instance.id)
    begun = {r.element_id: r for r in _runs(uow_factory, instance.id)}
    assert set(begun) == {"StartEvent_1", "Task_Review"}
    review = begun["Task_Review"]
    assert review.id == f"Task_Review:{task.id}" and review.task_id == task.id
    assert (review.started_at, review.ended_at, review.type) == (NOW, None, "userTask")
    assert (review.parent_id, review.execution_id) == (instance.id, f"{instance.id}.{task.id}")
    assert begun["StartEvent_1"].type == "startEvent"
    assert begun["StartEvent_1"].duration_ms == 0
    later = NOW + timedelta(minutes=90)
    with uow_factory() as uow:
        service.claim_task(uow, task.id, WANG, later)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"approved": True, "score": 80}, WANG, later)
    runs = _runs(uow_factory, instance.id)
    assert [(r.element_id, r.type) for r in runs] == [
        ("StartEvent_1", "startEvent"), ("Task_Review", "userTask"),
        ("Gateway_Decision", "exclusiveGateway"), ("Script_Approved", "scriptTask"),
        ("End_Approved", "noneEndEvent")]
    review = runs[1]
    assert (review.ended_at, review.duration_ms, review.assignee) == (later, 90 * 60_000, "wang")
    assert not review.canceled and not review.complete_scope
    assert runs[-1].complete_scope and runs[-1].ended_at == later


def test_terminating_cancels_the_open_runs(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    ops = Actor("ops1", frozenset({"ops"}))
    with uow_factory() as uow:
        service.terminate_instance(uow, instance.id, ops, NOW + timedelta(hours=1))
    review = {r.element_id: r for r in _runs(uow_factory, instance.id)}["Task_Review"]
    assert review.canceled and review.ended_at == NOW + timedelta(hours=1)
    assert review.duration_ms == 3_600_000


def test_a_boundary_timer_that_never_fired_is_no_activity_instance(uow_factory):
    deploy_fixture(uow_factory, "timer_boundary.bpmn")
    instance = start(uow_factory, "timer_boundary", unit_id="u1")
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, Actor("admin", frozenset({"admin"})),
                              NOW + timedelta(minutes=5))
    runs = _runs(uow_factory, instance.id)
    assert [r.element_id for r in runs] == ["StartEvent_1", "Task_Report", "End_Done"]
    assert not any(r.canceled for r in runs)


STAFF = Actor("staff_member", frozenset({"staff"}))
OPS = Actor("ops_member", frozenset({"ops"}))


def _complete(uow_factory, instance_id, data, when=NOW):
    [task] = open_tasks(uow_factory, instance_id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, data, STAFF, when)
    return task


def test_a_subprocess_is_the_parent_of_its_runs_and_an_error_end_is_typed(uow_factory):
    deploy_fixture(uow_factory, "subprocess_error.bpmn")
    instance = start(uow_factory, "subprocess_error")
    _complete(uow_factory, instance.id, {"missing": True})
    runs = {r.element_id: r for r in _runs(uow_factory, instance.id)}
    sub = runs["Sub_Check"]
    assert (sub.type, sub.parent_id) == ("subProcess", instance.id)
    for inner in ("Sub_Start", "Sub_Task", "Sub_Gateway", "Sub_ErrorEnd"):
        assert runs[inner].parent_id == sub.id, inner
    assert runs["Sub_ErrorEnd"].type == "errorEndEvent"
    assert runs["Boundary_Error"].type == "boundaryError" and not runs["Boundary_Error"].canceled
    # ended by the error it threw (SpiffWorkflow completes the subprocess; Camunda would
    # call the run canceled)
    assert sub.ended_at == NOW
    assert runs["Task_Fix"].ended_at is None and "Task_After" not in runs


def test_a_called_process_runs_inside_its_call_activity(uow_factory):
    deploy_fixture(uow_factory, "call_child.bpmn", "call_parent.bpmn")
    instance = start(uow_factory, "call_parent")
    runs = {r.element_id: r for r in _runs(uow_factory, instance.id)}
    call = runs["Call_Child"]
    assert (call.type, call.ended_at) == ("callActivity", None)
    assert runs["Task_Child"].parent_id == call.id
    _complete(uow_factory, instance.id, {})
    call = {r.element_id: r for r in _runs(uow_factory, instance.id)}["Call_Child"]
    assert call.ended_at == NOW and not call.canceled


def test_every_round_of_a_pruned_loop_keeps_its_runs(uow_factory):
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    for n in range(40):
        _complete(uow_factory, instance.id, {"done": False}, NOW + timedelta(minutes=n + 1))
    edits = [r for r in _runs(uow_factory, instance.id) if r.element_id == "Task_Edit"]
    assert len(edits) == 41 and len({r.id for r in edits}) == 41
    assert [r.ended_at is None for r in edits] == [False] * 40 + [True]
    assert [r.duration_ms for r in edits[:3]] == [60_000] * 3
    gateways = [r for r in _runs(uow_factory, instance.id) if r.element_id == "Gateway_Done"]
    assert len(gateways) == 40 and all(r.ended_at is not None for r in gateways)


def test_a_loop_past_the_iteration_depth_keeps_every_run(uow_factory):
    deploy_fixture(uow_factory, "long_loop.bpmn")
    instance = start(uow_factory, "long_loop")
    steps = [r for r in _runs(uow_factory, instance.id) if r.element_id == "Script_Step"]
    assert len(steps) == 1000 and all(r.ended_at == NOW for r in steps)


def test_a_token_moved_away_cancels_the_run_it_left(uow_factory):
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    _complete(uow_factory, instance.id, {"done": False})
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.move_token(uow, instance.id, task.id, "StartEvent_1", OPS, NOW + timedelta(1))
    runs = {r.id: r for r in _runs(uow_factory, instance.id)}
    left = runs[f"Task_Edit:{task.id}"]
    assert left.canceled and left.ended_at == NOW + timedelta(1)
    [again] = open_tasks(uow_factory, instance.id)
    assert runs[f"Task_Edit:{again.id}"].started_at == NOW + timedelta(1)
    assert sum(r.element_id == "StartEvent_1" for r in runs.values()) == 2


def _as_before_history(uow_factory, instance_id):
    with uow_factory() as uow:  # as it was stored before this history existed
        row = uow.instances.get(instance_id)
        state = json.loads(row.state_json)
        del state["vocflow_open_runs"]
        for task in state["tasks"].values():
            task["internal_data"].pop("vocflow_ended", None)
        row.state_json = json.dumps(state)
        uow.session.execute(delete(HistoricActivity))


@pytest.mark.parametrize("edited_first", [False, True])
def test_a_workflow_saved_before_activity_history_says_what_it_does_not_know(
        uow_factory, edited_first):
    """Its first save records what it holds: ends and the starts of open runs from the
    tasks' last state change; a finished run's start is left empty, not made up. An ops
    edit of its variables (no step) is such a save too."""
    deploy_fixture(uow_factory, "review.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    _as_before_history(uow_factory, instance.id)
    if edited_first:
        with uow_factory() as uow:
            service.set_variables(uow, instance.id, {"note": "x"}, OPS, NOW)
    later = NOW + timedelta(hours=2)
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"approved": False, "score": 1}, WANG, later)
    runs = {r.element_id: r for r in _runs(uow_factory, instance.id)}
    assert (runs["StartEvent_1"].started_at, runs["StartEvent_1"].ended_at) == (None, NOW)
    review = runs["Task_Review"]
    assert (review.started_at, review.ended_at, review.duration_ms) == (
        NOW, later, 2 * 3_600_000)
    assert runs["End_Rejected"].started_at == later


def test_the_migration_takes_the_runs_pruned_before_it(uow_factory):
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    for _ in range(20):
        _complete(uow_factory, instance.id, {"done": False})
    migration = importlib.import_module(
        "engine.migrations.versions.0072_historic_activities")
    with uow_factory() as uow:
        pruned = uow.history.activities_for(instance.id)
        uow.session.execute(delete(HistoricActivity))
        duration = migration._DURATION[uow.session.get_bind().dialect.name]
        uow.session.execute(text(migration._USER_TASKS.format(duration=duration)))
        uow.session.execute(text(migration._PRUNED))
    runs = _runs(uow_factory, instance.id)
    edits = [r for r in runs if r.element_id == "Task_Edit"]
    assert len(edits) == 21  # every user task, the open one too, from historic_tasks
    assert all(r.started_at == NOW and r.assignee == "staff_member" for r in edits[:-1])
    assert [r.duration_ms for r in edits[:2]] == [0, 0] and edits[-1].ended_at is None
    others = [r for r in runs if r.element_id != "Task_Edit"]
    assert pruned and len(others) == sum(a["type"] != "UserTask" for a in pruned)
    assert all(r.started_at is None and r.ended_at is not None for r in others)
    assert {r.type for r in others} == {"startEvent", "exclusiveGateway"}


def test_a_multi_instance_body_holds_its_instances(uow_factory):
    deploy_fixture(uow_factory, "compat_mi_missing.bpmn")
    instance = start(uow_factory, "compat_mi_missing", reviewers=["wang", "li"])
    runs = _runs(uow_factory, instance.id)
    [body] = [r for r in runs if r.type == "multiInstanceBody"]
    assert body.element_id == "Task_Sign#multiInstanceBody" and body.ended_at is None
    inner = [r for r in runs if r.element_id == "Task_Sign"]
    assert len(inner) == 2 and all(r.parent_id == body.id for r in inner)
    assert {r.assignee for r in inner} == {"wang", "li"} and all(r.task_id for r in inner)
