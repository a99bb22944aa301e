"""Benchmark the job worker: RSS with 10,000 waiting timers, idle poll cost, timers fired/s.

Plain script: `python bench/worker.py [--pg URL] [--skip-pg] [--burst N]`. Prints one table
and its own run time. The 10,000 waiting instances are made fast by cloning one started
instance's rows (state JSON and its timer job) with two executemany inserts, not by 10,000
service calls; the output says so. fired/s: BURST clones of an instance whose timer is
already due are inserted at once while the workers run, and timed until no timer is due
(default 300, which keeps the run near 20 s; `--burst 1000` gives the issue's 1,000).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import bpmn, clock, jobs, make_engine, make_sessionmaker, make_uow_factory, service  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.models import Job, ProcessInstance  # noqa: E402
from engine.schema import upgrade  # noqa: E402
from engine.service.runtime import load_workflow  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "timer_date.bpmn"
WAITING, BURST = 10_000, 300  # `--burst 1000` for the 1,000 due at once
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/vocflow_bench"


def fresh_db(url: str):  # type: ignore[no-untyped-def]
    if url.startswith("postgresql"):
        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
    engine = make_engine(url)
    upgrade(engine)
    return engine


def template(factory, fire_at: str) -> str:  # type: ignore[no-untyped-def]
    """Start one instance of timer_date that waits for `fire_at`."""
    with factory() as uow:
        return service.start_instance(uow, "timer_date", service.SYSTEM_ACTOR, clock.now(),
                                      variables={"fire_at": fire_at}).id


def snapshot(factory, template_id: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """The columns of one waiting instance and of its timer job."""
    with factory() as uow:
        inst = uow.instances.get(template_id)
        [job] = uow.jobs.for_instance(template_id)
        base = {c.key: getattr(inst, c.key) for c in ProcessInstance.__table__.columns}
        jbase = {c.key: getattr(job, c.key) for c in Job.__table__.columns}
    return base, jbase


def clone(factory, snap: tuple[dict, dict], count: int) -> None:  # type: ignore[no-untyped-def]
    """Insert `count` copies of a waiting instance and its timer job in one transaction."""
    base, jbase = snap
    rows, jrows = [], []
    for _ in range(count):
        new_id = str(uuid.uuid4())
        rows.append({**base, "id": new_id, "version": 1})
        jrows.append({**jbase, "id": str(uuid.uuid4()), "instance_id": new_id})
    with factory() as uow:  # Core executemany: no ORM unit of work for 10,000 rows
        uow.session.execute(insert(ProcessInstance.__table__), rows)
        uow.session.execute(insert(Job.__table__), jrows)


def spawn(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, VOCFLOW_DATABASE_URL=url, VOCFLOW_POLL_INTERVAL="0.05",
               PYTHONPATH=str(ROOT))
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=ROOT,  # noqa: S603
                                env=env, stdout=out, stderr=subprocess.STDOUT)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def due_timers(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "timer", Job.due_at <= clock.now())) or 0)


def wait_ready(log: Path, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and log.read_text(errors="replace").count("polling every") >= count:
            return
        time.sleep(0.05)
    raise SystemExit(f"workers did not start; see {log}")


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        w.wait(timeout=60)


def due_soon(factory) -> tuple[str, tuple[dict, dict]]:  # type: ignore[no-untyped-def]
    """A template instance whose timer is due 0.3 s from now, and its rows (once it is due)."""
    due = clock.now() + timedelta(seconds=0.3)
    template_id = template(factory, due.isoformat())
    snap = snapshot(factory, template_id)
    time.sleep(max((due - clock.now()).total_seconds(), 0) + 0.02)  # its clones are due
    return template_id, snap


def burst(engine, factory, count: int) -> float:  # type: ignore[no-untyped-def]
    """Timers fired per second by the running worker processes when `count` fall due at once."""
    _, snap = due_soon(factory)
    while due_timers(engine) > 0:  # the workers fire the template itself first
        time.sleep(0.01)
    clone(factory, snap, count)
    began = time.perf_counter()
    while due_timers(engine) > 0:
        time.sleep(0.01)
    return count / (time.perf_counter() - began)


def idle_poll_ms(factory) -> float:  # type: ignore[no-untyped-def]
    settings = Settings()
    samples = []
    for _ in range(100):
        began = time.perf_counter()
        jobs.poll(factory, settings, "bench")
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def raw_spiff_fire_ms(factory, snap: tuple[dict, dict]) -> float:  # type: ignore[no-untyped-def]
    """Deserialize + refresh_timers + do_engine_steps + serialize, in memory, per timer.

    `snap` holds the rows of an instance whose timer is due (the burst's template).
    """
    state = snap[0]["state_json"]
    with factory() as uow:
        workflow = load_workflow(uow, uow.instances.get(snap[0]["id"]))
        spec, subs = workflow.spec, workflow.subprocess_specs
    began = time.perf_counter()
    for _ in range(200):
        wf = bpmn.load_state(state, spec, subs)
        bpmn.refresh_timers(wf)
        bpmn.advance(wf)
        bpmn.dump_state(wf)
    return (time.perf_counter() - began) / 200 * 1000


def run(name: str, url: str, tmp: Path, count: int) -> dict[str, object]:
    began = time.perf_counter()
    engine = fresh_db(url)
    factory = make_uow_factory(make_sessionmaker(engine))
    with factory() as uow:
        service.deploy(uow, {FIXTURE.name: FIXTURE.read_bytes()}, service.SYSTEM_ACTOR,
                       clock.now())
    far = template(factory, "2099-01-01T00:00:00+08:00")
    clone(factory, snapshot(factory, far), WAITING - 1)
    log = tmp / f"worker-{name}.log"
    workers = [spawn(url, log)]
    wait_ready(log, 1)
    time.sleep(0.5)  # about ten empty polls
    rss = rss_mb(workers[0].pid)
    poll = idle_poll_ms(factory)
    one = burst(engine, factory, count)
    workers.append(spawn(url, log))
    wait_ready(log, 2)
    two = burst(engine, factory, count)
    stop(workers)
    _, snap = due_soon(factory)
    raw = raw_spiff_fire_ms(factory, snap)
    engine.dispose()
    return {"db": name, "rss": rss, "poll": poll, "one": one, "two": two, "raw": raw,
            "seconds": time.perf_counter() - began}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("VOCFLOW_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--burst", type=int, default=BURST, help="timers due at once")
    args = parser.parse_args()
    began = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        results.append(run("sqlite", f"sqlite:///{tmp / 'bench.db'}", tmp, args.burst))
        if not args.skip_pg:
            results.append(run("postgresql", args.pg, tmp, args.burst))
    print(f"{WAITING:,} waiting instances made by cloning one started instance's rows "
          "(executemany insert), not by service calls; RSS read with all of them waiting.")
    print(f"fired/s: {args.burst:,} timers due at once, fired by worker processes "
          "(1w = one, 2w = two), timed until none is due.")
    print(f"{'db':<11}{'worker RSS MB':>14}{'idle poll ms':>13}{'fired/s 1w':>12}"
          f"{'fired/s 2w':>12}{'raw spiff ms':>13}{'engine/raw 1w':>14}{'run s':>7}")
    for r in results:
        ratio = (1000 / float(r["one"])) / float(r["raw"])  # type: ignore[arg-type]
        print(f"{r['db']:<11}{r['rss']:>14.1f}{r['poll']:>13.2f}{r['one']:>12.0f}"
              f"{r['two']:>12.0f}{r['raw']:>13.2f}{ratio:>13.1f}x{r['seconds']:>7.1f}")
    print("targets: RSS < 200 MB, idle poll < 5 ms. raw spiff = deserialize + "
          "refresh_timers + do_engine_steps + serialize of the same instance, in memory.")
    print(f"bench run time: {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
