"""A timeCycle written as a Quartz cron on a boundary timer repeats at the cron's times, as
Camunda 7 runs it (in Asia/Shanghai, like cron timer starts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from engine import clock, jobs, service
from engine.config import Settings
from tests.factories import NOW, deploy_fixture, make_user, open_tasks, show, start

SETTINGS = Settings(job_lease_seconds=60)
KEY = "compat_cron_reminder"
NINE = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)  # 09:00 Shanghai after NOW (12:00 there)


def job_dues(uow_factory, instance_id):
    with uow_factory() as uow:
        return [(j.element_id, j.due_at.replace(tzinfo=UTC)) for j in
                uow.jobs.for_instance(instance_id)]


def run_at(uow_factory, moment):
    with time_machine.travel(moment, tick=False):
        return jobs.run_until_idle(uow_factory, SETTINGS, "test-worker", now=clock.now)


def test_a_cron_cycle_waits_for_the_next_cron_time(uow_factory):
    deploy_fixture(uow_factory, "compat_cron_reminder.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, KEY)
    assert job_dues(uow_factory, instance.id) == [("Timer_Daily", NINE)]
    run_at(uow_factory, NINE - timedelta(minutes=1))
    assert [t.element_id for t in open_tasks(uow_factory, instance.id)] == ["Task_Approve"]


def test_each_occurrence_fires_once_and_the_next_is_a_day_later(uow_factory):
    deploy_fixture(uow_factory, "compat_cron_reminder.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, KEY)
    run_at(uow_factory, NINE + timedelta(seconds=1))
    tasks = sorted(t.element_id for t in open_tasks(uow_factory, instance.id))
    assert tasks == ["Task_Approve", "Task_Remind"]
    assert job_dues(uow_factory, instance.id) == [("Timer_Daily", NINE + timedelta(days=1))]
    run_at(uow_factory, NINE + timedelta(hours=1))  # not due again yet
    assert len(open_tasks(uow_factory, instance.id)) == 2


def fire_days(uow_factory, instance_id, days):
    for day in range(days):
        run_at(uow_factory, NINE + timedelta(days=day, seconds=1))
    return sorted(t.element_id for t in open_tasks(uow_factory, instance_id))


def test_an_interrupting_event_subprocess_cron_start_fires_once(uow_factory):
    deploy_fixture(uow_factory, "compat_cron_esp.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "compat_cron_esp")
    assert job_dues(uow_factory, instance.id) == [("Start_Daily", NINE)]
    assert fire_days(uow_factory, instance.id, 2) == ["Task_Check"]  # Task_Work cancelled
    assert job_dues(uow_factory, instance.id) == []


def test_a_non_interrupting_one_fires_every_day(uow_factory):
    deploy_fixture(uow_factory, "compat_cron_esp_repeat.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "compat_cron_esp_repeat")
    assert fire_days(uow_factory, instance.id, 2) == ["Task_Check", "Task_Check", "Task_Work"]
    assert job_dues(uow_factory, instance.id) == [("Start_Daily", NINE + timedelta(days=2))]


def _complete(uow_factory, instance_id, element_id, moment):
    admin = make_user(uow_factory, f"cron_admin_{element_id.lower()}", "admin")
    [task] = [t for t in open_tasks(uow_factory, instance_id) if t.element_id == element_id]
    with time_machine.travel(moment, tick=False), uow_factory() as uow:
        service.complete_task(uow, task.id, {}, admin, moment)


def test_the_process_ends_when_its_flow_ends_before_a_non_interrupting_one_fires(uow_factory):
    deploy_fixture(uow_factory, "compat_cron_esp_repeat.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "compat_cron_esp_repeat")
    _complete(uow_factory, instance.id, "Task_Work", NOW + timedelta(hours=1))
    assert show(uow_factory, instance.id).instance.status == "completed"
    assert job_dues(uow_factory, instance.id) == []


def test_a_running_occurrence_is_waited_for_and_then_the_process_ends(uow_factory):
    deploy_fixture(uow_factory, "compat_cron_esp_repeat.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance = start(uow_factory, "compat_cron_esp_repeat")
    run_at(uow_factory, NINE + timedelta(seconds=1))
    _complete(uow_factory, instance.id, "Task_Work", NINE + timedelta(minutes=1))
    assert show(uow_factory, instance.id).instance.status == "running"
    assert [t.element_id for t in open_tasks(uow_factory, instance.id)] == ["Task_Check"]
    _complete(uow_factory, instance.id, "Task_Check", NINE + timedelta(minutes=2))
    assert show(uow_factory, instance.id).instance.status == "completed"
    assert job_dues(uow_factory, instance.id) == []
