"""Runaway scripts and expressions through the service layer: ERROR, an incident, no lock held."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from engine import clock, jobs, service
from engine.config import Settings, load_settings
from engine.errors import ProcessDefinitionError
from engine.expressions import limits
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, deploy_files, deploy_fixture, make_user, show, start
from tests.factories import activity_states as states

MB = 1024 * 1024
CPU = "exceeded the 0.3 s CPU-time limit"
MEMORY = "exceeded the 64 MB memory limit"


@pytest.fixture(autouse=True)
def quick_limits() -> Iterator[None]:
    """Short limits keep the suite fast; the default (2 s) is tested on its own."""
    before = limits.current()
    limits.configure(0.3, 64)
    yield
    limits.configure(before.cpu_seconds, before.memory_bytes // MB)


def _incidents(uow_factory: Any, instance_id: str) -> list[Any]:
    with uow_factory() as uow:
        return [i for i in uow.incidents.list(open_only=True, limit=1000)
                if i.instance_id == instance_id]


def _start_in_thread(uow_factory: Any, key: str) -> dict[str, Any]:
    """Start in a daemon thread, so that a sandbox that does not hold fails instead of hanging."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["instance"] = start(uow_factory, key)
        except Exception as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), f"{key} still running after 60 s"
    box["seconds"] = time.monotonic() - started
    return box


@pytest.mark.parametrize(("fixture", "element", "limit"), [
    ("script_spin", "Script_Spin", CPU),
    ("script_big_string", "Script_Big", MEMORY),
    ("script_grow", "Script_Grow", MEMORY),
    ("gateway_spin", "Gateway_Check", CPU),
])
def test_a_runaway_task_goes_to_error_with_an_incident_naming_element_and_limit(
        uow_factory, fixture, element, limit):
    deploy_fixture(uow_factory, f"{fixture}.bpmn")
    box = _start_in_thread(uow_factory, fixture)
    assert "error" not in box, box.get("error")
    instance = box["instance"]
    assert instance.status == "running"
    assert states(show(uow_factory, instance.id))[element] == {"ERROR"}
    [incident] = _incidents(uow_factory, instance.id)
    assert incident.element_id == element
    kind = "gateway" if element.startswith("Gateway") else "script task"
    assert incident.message.startswith(f"{kind} {element}") and limit in incident.message


@pytest.mark.committed_db
def test_the_unit_of_work_commits_and_a_second_write_right_after_succeeds(uow_factory):
    deploy_fixture(uow_factory, "script_spin.bpmn")
    box = _start_in_thread(uow_factory, "script_spin")
    assert "error" not in box, box.get("error")
    make_user(uow_factory, "after_the_spin")  # its own write transaction, straight away
    with uow_factory() as uow:
        assert uow.users.get("after_the_spin") is not None
        assert uow.instances.get(box["instance"].id).status == "running"
    assert [i.element_id for i in _incidents(uow_factory, box["instance"].id)] == ["Script_Spin"]


@pytest.mark.committed_db
def test_a_writer_that_arrives_while_a_script_spins_waits_at_most_the_limit(uow_factory):
    deploy_fixture(uow_factory, "script_spin.bpmn")
    spinning = threading.Thread(target=_start_in_thread, args=(uow_factory, "script_spin"))
    spinning.start()
    time.sleep(0.05)
    started = time.monotonic()
    make_user(uow_factory, "during_the_spin")  # SQLite: waits for the write lock
    waited = time.monotonic() - started
    spinning.join(timeout=60)
    assert not spinning.is_alive()
    assert waited < 30, f"the second writer waited {waited:.1f} s"
    with uow_factory() as uow:
        assert uow.users.get("during_the_spin") is not None


def test_a_spinning_script_after_a_timer_does_not_stop_the_worker(uow_factory):
    deploy_fixture(uow_factory, "timer_then_spin.bpmn", "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        spin = start(uow_factory, "timer_then_spin", NOW)
        other = start(uow_factory, "timer_duration", NOW)
    settings = Settings(job_lease_seconds=60)
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        outcomes = jobs.poll(uow_factory, settings, "w1", now=clock.now)
        assert sorted(o.result for o in outcomes) == ["fired", "fired"]
        assert jobs.poll(uow_factory, settings, "w1", now=clock.now) == []  # not claimed again
    with uow_factory() as uow:
        assert uow.instances.get(other.id).status == "completed"
        assert uow.instances.get(spin.id).status == "running"
        assert uow.jobs.for_instance(spin.id) == []
    [incident] = _incidents(uow_factory, spin.id)
    assert incident.element_id == "Script_Spin"
    assert f"script task Script_Spin {CPU}" in incident.message


def test_script_tasks_looping_through_a_gateway_end_stalled_not_in_an_error(uow_factory):
    deploy_fixture(uow_factory, "script_pingpong_gw.bpmn")
    box = _start_in_thread(uow_factory, "script_pingpong_gw")
    assert "error" not in box, box.get("error")
    instance = box["instance"]
    assert instance.status == "running"
    assert "1000-task iteration limit" in (instance.stall_reason or "")
    with uow_factory() as uow:
        stuck = service.find_stuck(uow, NOW, timedelta(minutes=5), SYSTEM_ACTOR)
    assert ("stalled", instance.id) in {(row.reason, row.instance_id) for row in stuck}


def test_script_tasks_looping_without_a_gateway_are_refused_at_deploy_not_a_500(
        uow_factory, tmp_path):
    # SpiffWorkflow recursed without bound predicting such a loop: a 500 at start.
    looped = tmp_path / "script_pingpong.bpmn"
    looped.write_bytes((FIXTURES / "script_pingpong_gw.bpmn").read_bytes().replace(
        b'sourceRef="Script_Pong" targetRef="Gateway_Again"',
        b'sourceRef="Script_Pong" targetRef="Script_Ping"'))
    with pytest.raises(ProcessDefinitionError) as refused:
        deploy_files(uow_factory, looped)
    text = str(refused.value)
    assert "Script_Ping -> Script_Pong -> Script_Ping" in text and "without a gateway" in text


def test_limits_are_settings_with_a_2_s_default() -> None:
    defaults = load_settings({})
    assert (defaults.script_time_limit, defaults.script_memory_limit_mb) == (2.0, 128)
    tuned = load_settings({"VOCFLOW_SCRIPT_TIME_LIMIT": "0.5",
                           "VOCFLOW_SCRIPT_MEMORY_LIMIT_MB": "32"})
    assert (tuned.script_time_limit, tuned.script_memory_limit_mb) == (0.5, 32)
    default = limits.Limits(2.0, 128 * MB)
    assert default.describe("cpu") == "the 2 s CPU-time limit"
    assert default.describe("memory") == "the 128 MB memory limit"
