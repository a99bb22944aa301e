"""Stuck instances: stalled loops, open incidents, overdue timers and tasks, no claimant."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from engine import service
from engine.service import SYSTEM_ACTOR
from tests.factories import NOW, deploy_fixture, make_user, start

GRACE = timedelta(minutes=5)


def stuck(uow_factory, now=NOW):
    with uow_factory() as uow:
        return service.find_stuck(uow, now, GRACE, SYSTEM_ACTOR)


def test_loop_past_the_depth_trap_is_reported_stalled_not_completed(uow_factory):
    deploy_fixture(uow_factory, "long_loop.bpmn")
    instance = start(uow_factory, "long_loop")
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        assert row.status == "running"
        assert "1000-task iteration limit" in row.stall_reason
    rows = [r for r in stuck(uow_factory) if r.instance_id == instance.id]
    assert [r.reason for r in rows] == ["stalled"]


def test_overdue_timer_is_listed_only_after_the_grace_period(uow_factory):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):  # SpiffWorkflow reads datetime.now itself
        instance = start(uow_factory, "timer_duration")
    due = NOW + timedelta(minutes=10)
    assert [
        r
        for r in stuck(uow_factory, due + GRACE - timedelta(seconds=1))
        if r.instance_id == instance.id
    ] == []
    [row] = [
        r
        for r in stuck(uow_factory, due + GRACE + timedelta(seconds=1))
        if r.instance_id == instance.id
    ]
    assert (row.reason, row.element_id) == ("timer_overdue", "Timer_Wait")


def test_task_no_user_may_claim_and_task_past_due(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(
        uow_factory, "simple_review", province_code="42", review_due="2026-11-30T23:59:00+08:00"
    )
    reasons = {r.reason: r for r in stuck(uow_factory) if r.instance_id == instance.id}
    assert set(reasons) == {"no_claimant"}
    assert reasons["no_claimant"].element_id == "Task_Review"
    make_user(uow_factory, "li", "province:42:reviewer")
    late = NOW + timedelta(days=3)
    reasons = {r.reason for r in stuck(uow_factory, late) if r.instance_id == instance.id}
    assert reasons == {"task_overdue"}


def test_open_incident_is_listed_with_its_element(uow_factory):
    deploy_fixture(uow_factory, "external_score.bpmn")
    instance = start(uow_factory, "external_score", base=1)
    topics = [{"topicName": "score", "lockDuration": 60_000}]
    with uow_factory() as uow:
        [task] = service.fetch_and_lock(uow, "w", topics, 1, NOW, actor=SYSTEM_ACTOR)
        service.handle_failure(
            uow, task.id, "w", "scoring failed", None, 0, 0, NOW, actor=SYSTEM_ACTOR
        )
    [row] = [r for r in stuck(uow_factory) if r.instance_id == instance.id]
    assert (row.reason, row.element_id) == ("incident", "Task_Score")
    assert "scoring failed" in row.detail
