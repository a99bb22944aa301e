"""Compensation as Camunda 7 runs it: boundary handlers, throw and end events, activityRef,
compensation event subprocesses and transaction cancel, across pruning and restore."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from engine import bpmn, clock, jobs, service
from engine.config import Settings
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import FIXTURES, NOW, deploy_fixture, make_user, open_tasks, show, start


def _fresh() -> None:
    """Forget the in-memory workflows: the next step restores the stored state."""
    bpmn.WORKFLOWS.clear()


def _stored(uow_factory: Any, instance_id: str) -> dict[str, Any]:
    with uow_factory() as uow:
        return dict(json.loads(uow.instances.get(instance_id).state_json))


def _complete(uow_factory: Any, task_id: str, actor: Actor, **data: Any) -> None:
    with uow_factory() as uow:
        service.complete_task(uow, task_id, data, actor, NOW)


def _work(uow_factory: Any, topic: str, worker: Actor) -> list[str]:
    """Fetch and complete every task of the topic; the activity ids done."""
    with uow_factory() as uow:
        locked = service.fetch_and_lock(uow, "w", [{"topicName": topic, "lockDuration": 60000}],
                                        10, NOW, actor=worker)
    for task in locked:
        with uow_factory() as uow:
            service.complete_external_task(uow, task.id, "w", {}, NOW, actor=worker)
    return [task.activity_id for task in locked]


def _ran(uow_factory: Any, instance_id: str) -> list[str]:
    """Element ids of the finished activities (one per task), in order of completion."""
    detail = show(uow_factory, instance_id)
    done = {a["task_id"]: a["element_id"] for a in detail.activities
            if a["state"] == "COMPLETED"}
    return list(done.values())


def test_a_throw_event_runs_the_handlers_newest_first_a_user_task_one_across_a_restore(
        uow_factory):
    ops = make_user(uow_factory, "comp_ops", "ops")
    deploy_fixture(uow_factory, "compat_compensation_throw.bpmn")
    instance = start(uow_factory, "compat_compensation_throw")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Undo_Flight"  # the newer of the two completions, a wait state
    stored = _stored(uow_factory, instance.id)
    assert "StartEvent_1" not in json.dumps(stored["tasks"])  # the stored tree is pruned
    assert stored["vocflow_compensation"]["scopes"][""] == []  # both taken by the throw
    assert show(uow_factory, instance.id).variables["trail"] == ["hotel", "flight"]
    _fresh()
    _complete(uow_factory, task.id, ops, refunded=True)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["trail"] == ["hotel", "flight", "undo hotel", "after"]
    assert detail.variables["refunded"] is True
    assert {"Undo_Flight", "Undo_Hotel"} <= set(_ran(uow_factory, instance.id))


def test_activity_ref_compensates_only_that_activity_and_an_end_event_the_rest(uow_factory):
    ops = make_user(uow_factory, "comp_ops2", "ops")
    worker = make_user(uow_factory, "comp_worker", "worker")
    deploy_fixture(uow_factory, "compat_compensation_ref.bpmn")
    instance = start(uow_factory, "compat_compensation_ref")
    assert show(uow_factory, instance.id).variables["trail"] == ["a", "b", "undo a"]
    [check] = open_tasks(uow_factory, instance.id)
    assert check.element_id == "Task_Check"
    _fresh()
    _complete(uow_factory, check.id, ops)
    [review] = open_tasks(uow_factory, instance.id)
    stored = _stored(uow_factory, instance.id)
    assert "Task_B" not in json.dumps(stored["tasks"])  # pruned: only the ledger has it
    assert [e["element"] for e in stored["vocflow_compensation"]["scopes"][""]] == ["Task_B"]
    _fresh()
    _complete(uow_factory, review.id, ops)
    assert show(uow_factory, instance.id).instance.status == "running"  # the end event waits
    _fresh()
    assert _work(uow_factory, "undo.b", worker) == ["Undo_B"]
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert _ran(uow_factory, instance.id).count("Undo_A") == 1  # compensated once only


def test_a_completed_subprocess_is_compensated_by_its_event_subprocess_or_inner_handlers(
        uow_factory):
    deploy_fixture(uow_factory, "compat_compensation_sub.bpmn")
    instance = start(uow_factory, "compat_compensation_sub")
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["trail"] == ["inner", "reserve", "esp", "undo inner"]
    assert "Undo_Reserve" not in _ran(uow_factory, instance.id)


def test_a_throw_in_a_compensation_event_subprocess_compensates_its_subprocess_work(
        uow_factory):
    deploy_fixture(uow_factory, "compat_compensation_inner.bpmn")
    instance = start(uow_factory, "compat_compensation_inner")
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["trail"] == [
        "inner", "reserve", "undo reserve", "esp", "undo inner"]


def test_a_throw_in_an_event_subprocess_compensates_the_scope_it_is_in(uow_factory):
    deploy_fixture(uow_factory, "compat_compensation_esp.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "compat_compensation_esp")
    [ship] = open_tasks(uow_factory, instance.id)
    assert ship.element_id == "Task_Ship"
    _fresh()
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        fired = jobs.run_until_idle(uow_factory, Settings(job_lease_seconds=60), "w",
                                    now=clock.now)
    assert [o.result for o in fired] == ["fired"]
    with uow_factory() as uow:
        assert uow.incidents.open_for(instance.id) == []  # the handler saw 'trail'
    assert "Undo_Pay" in _ran(uow_factory, instance.id)


@pytest.mark.parametrize("confirmed", [True, False])
def test_a_cancelled_transaction_compensates_each_instance_then_leaves_by_its_boundary(
        uow_factory, confirmed):
    ops = make_user(uow_factory, "comp_ops3", "ops")
    worker = make_user(uow_factory, "comp_worker3", "worker")
    deploy_fixture(uow_factory, "compat_compensation_tx.bpmn")
    instance = start(uow_factory, "compat_compensation_tx")
    [task] = open_tasks(uow_factory, instance.id)
    _fresh()
    _complete(uow_factory, task.id, ops, confirmed=confirmed)
    if confirmed:
        assert _work(uow_factory, "undo.book", worker) == []
        assert show(uow_factory, instance.id).variables["outcome"] == "booked"
        return
    assert show(uow_factory, instance.id).instance.status == "running"
    _fresh()
    assert _work(uow_factory, "undo.book", worker) == ["Undo_Book"]  # one after the other
    _fresh()
    assert _work(uow_factory, "undo.book", worker) == ["Undo_Book"]
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["outcome"] == "cancelled"
    assert _work(uow_factory, "undo.book", worker) == []


def _refused(uow_factory: Any, xml: str) -> str:
    with uow_factory() as uow, pytest.raises(ProcessDefinitionError) as refused:
        service.deploy(uow, {"refused.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    return refused.value.message


def test_what_cannot_be_compensated_is_refused_naming_the_element_and_line(uow_factory):
    xml = (FIXTURES / "compat_compensation_ref.bpmn").read_text()
    wrong_ref = xml.replace('activityRef="Task_A"', 'activityRef="Task_Check"')
    message = _refused(uow_factory, wrong_ref)
    assert "'Throw_A'" in message and "line 17" in message and "Task_Check" in message
    no_handler = xml.replace('sourceRef="Boundary_B" targetRef="Undo_B"',
                             'sourceRef="Boundary_B" targetRef="Task_Check"')
    message = _refused(uow_factory, no_handler)
    assert "'Boundary_B'" in message and "no handler" in message
    inner = (FIXTURES / "compat_compensation_inner.bpmn").read_text()
    outside = inner.replace('id="CompensateEventDefinition_Esp_Throw"',
                            'id="CompensateEventDefinition_Esp_Throw" activityRef="Task_Inner"')
    message = _refused(uow_factory, outside)
    assert "'Esp_Throw'" in message and "activityRef 'Task_Inner'" in message
    throw = (FIXTURES / "compat_compensation_throw.bpmn").read_text()
    top_esp = throw.replace('<bpmn:sequenceFlow id="Flow_1"', (
        '<bpmn:subProcess id="Esp_Top" triggeredByEvent="true"><bpmn:startEvent '
        'id="Esp_Top_Start"><bpmn:compensateEventDefinition /></bpmn:startEvent>'
        '</bpmn:subProcess><bpmn:sequenceFlow id="Flow_1"'), 1)
    message = _refused(uow_factory, top_esp)
    assert "'Esp_Top_Start'" in message and "embedded subprocess" in message
    tx = (FIXTURES / "compat_compensation_tx.bpmn").read_text()
    mi_tx = tx.replace('<bpmn:outgoing>Flow_Done</bpmn:outgoing>', (
        '<bpmn:outgoing>Flow_Done</bpmn:outgoing><bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:loopCardinality>2</bpmn:loopCardinality>'
        '</bpmn:multiInstanceLoopCharacteristics>'), 1).replace(
        'attachedToRef="Task_Book"', 'attachedToRef="Tx_Booking"').replace(
        '<bpmn:boundaryEvent id="Boundary_Cancelled" name="已取消" attachedToRef="Tx_Booking">',
        '<bpmn:boundaryEvent id="Boundary_Cancelled" name="已取消" attachedToRef="Task_Confirm">')
    message = _refused(uow_factory, mi_tx)
    assert "'Boundary_Book'" in message and "multi-instance subprocess" in message


def test_a_file_without_a_throw_still_drops_its_handlers_and_runs(uow_factory):
    sub = (FIXTURES / "compat_compensation_sub.bpmn").read_text()
    quiet = sub.replace('<bpmn:compensateEventDefinition id="CompensateEventDefinition_All" />',
                        "")
    with uow_factory() as uow:
        service.deploy(uow, {"quiet.bpmn": quiet.encode()}, SYSTEM_ACTOR, NOW)
    instance = start(uow_factory, "compat_compensation_sub")
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    assert detail.variables["trail"] == ["inner", "reserve"]
