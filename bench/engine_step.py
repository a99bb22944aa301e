"""Benchmark one user-task step: raw SpiffWorkflow in memory vs complete_task through the engine.

Run: python bench/engine_step.py [--reps 30] [--profile]  (modules: _step_cases, _raw_spiff,
_engine_runs, _script_limits)

Raw = deserialize + complete the user task + do_engine_steps + serialize, with SpiffWorkflow's
own BpmnWorkflowSerializer (Camunda config) and a plain CamundaParser spec: the same diagram
(its `${done}` condition unwrapped to Python) and the same data. Its JSON holds the spec, as
SpiffWorkflow's serializer writes it; the engine keeps the spec once per definition. Engine =
one unit of work around service.complete_task (lock, load, complete, advance, projections,
history, versioned UPDATE), with a real commit, on SQLite and on PostgreSQL; the run checks
that every measured step's event was committed. Raw and engine samples alternate, so both
see the same machine load. History n = the looping user task was completed n times before
the measured step; after each measured step the instance is put back to that state (not
timed), so every sample sees n (and restores the row: a cold step, not a cache hit).
Histories 0 / 10 / 100 / 300 are sampled in turn, each step's ratio to raw and to the
same database's N=0 step printed, with the run time and the machine's load. Beside the wall
time, each sample's CPU time (this process, plus the PostgreSQL server process of its
connection, read from /proc/<pid>/schedstat): on a loaded machine the wall time of a step
that waits on the database counts every wait for a CPU, the CPU time does not (though a
busy machine slows the CPU too). Last, Python function calls per N=0 step, engine and raw
(cProfile's count): a proxy for the interpreter's work that the load does not move.

Script limits: the same loop with a script task after the user task (loop_review_script.bpmn)
is measured with the sandbox's CPU-time and memory limits on (as shipped) and off (scripts
compiled by plain RestrictedPython and run with no meter, as before the limits), in the same
run, and one script task alone through the script environment, both ways.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _engine_runs import (  # noqa: E402
    PG_URL,
    bench_engine,
    committed_completions,
    engine_sample,
    engine_setup,
    fresh_factory,
    pg_available,
)
from _raw_spiff import raw_setup, raw_step  # noqa: E402
from _script_limits import bench_limits, print_limits  # noqa: E402
from _step_cases import LOOP, NOW, median_ms  # noqa: E402

from engine import bpmn, service  # noqa: E402
from engine.service import SYSTEM_ACTOR  # noqa: E402
from engine.uow import UowFactory  # noqa: E402

HISTORIES = (0, 10, 100, 300)
RAW_TARGETS = {"sqlite": 2.0, "postgresql": 2.5}


def bench_interleaved(histories: tuple[int, ...], reps: int, factories: dict[str, UowFactory]
                      ) -> tuple[dict[tuple[int, str], float], dict[tuple[int, str], float]]:
    """Median ms of raw and of each database at each history, sampled in turn (same load):
    wall time, and CPU time (ours plus the PostgreSQL server process's)."""
    raws = {n: raw_setup(LOOP, n) for n in histories}
    setups = {(n, name): engine_setup(factory, n)
              for n in histories for name, factory in factories.items()}
    keys = [(n, name) for n in histories for name in ("raw", *factories)]
    samples: dict[tuple[int, str], list[float]] = {key: [] for key in keys}
    cpu: dict[tuple[int, str], list[float]] = {key: [] for key in keys}
    for _ in range(reps):
        for n in histories:
            serializer, state = raws[n]
            started, cpu_started = time.perf_counter(), time.process_time()
            raw_step(serializer, state)
            samples[(n, "raw")].append(time.perf_counter() - started)
            cpu[(n, "raw")].append(time.process_time() - cpu_started)
            for name, factory in factories.items():
                instance_id, restore = setups[(n, name)]
                samples[(n, name)].append(engine_sample(factory, instance_id,
                                                        cpu=cpu[(n, name)]))
                restore()
    for (n, name), (instance_id, _) in setups.items():
        done = committed_completions(factories[name], instance_id)
        if done != n + reps:
            raise SystemExit(f"{name}: {done} committed completions, expected {n + reps}")
    return ({key: median_ms(values) for key, values in samples.items()},
            {key: median_ms(values) if values else float("nan") for key, values in cpu.items()})


def report(medians: dict[tuple[int, str], float], cpu: dict[tuple[int, str], float],
           names: list[str]) -> None:
    """The table, each step's ratio to raw and to its own N=0 step, and the targets."""
    print(f"\n{'history':>7}  {'database':<10} {'raw ms':>8} {'engine ms':>10} "
          f"{'/raw':>6} {'/N=0':>6} {'raw cpu':>8} {'cpu ms':>7} {'/raw':>6}")
    for n in HISTORIES:
        for name in names:
            raw, ms = medians[(n, "raw")], medians[(n, name)]
            raw_cpu, ms_cpu = cpu[(n, "raw")], cpu[(n, name)]
            print(f"{n:>7}  {name:<10} {raw:>8.2f} {ms:>10.2f} {ms / raw:>5.2f}x "
                  f"{ms / medians[(0, name)]:>5.2f}x {raw_cpu:>8.2f} {ms_cpu:>7.2f} "
                  f"{ms_cpu / raw_cpu:>5.2f}x")
    print("medians; raw and engine samples taken in turn, all histories interleaved; every "
          "engine step's commit checked (its task_completed event is in the database); cpu = "
          "CPU time of this process plus the PostgreSQL server process (less load-sensitive "
          "than wall time, not load-free: CPUs shared by busy neighbours run slower)")
    last = HISTORIES[-1]
    for name in names:
        flat = medians[(last, name)] / medians[(0, name)]
        raw0 = medians[(0, name)] / medians[(0, "raw")]
        raw0_cpu = cpu[(0, name)] / cpu[(0, "raw")]
        limit = RAW_TARGETS.get(name, 2.5)
        print(f"target {name}: N={last} within 1.5x of N=0: {flat:.2f}x "
              f"{'OK' if flat <= 1.5 else 'MISSED'}; N=0 <= {limit}x raw: {raw0:.2f}x wall "
              f"{'OK' if raw0 <= limit else 'MISSED'}, {raw0_cpu:.2f}x cpu "
              f"{'OK' if raw0_cpu <= limit else 'MISSED'}")


def python_calls(factories: dict[str, UowFactory], reps: int) -> None:
    """Python function calls per N=0 step and per raw step (cProfile's count): a proxy for
    the interpreter's work that the machine's load does not move."""
    serializer, state = raw_setup(LOOP, 0)
    raw = cProfile.Profile()
    for _ in range(reps):
        raw.enable()
        raw_step(serializer, state)
        raw.disable()
    raw_calls = pstats.Stats(raw).total_calls / reps
    counts = [f"raw {raw_calls:.0f}"]
    for name, factory in factories.items():
        instance_id, restore = engine_setup(factory, 0)
        engine_sample(factory, instance_id)  # warm: the spec cache, prepared statements
        restore()
        profile = cProfile.Profile()
        for _ in range(reps):
            engine_sample(factory, instance_id, profile)
            restore()
        calls = pstats.Stats(profile).total_calls / reps
        counts.append(f"{name} {calls:.0f} ({calls / raw_calls:.2f}x raw)")
    print("python calls per N=0 step: " + ", ".join(counts))


def bench_warm(factories: dict[str, UowFactory], reps: int) -> None:
    """Successive steps on one instance (no restore between): the workflow cache's case."""
    setups = {name: engine_setup(factory, 0)[0] for name, factory in factories.items()}
    samples: dict[str, list[float]] = {name: [] for name in factories}
    hits = bpmn.WORKFLOWS.hits
    for _ in range(reps):
        for name, factory in factories.items():
            samples[name].append(engine_sample(factory, setups[name]))
    hit = bpmn.WORKFLOWS.hits - hits
    for name, values in samples.items():
        print(f"successive steps, {name}: {median_ms(values):.2f} ms "
              f"(history 0 to {reps}, no restore between)")
    print(f"workflow cache: {hit} of {reps * len(factories)} steps skipped the restore")


# --- deploy time ----------------------------------------------------------------------------

def bench_deploy(uow_factory: UowFactory) -> tuple[int, float]:
    """Deploy processes/key_task_project.bpmn (53 elements) after the processes it calls."""
    processes = ROOT / "processes"
    target = processes / "key_task_project.bpmn"
    others = {p.name: p.read_bytes() for p in [*processes.glob("*.bpmn"),
                                                *processes.glob("*.dmn")] if p != target}
    with uow_factory() as uow:
        service.deploy(uow, others, SYSTEM_ACTOR, NOW, name="dependencies")
    root = etree.fromstring(target.read_bytes())
    bpmn_ns = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    count = sum(1 for p in root.iter(f"{bpmn_ns}process") for e in p.iter()
                if isinstance(e.tag, str) and e.get("id") and e is not p)
    started = time.perf_counter()
    with uow_factory() as uow:
        service.deploy(uow, {target.name: target.read_bytes()}, SYSTEM_ACTOR, NOW)
    return count, time.perf_counter() - started


# --- main -----------------------------------------------------------------------------------

def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--reps", type=int, default=30, help="samples at each history")
    args.add_argument("--profile", action="store_true", help="cProfile the SQLite engine path")
    opts = args.parse_args()
    began = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="vocflow-bench-")
    databases = {"sqlite": f"sqlite:///{tmp}/bench.db"}
    if pg_available():
        databases["postgresql"] = PG_URL
    factories = {name: fresh_factory(url) for name, url in databases.items()}
    report(*bench_interleaved(HISTORIES, opts.reps, factories), list(factories))
    bench_warm(factories, opts.reps)
    python_calls(factories, min(opts.reps, 20))
    print_limits(bench_limits(opts.reps, factories["sqlite"]))
    print(f"load while measuring: {os.getloadavg()[0]:.1f} (1-minute load average, "
          f"{os.cpu_count()} CPUs)")
    count, seconds = bench_deploy(fresh_factory(f"sqlite:///{tmp}/deploy.db"))
    print(f"deploy key_task_project.bpmn ({count} elements): {seconds * 1000:.0f} ms "
          f"({'OK' if seconds < 1 else 'MISSED'}: < 1 s)")
    if opts.profile:
        profile = cProfile.Profile()
        bench_engine(fresh_factory(f"sqlite:///{tmp}/profile.db"), 0, opts.reps, profile)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    print(f"run time: {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
