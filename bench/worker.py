"""Benchmark the job worker: RSS with 10,000 waiting timers, idle poll cost, timers fired/s.

Plain script: `python bench/worker.py [--pg URL] [--skip-pg]`. Prints one table. The 10,000
waiting instances are made fast by cloning one started instance's rows (state JSON and its
timer job) with the ORM, not by 10,000 service calls; the output says so.
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
WAITING, BURST = 10_000, 1_000
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
    with factory() as uow:
        uow.session.execute(insert(ProcessInstance), rows)
        uow.session.execute(insert(Job), jrows)


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


def burst(engine, factory, workers: list, tmp: Path) -> float:  # type: ignore[no-untyped-def]
    """Timers fired per second by the running worker processes when BURST fall due at once."""
    snap = snapshot(factory, template(factory, (clock.now() + timedelta(seconds=1)).isoformat()))
    time.sleep(1.1)  # the template's due time passes: its clones are due at once
    while due_timers(engine) > 0:  # the workers fire the template itself first
        time.sleep(0.02)
    clone(factory, snap, BURST)
    began = time.perf_counter()
    while due_timers(engine) > 0:
        time.sleep(0.01)
    return BURST / (time.perf_counter() - began)


def idle_poll_ms(factory) -> float:  # type: ignore[no-untyped-def]
    settings = Settings()
    samples = []
    for _ in range(100):
        began = time.perf_counter()
        jobs.poll(factory, settings, "bench")
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def raw_spiff_fire_ms(factory, instance_id: str) -> float:  # type: ignore[no-untyped-def]
    """Deserialize + refresh_timers + do_engine_steps + serialize, in memory, per timer."""
    with factory() as uow:
        inst = uow.instances.get(instance_id)
        workflow = load_workflow(uow, inst)
        state = inst.state_json
        spec, subs = workflow.spec, workflow.subprocess_specs
    began = time.perf_counter()
    for _ in range(200):
        wf = bpmn.load_state(state, spec, subs)
        bpmn.refresh_timers(wf)
        bpmn.advance(wf)
        bpmn.dump_state(wf)
    return (time.perf_counter() - began) / 200 * 1000


def run(name: str, url: str, tmp: Path) -> dict[str, object]:
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
    time.sleep(1)  # about twenty empty polls
    rss = rss_mb(workers[0].pid)
    poll = idle_poll_ms(factory)
    one = burst(engine, factory, workers, tmp)
    workers.append(spawn(url, log))
    wait_ready(log, 2)
    two = burst(engine, factory, workers, tmp)
    stop(workers)
    due_tid = template(factory, (clock.now() + timedelta(seconds=1)).isoformat())
    time.sleep(1.1)
    raw = raw_spiff_fire_ms(factory, due_tid)
    engine.dispose()
    return {"db": name, "rss": rss, "poll": poll, "one": one, "two": two, "raw": raw}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("VOCFLOW_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        results.append(run("sqlite", f"sqlite:///{tmp / 'bench.db'}", tmp))
        if not args.skip_pg:
            results.append(run("postgresql", args.pg, tmp))
    print(f"{WAITING:,} waiting instances made by cloning one started instance's rows "
          "(ORM bulk insert), not by service calls.")
    print(f"{'db':<11}{'worker RSS MB':>14}{'idle poll ms':>13}{'fired/s 1w':>12}"
          f"{'fired/s 2w':>12}{'raw spiff ms':>13}{'engine/raw 1w':>14}")
    for r in results:
        ratio = (1000 / float(r["one"])) / float(r["raw"])  # type: ignore[arg-type]
        print(f"{r['db']:<11}{r['rss']:>14.1f}{r['poll']:>13.2f}{r['one']:>12.0f}"
              f"{r['two']:>12.0f}{r['raw']:>13.2f}{ratio:>13.1f}x")
    print("targets: RSS < 200 MB, idle poll < 5 ms. raw spiff = deserialize + "
          "refresh_timers + do_engine_steps + serialize of the same instance, in memory.")


if __name__ == "__main__":
    main()
