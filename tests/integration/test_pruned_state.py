"""A stored instance keeps only its live tree; the past is in activity records; the cache."""

from __future__ import annotations

from typing import Any

import pytest

from engine import bpmn, service
from engine.errors import InvalidState
from engine.service import Actor
from engine.service.runtime import load_workflow, workflow_specs
from tests.factories import NOW, deploy_fixture, open_tasks, show, start
from tests.factories import activity_states as _states

STAFF = Actor("staff_member", frozenset({"staff"}))
OPS = Actor("ops_member", frozenset({"ops"}))


def _loop(uow_factory: Any, rounds: int) -> str:
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    for _ in range(rounds):
        [task] = open_tasks(uow_factory, instance.id)
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {"done": False}, STAFF, NOW)
    return str(instance.id)


def _specs(uow: Any, row: Any) -> Any:
    return workflow_specs(uow, uow.definitions.get(row.definition_id), row.bindings or {})


def _state(uow_factory: Any, instance_id: str) -> str:
    with uow_factory() as uow:
        return str(uow.instances.get(instance_id).state_json)


def test_stored_state_stays_small_and_the_past_is_recorded(uow_factory):
    instance_id = _loop(uow_factory, 0)
    sizes = []
    for _ in range(60):
        [task] = open_tasks(uow_factory, instance_id)
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {"done": False}, STAFF, NOW)
        sizes.append(len(_state(uow_factory, instance_id)))
    assert max(sizes[30:]) <= max(sizes[:30]) * 1.1  # bounded: history is not kept in it
    with uow_factory() as uow:
        written = uow.history.activities_for(instance_id)
    assert written and all(a["state"] == "COMPLETED" for a in written)
    detail = show(uow_factory, instance_id)
    edits = [a["state"] for a in detail.activities if a["element_id"] == "Task_Edit"]
    assert edits == ["COMPLETED"] * 60 + ["READY"]
    assert _states(detail)["StartEvent_1"] == {"COMPLETED"}


def test_a_loop_past_the_iteration_depth_runs_to_its_end(uow_factory):
    deploy_fixture(uow_factory, "long_loop.bpmn")
    instance = start(uow_factory, "long_loop")
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed" and detail.instance.stall_reason is None
    assert detail.variables["counter"] == 1000
    steps = [a for a in detail.activities if a["element_id"] == "Script_Step"]
    assert len(steps) == 1000


def test_move_token_back_to_an_activity_of_the_pruned_past(uow_factory):
    instance_id = _loop(uow_factory, 4)
    [task] = open_tasks(uow_factory, instance_id)
    with uow_factory() as uow:
        workflow = load_workflow(uow, uow.instances.get(instance_id))
        assert not workflow.get_tasks(spec_name="StartEvent_1", max_depth=10**7)
    with pytest.raises(InvalidState), uow_factory() as uow:
        service.move_token(uow, instance_id, task.id, "EndEvent_1", OPS, NOW)
    with uow_factory() as uow:
        service.move_token(uow, instance_id, task.id, "StartEvent_1", OPS, NOW)
    [again] = open_tasks(uow_factory, instance_id)
    assert again.element_id == "Task_Edit" and again.id != task.id
    assert show(uow_factory, instance_id).variables["done"] is False
    with uow_factory() as uow:
        service.complete_task(uow, again.id, {"done": True}, STAFF, NOW)
    assert show(uow_factory, instance_id).instance.status == "completed"


def test_successive_steps_reuse_the_restored_workflow(uow_factory):
    instance_id = _loop(uow_factory, 1)
    hits = bpmn.WORKFLOWS.hits
    for _ in range(3):
        [task] = open_tasks(uow_factory, instance_id)
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {"done": False}, STAFF, NOW)
    assert bpmn.WORKFLOWS.hits - hits == 3


def test_a_rolled_back_step_leaves_no_changed_workflow_behind(uow_factory):
    instance_id = _loop(uow_factory, 1)
    [task] = open_tasks(uow_factory, instance_id)
    with pytest.raises(RuntimeError), uow_factory() as uow:
        service.complete_task(uow, task.id, {"done": True}, STAFF, NOW)
        raise RuntimeError("the unit of work fails after the step")
    misses = bpmn.WORKFLOWS.misses
    [same] = open_tasks(uow_factory, instance_id)
    assert same.id == task.id
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"done": False}, STAFF, NOW)
    assert bpmn.WORKFLOWS.misses == misses + 1  # restored from the row, not the cache
    [next_task] = open_tasks(uow_factory, instance_id)
    assert next_task.id != task.id
    assert show(uow_factory, instance_id).instance.status == "running"


def test_a_stale_entry_is_never_used(uow_factory):
    instance_id = _loop(uow_factory, 1)
    with uow_factory() as uow:  # what another worker process does: its own restore
        row = uow.instances.get_for_update(instance_id)
        workflow = bpmn.load_state(row.state_json, *_specs(uow, row))
        bpmn.update_active_data(workflow, {"note": "changed"})
        uow.instances.update_columns(row, {"state_json": bpmn.dump_state(workflow)})
    [task] = open_tasks(uow_factory, instance_id)
    misses = bpmn.WORKFLOWS.misses
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"done": False}, STAFF, NOW)
    assert bpmn.WORKFLOWS.misses == misses + 1
    assert show(uow_factory, instance_id).variables["note"] == "changed"


def test_the_cache_is_bounded_by_count_and_size():
    cache = bpmn.WorkflowCache(max_entries=2, max_bytes=10)
    cache.put("a", 1, "xxxx", object())
    cache.put("b", 1, "xxxx", object())
    cache.put("c", 1, "xxxx", object())
    assert len(cache) == 2 and cache.take("a", 1, "xxxx") is None
    cache.put("d", 1, "xxxxxxxx", object())
    assert len(cache) == 1 and cache.size_bytes == 8
    assert cache.take("d", 2, "xxxxxxxx") is None  # another version: dropped
    assert len(cache) == 0
