"""Steps through the engine: fresh databases, an instance at history n, one timed step."""

from __future__ import annotations

import cProfile
import os
import time
from collections.abc import Callable
from typing import Any

from _step_cases import ACTOR, LOOP, NOW, Case, median_ms
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from engine import make_engine, make_sessionmaker, make_uow_factory, service, upgrade
from engine.models import TaskCandidate
from engine.service import SYSTEM_ACTOR
from engine.uow import UowFactory

PG_URL = os.environ.get("VOCFLOW_BENCH_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/vocflow_bench")


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


def _backend_pid(uow: Any) -> int | None:
    """The PostgreSQL server process of the unit of work's connection (None on SQLite)."""
    raw = uow.session.connection().connection.dbapi_connection
    info = getattr(raw, "info", None)
    return getattr(info, "backend_pid", None)


def _server_cpu(pid: int | None) -> float:
    """CPU seconds the server process has used (0 on SQLite: its work is in ours)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            return int(stat.read().split()[0]) / 1e9
    except OSError:
        return float("nan")  # server on another machine: CPU not measured


_PIDS: dict[int, int | None] = {}


def engine_sample(uow_factory: UowFactory, instance_id: str,
                  profile: cProfile.Profile | None = None,
                  cpu: list[float] | None = None) -> float:
    """One timed complete_task in its own committed unit of work (the lookup is not timed).

    With `cpu`, the CPU time of the step is appended to it: this process's and the database
    server process's (PostgreSQL on this machine). Unlike the wall time, it does not count
    the time spent waiting for a CPU that other work on the machine holds."""
    task_id = open_task(uow_factory, instance_id)
    pid = _PIDS.get(id(uow_factory))
    if profile is not None:
        profile.enable()
    cpu_before = time.process_time() + _server_cpu(pid)
    started = time.perf_counter()
    with uow_factory() as uow:
        service.complete_task(uow, task_id, {"done": False}, ACTOR, NOW)
        used = _backend_pid(uow)
    elapsed = time.perf_counter() - started
    cpu_after = time.process_time() + _server_cpu(used)
    if profile is not None:
        profile.disable()
    _PIDS[id(uow_factory)] = used
    if cpu is not None and used == pid:  # the same server process before and after
        cpu.append(cpu_after - cpu_before)
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
