"""engine.jobs: leases give each job one owner; one failing job never stops the batch."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from click.testing import CliRunner

from api.cli import cli
from engine import clock, jobs, service
from engine.config import Settings
from tests.conftest import truncate
from tests.factories import FIXTURES, NOW, deploy_fixture, start

SETTINGS = Settings(job_lease_seconds=60)
DUE = NOW + timedelta(minutes=11)


def waiting(uow_factory, count: int) -> list[str]:
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        return [start(uow_factory, "timer_duration", NOW).id for _ in range(count)]


def test_a_failing_job_rolls_back_alone_is_recorded_and_the_batch_goes_on(uow_factory):
    good, bad, other = waiting(uow_factory, 3)
    with uow_factory() as uow:
        uow.instances.get(bad).state_json = '{"broken": true}'
    with time_machine.travel(DUE, tick=False):
        outcomes = jobs.poll(uow_factory, SETTINGS, "w1", now=clock.now)
    results = {o.result for o in outcomes}
    assert len(outcomes) == 3 and results == {"fired", "error"}
    with uow_factory() as uow:
        assert {uow.instances.get(i).status for i in (good, other)} == {"completed"}
        broken = uow.instances.get(bad)
        assert broken.status == "running" and broken.state_json == '{"broken": true}'
        [job] = uow.jobs.for_instance(bad)
    assert job.attempts == 1 and "KeyError" in job.last_error
    assert job.lock_owner is None and job.lock_expires_at == DUE + timedelta(seconds=20)
    with time_machine.travel(DUE + timedelta(seconds=5), tick=False):
        assert jobs.poll(uow_factory, SETTINGS, "w1", now=clock.now) == []


def test_lease_gives_a_job_to_one_worker_until_it_expires(uow_factory):
    [instance_id] = waiting(uow_factory, 1)
    assert jobs.claim(uow_factory, "A", DUE, SETTINGS, 10) != []
    assert jobs.claim(uow_factory, "B", DUE + timedelta(seconds=59), SETTINGS, 10) == []
    [(job_id, kind)] = jobs.claim(uow_factory, "B", DUE + timedelta(seconds=61), SETTINGS, 10)
    assert kind == "timer"
    with uow_factory() as uow:  # the worker that lost its lease must not fire it
        assert service.fire_timer(uow, job_id, "A", DUE) == "taken by another worker"
    with time_machine.travel(DUE + timedelta(seconds=61), tick=False), uow_factory() as uow:
        assert service.fire_timer(uow, job_id, "B", clock.now()) == "fired"
    with uow_factory() as uow:
        assert uow.instances.get(instance_id).status == "completed"
        assert uow.jobs.get(job_id) is None


def test_job_of_an_ended_instance_is_dropped(uow_factory):
    [instance_id] = waiting(uow_factory, 1)
    with uow_factory() as uow:
        [job] = uow.jobs.for_instance(instance_id)
        uow.instances.get(instance_id).status = "terminated"
    with time_machine.travel(DUE, tick=False):
        [outcome] = jobs.poll(uow_factory, SETTINGS, "w1", now=clock.now)
    assert outcome.result == "instance terminated"
    with uow_factory() as uow:
        assert uow.jobs.get(job.id) is None


@pytest.fixture
def run_cli(db_engine, monkeypatch):
    monkeypatch.setenv("VOCFLOW_DATABASE_URL",
                       db_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    yield invoke
    truncate(db_engine)


@pytest.mark.committed_db
def test_cli_jobs_correlate_and_stuck(run_cli):
    run_cli("deploy", str(FIXTURES / "msg_wait.bpmn"), str(FIXTURES / "long_loop.bpmn"),
            str(FIXTURES / "start_cron.bpmn"))
    jobs_rows = json.loads(run_cli("--json", "jobs").stdout)
    assert [(r["kind"], r["element"]) for r in jobs_rows] == [("timer_start", "Start_Timer")]
    failed = run_cli("correlate", "reply_received", "--business-key", "B-1", code=1)
    assert "message_not_correlated" in failed.output
    run_cli("start", "msg_wait", "--business-key", "B-1")
    run_cli("start", "long_loop")  # runs its 1000 rounds to the end: not stuck
    stuck = json.loads(run_cli("--json", "stuck").stdout)
    assert [r["reason"] for r in stuck] == []
    reached = json.loads(run_cli("--json", "correlate", "reply_received", "--business-key",
                                 "B-1", "--var", "ok=true").stdout)
    assert len(reached) == 1
    shown = json.loads(run_cli("--json", "instances", "--status", "completed").stdout)
    assert sorted(r["process"] for r in shown) == ["long_loop", "msg_wait"]
    assert reached[0]["instance"] in [r["id"] for r in shown]
