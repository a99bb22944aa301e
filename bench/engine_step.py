"""Benchmark one user-task step: raw SpiffWorkflow in memory vs complete_task through the engine.

Run: python bench/engine_step.py [--reps 200] [--profile]

Raw = deserialize + complete the user task + do_engine_steps + serialize, with SpiffWorkflow's
own BpmnWorkflowSerializer (Camunda config) and a plain CamundaParser spec: the same diagram
(its `${done}` condition unwrapped to Python) and the same data. Its JSON holds the spec, as
SpiffWorkflow's serializer writes it; the engine keeps the spec once per definition. Engine =
one unit of work around service.complete_task (lock, load, complete, advance, projections,
history, versioned UPDATE), with a real commit, on SQLite and on PostgreSQL; the run checks
that every measured step's event was committed. Raw and engine samples alternate, so both
see the same machine load. History n = the looping user task was completed n times before
the measured step; after each measured step the instance is put back to that state (not
timed), so every sample sees n.

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
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from RestrictedPython.compile import compile_restricted  # noqa: E402
from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.camunda.parser import CamundaParser  # noqa: E402
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine import (  # noqa: E402
    expressions,
    make_engine,
    make_sessionmaker,
    make_uow_factory,
    service,
    upgrade,
)
from engine.bpmn import codec, scripting  # noqa: E402
from engine.models import TaskCandidate  # noqa: E402
from engine.service import SYSTEM_ACTOR, Actor  # noqa: E402
from engine.uow import UowFactory  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
PG_URL = os.environ.get("VOCFLOW_BENCH_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/vocflow_bench")
ACTOR = Actor("bench", frozenset({"staff"}))
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
HISTORIES = (0, 100)


@dataclass(frozen=True)
class Case:
    """One diagram to step through: file, process key and start variables."""

    file: str
    key: str
    variables: dict[str, Any] = field(default_factory=lambda: {"done": False})

    @property
    def path(self) -> Path:
        return FIXTURES / self.file


LOOP = Case("loop_review.bpmn", "loop_review")
SCRIPTED = Case("loop_review_script.bpmn", "loop_review_script", {"done": False, "rounds": 0})
SCRIPT = "rounds = rounds + 1\nscore = sum(i * 2 for i in range(10))\nlabel = 'r' + str(rounds)"


class UnlimitedEnvironment(scripting.SafeEnvironment):
    """The sandbox without its limits: no AST ticks or guards in scripts, no meter."""

    def execute(self, script: str, context: MutableMapping[str, Any],
                external_context: Any = None) -> bool:
        code = _plain_compile(script)
        scope: dict[str, Any] = {**self.globals, **(external_context or {}), **context}
        scope.update(scripting._RESERVED)
        exec(code, scope)  # noqa: S102 - bench only: the diagram is ours
        scripting._store(scope, context, self.globals)
        return True

    def evaluate(self, expression: str, context: Any, external_context: Any = None) -> Any:
        mode = "text" if "${" in expression else "expression"
        code = expressions.compile_expression(expression, mode)
        return eval(code, expressions.eval_scope(external_context or {}, context))  # noqa: S307


_PLAIN: dict[str, Any] = {}


def _plain_compile(script: str) -> Any:
    if script not in _PLAIN:
        _PLAIN[script] = compile_restricted(script, scripting.SCRIPT_FILENAME, "exec")
    return _PLAIN[script]


@contextmanager
def limits_off() -> Iterator[None]:
    engine = codec._SCRIPT_ENGINE
    before = engine.environment
    engine.environment = UnlimitedEnvironment()
    try:
        yield
    finally:
        engine.environment = before


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# --- raw SpiffWorkflow ------------------------------------------------------------------

def raw_setup(case: Case, history: int) -> tuple[BpmnWorkflowSerializer, str]:
    parser = CamundaParser()
    # Raw SpiffWorkflow evaluates conditions as Python: the same diagram, condition unwrapped.
    from lxml import etree
    xml = case.path.read_bytes().replace(b"${done}", b"done")
    parser.add_bpmn_xml(etree.fromstring(xml), filename=case.file)
    workflow = BpmnWorkflow(parser.get_spec(case.key))
    workflow.get_tasks(state=TaskState.READY)[0].data.update(case.variables)
    workflow.do_engine_steps()
    for _ in range(history):
        raw_complete(workflow)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
    return serializer, serializer.serialize_json(workflow)


def raw_complete(workflow: BpmnWorkflow) -> None:
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.data.update({"done": False})
    task.run()
    workflow.do_engine_steps()


def raw_step(serializer: BpmnWorkflowSerializer, state: str, script_engine: Any = None) -> str:
    workflow = serializer.deserialize_json(state)
    if script_engine is not None:
        workflow.script_engine = script_engine
    raw_complete(workflow)
    return str(serializer.serialize_json(workflow))


def bench_raw(history: int, reps: int) -> float:
    serializer, state = raw_setup(LOOP, history)
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        raw_step(serializer, state)
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


# --- through the engine -------------------------------------------------------------------

def pg_available() -> bool:
    url = make_url(PG_URL)
    try:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": url.database}).scalar()
            if not found:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"PostgreSQL not available ({exc.__class__.__name__}); skipped")
        return False
    return True


def fresh_factory(url: str) -> UowFactory:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return make_uow_factory(make_sessionmaker(engine))


def engine_setup(uow_factory: UowFactory, history: int,
                 case: Case = LOOP) -> tuple[str, Callable[[], str]]:
    """Start an instance, run it to `history` rounds; return a restore-to-snapshot function."""
    with uow_factory() as uow:
        service.deploy(uow, {case.file: case.path.read_bytes()}, SYSTEM_ACTOR, NOW)
        if uow.users.get("bench") is None:
            service.add_user(uow, "bench", NOW)
            service.add_member(uow, "bench", "staff")
    with uow_factory() as uow:
        instance_id = service.start_instance(uow, case.key, ACTOR, NOW,
                                             variables=dict(case.variables)).id
    for _ in range(history):
        engine_step(uow_factory, instance_id)
    with uow_factory() as uow:
        saved = _columns(uow.instances.get(instance_id), exclude="version")
        rows = [_copy(t) for t in uow.tasks.for_instance(instance_id)]
        candidates = [_copy(c) for c in uow.session.scalars(
            select(TaskCandidate).where(TaskCandidate.task_id.in_([r.id for r in rows])))]

    def restore() -> str:
        with uow_factory() as uow:
            instance = uow.instances.get_for_update(instance_id)
            for name, value in saved.items():  # state and projection hints, not the version
                setattr(instance, name, value)
            for task in uow.tasks.for_instance(instance_id):
                uow.tasks.delete(task)
            uow.flush()
            uow.session.add_all([_copy(r) for r in rows] + [_copy(c) for c in candidates])
        return instance_id

    return instance_id, restore


def _columns(row: Any, exclude: str = "") -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in type(row).__table__.columns if c.key != exclude}


def _copy(row: Any) -> Any:
    return type(row)(**_columns(row))


def engine_step(uow_factory: UowFactory, instance_id: str) -> None:
    with uow_factory() as uow:
        [task] = uow.tasks.for_instance(instance_id)
        task_id = task.id
    with uow_factory() as uow:
        service.complete_task(uow, task_id, {"done": False}, ACTOR, NOW)


def open_task(uow_factory: UowFactory, instance_id: str) -> str:
    with uow_factory() as uow:
        return str(uow.tasks.for_instance(instance_id)[0].id)


def engine_sample(uow_factory: UowFactory, instance_id: str,
                  profile: cProfile.Profile | None = None) -> float:
    """One timed complete_task in its own committed unit of work (the lookup is not timed)."""
    task_id = open_task(uow_factory, instance_id)
    if profile is not None:
        profile.enable()
    started = time.perf_counter()
    with uow_factory() as uow:
        service.complete_task(uow, task_id, {"done": False}, ACTOR, NOW)
    elapsed = time.perf_counter() - started
    if profile is not None:
        profile.disable()
    return elapsed


def bench_engine(uow_factory: UowFactory, history: int, reps: int,
                 profile: cProfile.Profile | None = None) -> float:
    instance_id, restore = engine_setup(uow_factory, history)
    samples = []
    for _ in range(reps):
        samples.append(engine_sample(uow_factory, instance_id, profile))
        restore()
    return median_ms(samples)


def committed_completions(uow_factory: UowFactory, instance_id: str) -> int:
    """task_completed events in the database: each measured step really committed."""
    with uow_factory() as uow:
        return sum(1 for e in uow.history.for_instance(instance_id)
                   if e.action == "task_completed")


def bench_interleaved(history: int, reps: int,
                      factories: dict[str, UowFactory]) -> dict[str, float]:
    """Median ms of raw and of each database, sampled in turn so that all see the same load."""
    serializer, state = raw_setup(LOOP, history)
    setups = {name: engine_setup(factory, history) for name, factory in factories.items()}
    samples: dict[str, list[float]] = {"raw": [], **{name: [] for name in factories}}
    for _ in range(reps):
        started = time.perf_counter()
        raw_step(serializer, state)
        samples["raw"].append(time.perf_counter() - started)
        for name, factory in factories.items():
            instance_id, restore = setups[name]
            samples[name].append(engine_sample(factory, instance_id))
            restore()
    for name, factory in factories.items():
        done = committed_completions(factory, setups[name][0])
        if done != history + reps:
            raise SystemExit(f"{name}: {done} committed completions, expected {history + reps}")
    return {name: median_ms(values) for name, values in samples.items()}


# --- what the script limits cost --------------------------------------------------------------

def bench_limits(reps: int, factory: UowFactory) -> dict[str, float]:
    """Median ms: the scripted loop raw, through the engine with limits on and off, in turn;
    and one script task alone through the environment, limits on and off."""
    serializer, state = raw_setup(SCRIPTED, 0)
    instance_id, restore = engine_setup(factory, 0, SCRIPTED)
    samples: dict[str, list[float]] = {"raw": [], "on": [], "off": []}
    for _ in range(reps):
        started = time.perf_counter()
        raw_step(serializer, state)
        samples["raw"].append(time.perf_counter() - started)
        samples["on"].append(engine_sample(factory, instance_id))
        restore()
        with limits_off():
            samples["off"].append(engine_sample(factory, instance_id))
        restore()
    limited, unlimited = scripting.SafeEnvironment(), UnlimitedEnvironment()
    engines = {"memory_on": scripting.SandboxScriptEngine(environment=limited),
               "memory_off": scripting.SandboxScriptEngine(environment=unlimited)}
    alone: dict[str, list[float]] = {"script_on": [], "script_off": [], **{k: [] for k in engines}}
    for _ in range(reps * 10):
        for name, environment in (("script_on", limited), ("script_off", unlimited)):
            context = {"rounds": 1}
            started = time.perf_counter()
            environment.execute(SCRIPT, context, {})
            alone[name].append(time.perf_counter() - started)
        for name, engine in engines.items():  # no database: the step's own CPU
            started = time.perf_counter()
            raw_step(serializer, state, engine)
            alone[name].append(time.perf_counter() - started)
    return {name: median_ms(values) for name, values in {**samples, **alone}.items()}


def print_limits(medians: dict[str, float]) -> None:
    raw, on, off = medians["raw"], medians["on"], medians["off"]
    print(f"\nscript limits (SQLite, {SCRIPTED.file}: user task + script task + gateway)")
    print(f"{'limits':<8} {'raw ms':>8} {'engine ms':>10} {'ratio':>6}")
    for name, value in (("off", off), ("on", on)):
        print(f"{name:<8} {raw:>8.2f} {value:>10.2f} {value / raw:>5.2f}x")
    print(f"cost of the limits per step: {on - off:+.3f} ms ({on / off:.3f}x)")
    m_on, m_off = medians["memory_on"], medians["memory_off"]
    print(f"same step in memory (no database), the engine's script engine: {m_off:.3f} ms "
          f"without limits, {m_on:.3f} ms with ({m_on - m_off:+.3f} ms, {m_on / m_off:.3f}x)")
    s_on, s_off = medians["script_on"], medians["script_off"]
    print(f"one script task alone: {s_off * 1000:.1f} us without limits, {s_on * 1000:.1f} us "
          f"with ({s_on - s_off:+.3f} ms, {s_on / s_off:.2f}x)")
    print(f"target: SQLite scripted step with limits <= 2.5x raw: "
          f"{'OK' if on / raw <= 2.5 else 'MISSED'}")


# --- deploy time ----------------------------------------------------------------------------

def bench_deploy(uow_factory: UowFactory) -> tuple[int, float]:
    """Deploy processes/key_task_project.bpmn (53 elements) after the processes it calls."""
    processes = ROOT / "processes"
    target = processes / "key_task_project.bpmn"
    others = {p.name: p.read_bytes() for p in [*processes.glob("*.bpmn"),
                                                *processes.glob("*.dmn")] if p != target}
    with uow_factory() as uow:
        service.deploy(uow, others, SYSTEM_ACTOR, NOW, name="dependencies")
    from lxml import etree
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
    args.add_argument("--reps", type=int, default=200, help="samples at history 0")
    args.add_argument("--profile", action="store_true", help="cProfile the SQLite engine path")
    opts = args.parse_args()
    reps = {0: opts.reps, 100: max(opts.reps // 2, 20)}
    tmp = tempfile.mkdtemp(prefix="vocflow-bench-")
    databases = {"sqlite": f"sqlite:///{tmp}/bench.db"}
    if pg_available():
        databases["postgresql"] = PG_URL
    factories = {name: fresh_factory(url) for name, url in databases.items()}
    rows = []
    for history in HISTORIES:
        medians = bench_interleaved(history, reps[history], factories)
        rows += [(history, name, medians["raw"], medians[name]) for name in factories]
    print(f"\n{'history':>7}  {'database':<10} {'raw ms':>8} {'engine ms':>10} {'ratio':>6}")
    for history, name, raw, engine_ms in rows:
        print(f"{history:>7}  {name:<10} {raw:>8.2f} {engine_ms:>10.2f} "
              f"{engine_ms / raw:>5.2f}x")
    print("medians; raw and engine samples taken in turn; every engine step's commit checked "
          "(its task_completed event is in the database)")
    sqlite0 = next(r for r in rows if r[0] == 0 and r[1] == "sqlite")
    verdict = "OK" if sqlite0[3] / sqlite0[2] <= 2.5 else "MISSED"
    print(f"target: SQLite at history 0 <= 2.5x raw: {verdict}")
    print_limits(bench_limits(reps[0], factories["sqlite"]))
    count, seconds = bench_deploy(fresh_factory(f"sqlite:///{tmp}/deploy.db"))
    print(f"deploy key_task_project.bpmn ({count} elements): {seconds * 1000:.0f} ms "
          f"({'OK' if seconds < 1 else 'MISSED'}: < 1 s)")
    if opts.profile:
        profile = cProfile.Profile()
        bench_engine(fresh_factory(f"sqlite:///{tmp}/profile.db"), 0, reps[0], profile)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
