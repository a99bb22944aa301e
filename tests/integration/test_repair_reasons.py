"""Ops commands record who did what and why: repair (engine/service/repair.py), job control
(job_control.py) and suspend / resume / terminate / edit a variable; the reason is optional
for the REST doors (Camunda sends none) and shows on the instance timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from engine import service
from engine.service import Actor, instance_view, job_control
from tests.factories import NOW, deploy_fixture, make_user, open_tasks, start

OPS = Actor("ops_member", frozenset({"ops"}))


def _events(uow_factory, instance_id: str) -> list[tuple[str, str | None, Any]]:
    with uow_factory() as uow:
        return [(h.action, h.actor, (h.data or {}).get("reason"))
                for h in uow.history.for_instance(instance_id)]


def _failed(uow_factory) -> tuple[Any, Any]:
    deploy_fixture(uow_factory, "form_review.bpmn")
    wang = make_user(uow_factory, "wang", "province:11:reviewer")
    instance = start(uow_factory, "form_review", actor=wang, province_code="11")
    [task] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"decision": "approve", "score": 80}, wang, NOW)
    with uow_factory() as uow:
        [incident] = service.list_incidents(uow, OPS, instance_id=instance.id)
    return instance, incident


def test_retry_skip_move_and_variables_record_the_reason(uow_factory):
    instance, incident = _failed(uow_factory)
    with uow_factory() as uow:
        service.set_variables(uow, instance.id, {"weight": 0}, OPS, NOW, reason="先置零")
    with uow_factory() as uow:
        again = service.retry_and_report(uow, incident.id, OPS, NOW, reason="数据已修复")
    assert again.resolved_at is None  # weight 0: it fails again, a new incident
    with uow_factory() as uow:
        failed = next(a for a in service.show_instance(uow, instance.id, OPS).activities
                      if a["element_id"] == "Script_Weight" and a["state"] == "ERROR")
        service.skip_task(uow, instance.id, failed["task_id"], OPS, NOW,
                          data={"weighted": 0}, reason="权重无法计算，跳过")
    [confirm] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.move_token(uow, instance.id, confirm.id, "Task_Review", OPS, NOW,
                           reason="退回重新评审")
    events = _events(uow_factory, instance.id)
    assert ("variables_set", "ops_member", "先置零") in events
    assert ("incident_retried", "ops_member", "数据已修复") in events
    assert ("task_skipped", "ops_member", "权重无法计算，跳过") in events
    assert events[-1] == ("token_moved", "ops_member", "退回重新评审")
    with uow_factory() as uow:
        timeline = instance_view.instance_view(uow, instance.id, actor=OPS, now=NOW).timeline
    assert [e.reason for e in timeline if e.action == "token_moved"] == ["退回重新评审"]


def test_resolve_suspend_resume_terminate_record_the_reason(uow_factory):
    instance, incident = _failed(uow_factory)
    with uow_factory() as uow:
        service.resolve_incident(uow, incident.id, OPS, NOW, reason="已线下处理")
        service.suspend_instance(uow, instance.id, OPS, NOW, reason="等待省厅确认")
    with uow_factory() as uow:
        service.resume_instance(uow, instance.id, OPS, NOW, reason="省厅已确认")
    with uow_factory() as uow:
        service.terminate_instance(uow, instance.id, OPS, NOW, reason="重复申报")
    assert _events(uow_factory, instance.id)[-4:] == [
        ("incident_resolved", "ops_member", "已线下处理"),
        ("instance_suspended", "ops_member", "等待省厅确认"),
        ("instance_resumed", "ops_member", "省厅已确认"),
        ("instance_terminated", "ops_member", "重复申报")]


def test_a_timer_due_date_moves_with_a_reason_and_without_one(uow_factory):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "timer_duration", NOW)
    with uow_factory() as uow:
        [job] = [j for j in uow.jobs.for_instance(instance.id) if j.kind == "timer"]
    later = NOW + timedelta(days=30)
    with uow_factory() as uow:
        moved = job_control.set_job_due_date(uow, job.id, later, OPS, NOW, reason="延期一个月")
        assert moved.due_at is not None
    with uow_factory() as uow:  # /engine-rest: Camunda sends no reason
        job_control.set_job_due_date(uow, job.id, later + timedelta(days=1), OPS, NOW)
    with uow_factory() as uow:
        assert uow.jobs.get(job.id).due_at.replace(tzinfo=None) == (
            later + timedelta(days=1)).replace(tzinfo=None)
    assert [e for e in _events(uow_factory, instance.id) if e[0] == "job_due_date_set"] == [
        ("job_due_date_set", "ops_member", "延期一个月"),
        ("job_due_date_set", "ops_member", None)]
