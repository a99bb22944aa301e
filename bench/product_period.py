"""Bench row: key_task_project through a 5-year period; step cost at the end vs the start.

Run: python bench/product_period.py [--reps 40]

The product's diagrams are deployed on SQLite and one project (2026-2030) is driven through
the service layer as the scenario tests do: plan submitted, approved, recommended,
confirmed, then five annual assessments (the assessment opens on 1 November, the unit
reports, the province rates, the worker runs the jobs). Printed: each year's median user
step (complete_task in its committed unit of work, uploads not timed), and, sampled in
turn, the cold cost of what every step pays for the stored state (restore + snapshot +
serialize) when the first and when the fifth assessment opens, with the states' sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import bpmn, make_engine, make_sessionmaker, make_uow_factory, upgrade  # noqa: E402
from engine.bpmn.snapshot import snapshot  # noqa: E402
from engine.service.runtime import load_workflow  # noqa: E402
from tests.processes import scenario_helpers as sh  # noqa: E402

YEARS = range(2026, 2031)


def _timed(world: sh.World, pid: str, element: str, actor: Any, data: dict[str, Any],
           steps: list[float]) -> None:
    started = time.perf_counter()
    world.complete(pid, element, actor, data)
    steps.append(time.perf_counter() - started)


def drive(world: sh.World) -> tuple[str, dict[int, float], list[str]]:
    """The project through five years; median ms of each year's user steps; two states."""
    p = sh.people(world)
    with sh.travel(sh.START):
        pid = sh.to_annual_assessment(world, p, start=2026, end=2030)
    states, per_year = [], {}
    for year in YEARS:
        steps: list[float] = []
        with sh.travel(sh.utc(year, 11, 1, 0)):
            world.run_jobs()
            if year in (YEARS[0], YEARS[-1]):
                states.append(_state(world, pid))
        with sh.travel(sh.utc(year, 12, 10, 2)):
            report = {"year": year, "actuals": [{"indicator": "IND01", "actual_value": 10}],
                      "work_report": world.upload(p.unit, f"unit:{p.unit_id}",
                                                  f"{year}年度工作报告.pdf",
                                                  sh.PDF + str(year).encode())}
            _timed(world, pid, "Task_AnnualReport", p.unit, report, steps)
            suggested = world.task_data(pid, "Task_ProvincialAssessment")["suggested_rating"]
            _timed(world, pid, "Task_ProvincialAssessment", p.reviewer,
                   {"rating": suggested}, steps)
            world.run_jobs()
        per_year[year] = statistics.median(steps) * 1000
    return pid, per_year, states


def _state(world: sh.World, pid: str) -> str:
    with world.uow_factory() as uow:
        return str(uow.instances.get(pid).state_json)


def cold_costs(world: sh.World, pid: str, states: list[str], reps: int) -> list[float]:
    """Median ms of restore + snapshot + serialize for each state, sampled in turn."""
    with world.uow_factory() as uow:
        instance = uow.instances.get(pid)
        workflow = load_workflow(uow, instance)
    spec, subs = workflow.spec, workflow.subprocess_specs
    samples: list[list[float]] = [[] for _ in states]
    for _ in range(reps):
        for i, state in enumerate(states):
            started = time.perf_counter()
            restored = bpmn.load_state(state, spec, subs)
            snapshot(restored)
            bpmn.dump_state(restored)
            samples[i].append(time.perf_counter() - started)
    return [statistics.median(s) * 1000 for s in samples]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--reps", type=int, default=40)
    opts = args.parse_args()
    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="vocflow-period-"))
    engine = make_engine(f"sqlite:///{tmp}/period.db")
    upgrade(engine)
    world = sh.World(make_uow_factory(make_sessionmaker(engine)), sh.settings_for(tmp))
    with sh.travel(sh.START):
        world.deploy()
    pid, per_year, states = drive(world)
    assert world.status(pid) == "completed", world.status(pid)
    start_ms, end_ms = cold_costs(world, pid, states, opts.reps)
    print("\nkey_task_project, 2026-2030 (five annual assessments), SQLite, service layer")
    print("year  median user step ms")
    for year, ms in per_year.items():
        print(f"{year}  {ms:>8.2f}")
    last, first = per_year[YEARS[-1]], per_year[YEARS[0]]
    print(f"user step, year 5 / year 1: {last / first:.2f}x (one year's steps each: noisy)")
    print(f"stored state: {len(states[0])} bytes when the first assessment opens, "
          f"{len(states[1])} when the fifth opens")
    print(f"restore + snapshot + serialize: {start_ms:.2f} ms at the start, {end_ms:.2f} ms "
          f"at the end: {end_ms / start_ms:.2f}x (medians of {opts.reps}, sampled in turn)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"run time {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
