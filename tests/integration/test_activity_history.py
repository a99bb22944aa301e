"""Activity instances are recorded by the steps that start and end them (historic_activities)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

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
