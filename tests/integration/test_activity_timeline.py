"""engine.service.activity_timeline: the instance page's runs, from the historic activities."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import service
from engine.errors import NotFound
from engine.service import Actor
from engine.service.activity_timeline import instance_activities
from tests.factories import NOW, deploy_fixture, open_tasks, start

WANG = Actor("wang", frozenset({"province:11:reviewer"}))
LI = Actor("li", frozenset({"province:12:reviewer"}))


def _timeline(uow_factory, instance_id, actor, **kwargs):
    with uow_factory() as uow:
        return instance_activities(uow, instance_id, actor=actor, **kwargs)


def test_the_runs_in_order_with_start_end_duration_and_who(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    [task] = open_tasks(uow_factory, instance.id)
    running = _timeline(uow_factory, instance.id, WANG)
    assert [(r.element_id, r.ended_at) for r in running.runs] == [
        ("StartEvent_1", NOW), ("Task_Review", None)]
    assert running.runs[1].started_at == NOW and running.runs[1].duration_ms is None
    later = NOW + timedelta(hours=26, minutes=5)
    with uow_factory() as uow:
        service.claim_task(uow, task.id, WANG, NOW + timedelta(hours=1))
    assert _timeline(uow_factory, instance.id, WANG).runs[1].assignee == "wang"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"approved": True, "score": 80}, WANG, later)
    done = _timeline(uow_factory, instance.id, WANG)
    assert [(r.element_id, r.type) for r in done.runs] == [
        ("StartEvent_1", "startEvent"), ("Task_Review", "userTask"),
        ("Gateway_Decision", "exclusiveGateway"), ("Script_Approved", "scriptTask"),
        ("End_Approved", "noneEndEvent")]
    review = done.runs[1]
    assert (review.name, review.assignee, review.ended_at) == ("省级审核", "wang", later)
    assert review.duration_ms == (26 * 60 + 5) * 60_000 and not review.canceled
    assert done.more is False
    short = _timeline(uow_factory, instance.id, WANG, limit=2)
    assert [r.element_id for r in short.runs] == ["StartEvent_1", "Task_Review"]
    assert short.more is True


def test_a_terminated_run_is_canceled(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    with uow_factory() as uow:
        service.terminate_instance(uow, instance.id, Actor("ops1", frozenset({"ops"})),
                                   NOW + timedelta(minutes=3))
    review = _timeline(uow_factory, instance.id, WANG).runs[-1]
    assert (review.element_id, review.canceled, review.duration_ms) == (
        "Task_Review", True, 180_000)


def test_another_province_sees_no_timeline(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    with pytest.raises(NotFound):
        _timeline(uow_factory, instance.id, LI)
    with pytest.raises(NotFound):
        _timeline(uow_factory, "no-such-instance", WANG)
