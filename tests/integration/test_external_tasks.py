"""External tasks: handlers with retries and backoff, incidents, and Camunda fetch-and-lock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import time_machine

from engine import clock, external, jobs, service
from engine.config import Settings
from engine.errors import InvalidState
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import NOW, deploy_fixture, start

WORKER = Actor("outside", frozenset({"worker"}))

SETTINGS = Settings(job_lease_seconds=60)


@pytest.fixture
def score_handler() -> Iterator[list[dict]]:
    calls: list[dict] = []
    yield calls
    external.unregister_handler("score")


def run_at(uow_factory, moment: datetime) -> list[jobs.JobOutcome]:
    with time_machine.travel(moment, tick=False):
        return jobs.run_until_idle(uow_factory, SETTINGS, "w1", now=clock.now)


def detail(uow_factory, instance_id):
    with uow_factory() as uow:
        return service.show_instance(uow, instance_id, SYSTEM_ACTOR)


def test_handler_failing_twice_then_succeeding_completes_with_backoff(uow_factory, score_handler):
    def flaky(ctx: external.HandlerContext) -> dict:
        score_handler.append(dict(ctx.variables))
        if len(score_handler) < 3:
            raise RuntimeError(f"scoring service down (try {len(score_handler)})")
        return {"score": ctx.variables["base"] + 1}

    external.register_handler("score", flaky)
    deploy_fixture(uow_factory, "external_score.bpmn")
    instance = start(uow_factory, "external_score", base=20)
    run_at(uow_factory, NOW)
    with uow_factory() as uow:
        [job] = uow.jobs.for_instance(instance.id)
        assert (job.attempts, job.retries) == (1, 2)
        assert job.due_at == NOW + timedelta(seconds=20)
        assert "try 1" in job.last_error
    assert run_at(uow_factory, NOW + timedelta(seconds=19)) == []
    run_at(uow_factory, NOW + timedelta(seconds=21))
    with uow_factory() as uow:
        [job] = uow.jobs.for_instance(instance.id)
        assert (job.attempts, job.retries) == (2, 1)
        assert job.due_at == NOW + timedelta(seconds=21 + 40)
    run_at(uow_factory, NOW + timedelta(seconds=62))
    result = detail(uow_factory, instance.id)
    assert result.instance.status == "completed"
    assert result.variables["result"] == 42
    assert score_handler[0]["base"] == 20 and score_handler[0]["initiator"] == "system"
    assert [h.action for h in result.history].count("external_task_failed") == 2


def test_handler_always_failing_opens_incident_and_retry_after_fix_completes(
    uow_factory, score_handler
):
    def broken(ctx: external.HandlerContext) -> dict:
        raise ValueError("no score table for province 99")

    external.register_handler("score", broken)
    deploy_fixture(uow_factory, "external_score.bpmn")
    instance = start(uow_factory, "external_score", base=1)
    for seconds in (0, 21, 62, 200):
        run_at(uow_factory, NOW + timedelta(seconds=seconds))
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(instance.id)
        [job] = uow.jobs.for_instance(instance.id)
    assert incident.kind == "external_task" and incident.job_id == job.id
    assert "no score table for province 99" in incident.message
    assert job.retries == 0
    assert run_at(uow_factory, NOW + timedelta(days=1)) == []

    external.register_handler("score", lambda ctx: {"score": 5})
    later = NOW + timedelta(days=1)
    with uow_factory() as uow:
        service.retry_incident(uow, incident.id, SYSTEM_ACTOR, later)
    run_at(uow_factory, later)
    result = detail(uow_factory, instance.id)
    assert result.instance.status == "completed" and result.variables["result"] == 10


def test_topic_without_handler_waits_for_an_outside_worker(uow_factory):
    deploy_fixture(uow_factory, "external_score.bpmn")
    instance = start(uow_factory, "external_score", base=3)
    assert run_at(uow_factory, NOW + timedelta(minutes=1)) == []
    topics = [{"topicName": "score", "lockDuration": 60_000}]
    with uow_factory() as uow:
        [task] = service.fetch_and_lock(uow, "outside-1", topics, 10, NOW, actor=WORKER)
    assert task.variables["base"] == 3 and task.activity_id == "Task_Score"
    with uow_factory() as uow:
        assert service.fetch_and_lock(uow, "outside-2", topics, 10, NOW, actor=WORKER) == []
    with uow_factory() as uow, pytest.raises(InvalidState):
        service.complete_external_task(uow, task.id, "outside-2", {"score": 1}, NOW, actor=WORKER)
    with uow_factory() as uow:
        service.complete_external_task(uow, task.id, "outside-1", {"score": 4}, NOW, actor=WORKER)
    result = detail(uow_factory, instance.id)
    assert result.instance.status == "completed" and result.variables["result"] == 8


def test_handle_failure_with_zero_retries_opens_incident_and_lock_expiry_frees_task(uow_factory):
    deploy_fixture(uow_factory, "external_score.bpmn")
    instance = start(uow_factory, "external_score", base=3)
    topics = [{"topicName": "score", "lockDuration": 1_000}]
    with uow_factory() as uow:
        [task] = service.fetch_and_lock(uow, "outside-1", topics, 1, NOW, actor=WORKER)
    later = NOW + timedelta(seconds=2)
    with uow_factory() as uow:
        [again] = service.fetch_and_lock(uow, "outside-2", topics, 1, later, actor=WORKER)
    assert again.id == task.id
    with uow_factory() as uow:
        service.handle_failure(
            uow, task.id, "outside-2", "boom", "trace", 0, 0, later, actor=WORKER
        )
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(instance.id)
        assert incident.message == "boom" and incident.job_id == task.id
        assert service.fetch_and_lock(uow, "outside-3", topics, 1, later, actor=WORKER) == []
