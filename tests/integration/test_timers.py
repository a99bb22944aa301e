"""Timers fire at their time, not before, exactly once: every timer kind, both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from engine import clock, jobs, service
from engine.config import Settings
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, deploy_fixture, make_user, open_tasks, start

SETTINGS = Settings(job_lease_seconds=60)


def run_at(uow_factory, moment: datetime) -> list[jobs.JobOutcome]:
    with time_machine.travel(moment, tick=False):
        return jobs.run_until_idle(uow_factory, SETTINGS, "test-worker", now=clock.now)


def history(uow_factory, instance_id: str, action: str) -> list[str]:
    with uow_factory() as uow:
        return [h.element_id for h in uow.history.for_instance(instance_id) if h.action == action]


def status(uow_factory, instance_id: str) -> str:
    with uow_factory() as uow:
        return uow.instances.get(instance_id).status


def start_at(uow_factory, key: str, moment: datetime = NOW, **variables):
    with time_machine.travel(moment, tick=False):
        return start(uow_factory, key, moment, **variables)


def test_time_date_with_offset_fires_at_the_utc_instant_and_once(uow_factory):
    deploy_fixture(uow_factory, "timer_date.bpmn")
    instance = start_at(uow_factory, "timer_date", fire_at="2026-12-01T08:00:00+08:00")
    with uow_factory() as uow:
        [job] = uow.jobs.for_instance(instance.id)
    assert job.due_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert run_at(uow_factory, datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)) == []
    assert status(uow_factory, instance.id) == "running"
    fired = run_at(uow_factory, datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC))
    assert [o.result for o in fired] == ["fired"]
    assert status(uow_factory, instance.id) == "completed"
    assert run_at(uow_factory, datetime(2026, 12, 2, tzinfo=UTC)) == []
    assert history(uow_factory, instance.id, "timer_fired") == ["Timer_Wait"]


def test_time_duration_fires_after_ten_minutes_not_before(uow_factory):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    instance = start_at(uow_factory, "timer_duration")
    assert run_at(uow_factory, NOW + timedelta(minutes=9, seconds=59)) == []
    assert status(uow_factory, instance.id) == "running"
    run_at(uow_factory, NOW + timedelta(minutes=10, seconds=1))
    assert status(uow_factory, instance.id) == "completed"
    assert history(uow_factory, instance.id, "timer_fired") == ["Timer_Wait"]


def test_a_duration_written_as_a_python_timedelta_is_that_duration(uow_factory):
    """Older SpiffWorkflow diagrams write `timedelta(minutes=10)` where Camunda writes
    PT10M (it was an incident: 'datetime.timedelta' object has no attribute 'lower')."""
    xml = (FIXTURES / "timer_duration.bpmn").read_text().replace(
        ">PT10M<", ">timedelta(minutes=10, milliseconds=500)<")
    with uow_factory() as uow:
        service.deploy(uow, {"timedelta.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    instance = start_at(uow_factory, "timer_duration")
    with uow_factory() as uow:
        assert uow.incidents.open_for(instance.id) == []
        [job] = uow.jobs.for_instance(instance.id)
    assert job.due_at == NOW + timedelta(minutes=10, milliseconds=500)
    assert run_at(uow_factory, NOW + timedelta(minutes=10)) == []
    run_at(uow_factory, NOW + timedelta(minutes=10, seconds=1))
    assert status(uow_factory, instance.id) == "completed"


def test_cycle_boundary_fires_every_period_three_times_then_interrupting_one(uow_factory):
    deploy_fixture(uow_factory, "timer_boundary.bpmn")
    instance = start_at(uow_factory, "timer_boundary", unit_id="u1")
    for minute in (5, 11, 15, 21, 31, 41, 51):
        run_at(uow_factory, NOW + timedelta(minutes=minute))
    assert history(uow_factory, instance.id, "timer_fired") == ["Boundary_Remind"] * 3
    assert len(open_tasks(uow_factory, instance.id)) == 1
    run_at(uow_factory, NOW + timedelta(minutes=59))
    assert status(uow_factory, instance.id) == "running"
    run_at(uow_factory, NOW + timedelta(hours=1, seconds=1))
    assert history(uow_factory, instance.id, "timer_fired")[-1] == "Boundary_Escalate"
    assert open_tasks(uow_factory, instance.id) == []
    with uow_factory() as uow:
        detail = service.show_instance(uow, instance.id, SYSTEM_ACTOR)
    assert detail.instance.status == "completed"
    assert detail.variables.get("escalated") is True


def test_boundary_timer_of_a_completed_task_never_fires(uow_factory):
    deploy_fixture(uow_factory, "timer_boundary.bpmn")
    instance = start_at(uow_factory, "timer_boundary", unit_id="u1")
    [task] = open_tasks(uow_factory, instance.id)
    filler = make_user(uow_factory, "zhang", "unit:u1")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False), uow_factory() as uow:
        service.complete_task(uow, task.id, {}, filler, clock.now())
    with uow_factory() as uow:
        assert uow.jobs.for_instance(instance.id) == []
    assert run_at(uow_factory, NOW + timedelta(days=2)) == []
    assert history(uow_factory, instance.id, "timer_fired") == []
    assert status(uow_factory, instance.id) == "completed"


def test_timer_of_a_suspended_instance_waits_for_resume(uow_factory):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    instance = start_at(uow_factory, "timer_duration")
    with uow_factory() as uow:
        service.suspend_instance(uow, instance.id, SYSTEM_ACTOR, NOW)
    outcomes = run_at(uow_factory, NOW + timedelta(minutes=11))
    assert [o.result for o in outcomes] == ["instance suspended"]
    assert status(uow_factory, instance.id) == "suspended"
    with uow_factory() as uow:
        service.resume_instance(uow, instance.id, SYSTEM_ACTOR, NOW)
    lease_over = timedelta(minutes=11, seconds=SETTINGS.job_lease_seconds + 1)
    run_at(uow_factory, NOW + lease_over)
    assert status(uow_factory, instance.id) == "completed"


def timer_start_jobs(uow_factory, key: str):
    with uow_factory() as uow:
        return [j for j in uow.jobs.timer_starts()
                if uow.definitions.get(j.definition_id).key == key]


def instances_of(uow_factory, key: str):
    with uow_factory() as uow:
        return list(uow.instances.list(process_key=key))


def test_timer_start_date_starts_one_instance_at_its_time(uow_factory):
    deploy_fixture(uow_factory, "start_date.bpmn")
    [job] = timer_start_jobs(uow_factory, "start_date")
    assert job.due_at == datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
    run_at(uow_factory, datetime(2026, 12, 15, 0, 59, tzinfo=UTC))
    assert instances_of(uow_factory, "start_date") == []
    run_at(uow_factory, datetime(2026, 12, 15, 1, 0, 1, tzinfo=UTC))
    [instance] = instances_of(uow_factory, "start_date")
    assert [t.element_id for t in open_tasks(uow_factory, instance.id)] == ["Task_Fill"]
    assert timer_start_jobs(uow_factory, "start_date") == []


def test_timer_start_cycle_r3_starts_three_instances_ten_minutes_apart(uow_factory):
    deploy_fixture(uow_factory, "start_cycle.bpmn")
    first = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 Asia/Shanghai
    [job] = timer_start_jobs(uow_factory, "start_cycle")
    assert job.due_at == first
    for minutes in (0, 5, 10, 20, 30, 40):
        run_at(uow_factory, first + timedelta(minutes=minutes, seconds=1))
    assert len(instances_of(uow_factory, "start_cycle")) == 3
    assert timer_start_jobs(uow_factory, "start_cycle") == []


def test_timer_start_cron_fires_daily_at_nine_shanghai(uow_factory):
    deploy_fixture(uow_factory, "start_cron.bpmn")
    [job] = timer_start_jobs(uow_factory, "start_cron")
    assert job.due_at == datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    run_at(uow_factory, datetime(2026, 11, 29, 1, 0, 1, tzinfo=UTC))
    run_at(uow_factory, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    assert len(instances_of(uow_factory, "start_cron")) == 1
    [job] = timer_start_jobs(uow_factory, "start_cron")
    assert job.due_at == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    run_at(uow_factory, datetime(2026, 11, 30, 1, 0, 1, tzinfo=UTC))
    assert len(instances_of(uow_factory, "start_cron")) == 2


def test_new_version_replaces_the_timer_start_job_of_the_old(uow_factory):
    deploy_fixture(uow_factory, "start_cron.bpmn")
    [old] = timer_start_jobs(uow_factory, "start_cron")
    path = deploy_fixture.__globals__["FIXTURES"] / "start_cron.bpmn"
    changed = path.read_bytes().replace("定时启动（cron）".encode(), "定时启动 v2".encode())
    with uow_factory() as uow:
        result = service.deploy(uow, {"start_cron.bpmn": changed}, SYSTEM_ACTOR, NOW)
    [new] = timer_start_jobs(uow_factory, "start_cron")
    assert new.id != old.id and new.definition_id == result.definitions[0].id
