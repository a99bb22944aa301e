"""Scenario 6: annual_cycle opens exactly the provincial summaries that should exist, once."""

from __future__ import annotations

import threading

import pytest

from engine import handlers, jobs
from engine.handlers.summaries import active_pairs
from tests.processes.scenario_helpers import (
    REVIEW,
    START,
    World,
    people,
    plan_data,
    start_project,
    to_annual_assessment,
    travel,
    utc,
)

CYCLE_DUE = utc(2026, 12, 15, 16, 0, 30)  # 16 December 00:00:30 Asia/Shanghai
EXPECTED = {"summary:11:KT01:2026", "summary:44:KT02:2026"}


def _projects(world: World) -> None:
    """Two active pairs (11×KT01 twice, 44×KT02) and three projects that must not count."""
    to_annual_assessment(world, people(world, "U1", "11", "KT01"))
    to_annual_assessment(world, people(world, "U2", "11", "KT01"), end=2027)
    to_annual_assessment(world, people(world, "U3", "44", "KT02"), key_task="KT02")
    to_annual_assessment(world, people(world, "U5", "44", "KT03"), key_task="KT03",
                         start=2027, end=2028)
    in_review = people(world, "U4", "51", "KT01")
    pid = start_project(world, in_review)
    world.complete(pid, "Task_SubmitPlan", in_review.unit,
                   plan_data(world, in_review.unit, "U4"))
    rejected = people(world, "U6", "51", "KT04")
    pid = start_project(world, rejected)
    world.complete(pid, "Task_SubmitPlan", rejected.unit,
                   plan_data(world, rejected.unit, "U6", key_task="KT04"))
    world.complete(pid, "Task_ReviewPlan", rejected.reviewer, REVIEW["reject"])
    world.run_jobs()


def _summaries(world: World) -> list[str]:
    with world.uow_factory() as uow:
        rows = uow.instances.list(process_key="provincial_summary")
        return sorted(r.business_key for r in rows)


@pytest.fixture
def world(world):
    """The scenario world plus the projects whose summaries the cycle must open."""
    with travel(START):
        _projects(world)
    return world


def test_6_cycle_opens_each_summary_once_across_workers_and_reruns(world):
    with travel(utc(2026, 12, 15, 15, 59)):
        world.run_jobs()
        assert _summaries(world) == []
    with travel(CYCLE_DUE):
        world.run_jobs("worker-a")
        world.run_jobs("worker-b")
        assert _summaries(world) == sorted(EXPECTED)
        with world.uow_factory() as uow:
            assert handlers.open_summaries(uow, 2026, CYCLE_DUE) == []
            assert active_pairs(uow, 2026) == [("11", "KT01"), ("44", "KT02")]
            [cycle] = uow.instances.list(process_key="annual_cycle")
            summaries = uow.instances.list(process_key="provincial_summary")
        assert {s.province_code for s in summaries} == {"11", "44"}
        reviewer = world.actor("reviewer-44")
        [task] = [t for s in summaries if s.province_code == "44"
                  for t in world.tasks(s.id)]
        assert task.element_id == "Task_WriteSummary"
        assert task.candidate_groups == ["province:44:reviewer"]
        assert reviewer.in_group(*task.candidate_groups)
    assert world.variables(cycle.id)["summaries_opened"] == 2
    assert world.status(cycle.id) == "completed"


def test_6_next_year_opens_only_projects_still_running(world):
    with travel(CYCLE_DUE):
        world.run_jobs()
    with travel(utc(2027, 12, 15, 16, 1)):
        world.run_jobs()
        with world.uow_factory() as uow:
            assert active_pairs(uow, 2027) == [("11", "KT01"), ("44", "KT03")]
    assert _summaries(world) == sorted(EXPECTED | {"summary:11:KT01:2027",
                                                   "summary:44:KT03:2027"})


@pytest.mark.committed_db
def test_6_two_concurrent_workers_and_handlers_never_double(world):
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker(owner: str) -> None:
        try:
            barrier.wait()
            jobs.run_until_idle(world.uow_factory, world.settings, owner)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    def direct() -> None:
        try:
            barrier.wait()
            with world.uow_factory() as uow:
                handlers.open_summaries(uow, 2026, CYCLE_DUE)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    with travel(CYCLE_DUE):
        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
        threads += [threading.Thread(target=direct) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        world.run_jobs()
    assert errors == []
    assert _summaries(world) == sorted(EXPECTED)
