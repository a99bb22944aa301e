"""HTTP load: `vocflow serve` on PostgreSQL against the service layer, same work, same run.

Plain script: `python bench/http_load.py [--workers N] [--clients 20] [--seconds 6]`.
It creates a fresh database vocflow_bench_<pid> (dropped at the end), deploys the review
fixture, and runs `vocflow serve --workers N --no-worker`. Each client (a thread with a
requests.Session signed in with its own Bearer token, or with HTTP Basic as Camunda
Modeler and Camunda 7 clients do) repeats one cycle until the time is up: start an
instance (POST /api/v1/instances), find its task (GET /api/v1/tasks?instance_id=…) and
complete it (POST /api/v1/tasks/{id}/complete). The same cycle then runs through
engine.service directly (start_instance, scopes.inbox, complete_task, one unit of work
each). Printed: throughput, p50/p95 per request, the HTTP/service cost per completed task
(one client, sequential, and with every client at once), Basic against Bearer in the same
run, and a final check that every instance ran its one task exactly once.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import clock, make_engine, make_sessionmaker, make_uow_factory, service  # noqa: E402
from engine.schema import upgrade  # noqa: E402
from engine.service import accounts, scopes  # noqa: E402
from engine.uow import UowFactory  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "review.bpmn"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
VARIABLES = {"province_code": "11", "review_due": "2026-12-15T23:59:00+08:00"}
PASSWORD = "bench horse battery staple"  # noqa: S105 - a throw-away bench database
ANSWER = {"approved": True, "score": 80}


@dataclass
class Tally:
    """What one phase did: cycles completed, request latencies, errors, started instances."""

    latencies: list[float] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    completed: int = 0
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def per_task_ms(self) -> float:
        return 1000 * self.elapsed / self.completed if self.completed else float("nan")


# ----------------------------------------------------------------------------- database


def _admin(url: str, sql: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


def setup_database(url: str, clients: int) -> tuple[Any, UowFactory, list[str]]:
    """Create the database, deploy the fixture, one reviewer and Bearer token per client."""
    name = make_url(url).database
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{name}"')
    db = make_engine(url)
    upgrade(db)
    factory = make_uow_factory(make_sessionmaker(db))
    now = clock.now()
    tokens = []
    with factory() as uow:
        service.deploy(uow, {FIXTURE.name: FIXTURE.read_bytes()}, service.SYSTEM_ACTOR, now)
        for i in range(clients):
            service.add_user(uow, f"bench{i}", now, password=PASSWORD)
            service.add_member(uow, f"bench{i}", "province:11:reviewer")
        uow.flush()
        for i in range(clients):
            _row, plain = accounts.create_token(uow, f"bench{i}", "bench",
                                                service.SYSTEM_ACTOR, now)
            tokens.append(plain)
    return db, factory, tokens


# ----------------------------------------------------------------------------- HTTP side


def start_server(url: str, workers: int, threads: int, workdir: Path) -> tuple[Any, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = dict(os.environ, VOCFLOW_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    env["VOCFLOW_SECRET_KEY"] = os.urandom(24).hex()
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--workers",
         str(workers), "--threads", str(threads), "--no-worker"],
        cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"vocflow serve exited with {server.returncode}")
        try:
            if requests.get(f"{base}/engine-rest/version", timeout=2).ok:
                return server, base
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("vocflow serve did not answer within 60 s")


def _timed(tally: Tally, call: Callable[[], requests.Response], expect: int) -> Any:
    t0 = time.perf_counter()
    response = call()
    took = time.perf_counter() - t0
    with tally.lock:
        tally.latencies.append(took)
    if response.status_code != expect:
        raise RuntimeError(f"{response.status_code} {response.text[:200]}")
    return response.json()


def http_cycle(http: requests.Session, base: str, tally: Tally) -> None:
    started = _timed(tally, lambda: http.post(f"{base}/api/v1/instances", json={
        "process": "simple_review", "variables": VARIABLES}, timeout=30), 201)
    with tally.lock:
        tally.started.append(started["id"])
    tasks = _timed(tally, lambda: http.get(
        f"{base}/api/v1/tasks", params={"instance_id": started["id"]}, timeout=30), 200)
    done = _timed(tally, lambda: http.post(
        f"{base}/api/v1/tasks/{tasks[0]['id']}/complete", json={"data": ANSWER}, timeout=30),
        200)
    if done["status"] != "completed":
        raise RuntimeError(f"instance {started['id']} is {done['status']}")
    with tally.lock:
        tally.completed += 1


def http_client(base: str, token: str | None = None, user: str | None = None
                ) -> Callable[[Tally, float], None]:
    """A client signed in with a Bearer token, or (user given) with HTTP Basic; it runs
    until the deadline. One requests.Session: one kept-alive connection, as a Camunda
    client holds while it is busy."""
    http = requests.Session()
    if user is not None:
        http.auth = (user, PASSWORD)
    else:
        http.headers["Authorization"] = f"Bearer {token}"

    def run(tally: Tally, deadline: float) -> None:
        first = True
        while first or time.monotonic() < deadline:
            first = False
            try:
                http_cycle(http, base, tally)
            except (RuntimeError, requests.RequestException, KeyError, IndexError) as exc:
                with tally.lock:
                    tally.errors.append(str(exc))
    return run


# ----------------------------------------------------------------------------- service side


def service_client(factory: UowFactory, username: str) -> Callable[[Tally, float], None]:
    def run(tally: Tally, deadline: float) -> None:
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            with factory() as uow:
                actor = service.actor_for(uow, username)
                instance_id = service.start_instance(
                    uow, "simple_review", actor, clock.now(), variables=dict(VARIABLES)).id
            t1 = time.perf_counter()
            with factory() as uow:
                actor = service.actor_for(uow, username)
                [task] = scopes.inbox(uow, actor, view="offered", instance_id=instance_id)
                task_id = task.id
            t2 = time.perf_counter()
            with factory() as uow:
                actor = service.actor_for(uow, username)
                service.complete_task(uow, task_id, dict(ANSWER), actor, clock.now())
            t3 = time.perf_counter()
            with tally.lock:
                tally.latencies += [t1 - t0, t2 - t1, t3 - t2]
                tally.started.append(instance_id)
                tally.completed += 1
    return run


# ----------------------------------------------------------------------------- phases


def run_phase(runners: list[Callable[[Tally, float], None]], seconds: float) -> Tally:
    """Every runner in its own thread until the deadline; each finishes its current cycle."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=r, args=(tally, deadline)) for r in runners]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.elapsed = time.perf_counter() - t0
    return tally


def alternate(first: list[Callable[[Tally, float], None]],
              second: list[Callable[[Tally, float], None]],
              seconds: float, rounds: int = 3) -> tuple[Tally, Tally]:
    """Two phases in alternating slices, so that a change in the machine's load (other
    processes) falls on both alike; each returned tally sums its slices."""
    totals = Tally(), Tally()
    for _ in range(rounds):
        for total, runners in zip(totals, (first, second), strict=True):
            part = run_phase(runners, seconds / rounds)
            total.latencies += part.latencies
            total.started += part.started
            total.errors += part.errors
            total.completed += part.completed
            total.elapsed += part.elapsed
    return totals


def check_instances(factory: UowFactory, tallies: list[Tally]) -> list[str]:
    """Nothing lost or doubled: every started instance completed exactly its one task."""
    expected = [i for t in tallies for i in t.started]
    problems = []
    if len(set(expected)) != len(expected):
        problems.append("an instance id was reported twice")
    with factory() as uow:
        rows = uow.instances.list(process_key="simple_review", limit=10**6)
        found = {r.id: r for r in rows}
        for instance_id in expected:
            row = found.pop(instance_id, None)
            if row is None:
                problems.append(f"{instance_id}: lost")
                continue
            actions = [h.action for h in uow.history.for_instance(instance_id)]
            if row.status != "completed" or actions.count("task_completed") != 1:
                problems.append(f"{instance_id}: {row.status}, "
                                f"{actions.count('task_completed')} completions")
            if uow.tasks.for_instance(instance_id):
                problems.append(f"{instance_id}: open tasks left")
    problems += [f"{i}: started but never reported" for i in found]
    return problems


def _ms(values: list[float], q: float) -> float:
    if len(values) < 2:
        return float("nan")
    return 1000 * statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(name: str, tally: Tally) -> None:
    print(f"{name:<28} {tally.completed:>6} tasks {tally.completed / tally.elapsed:>8.1f}/s "
          f"{len(tally.latencies) / tally.elapsed:>8.1f} req/s  p50 {_ms(tally.latencies, 50):6.1f}"
          f" ms  p95 {_ms(tally.latencies, 95):6.1f} ms  errors {len(tally.errors)}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("VOCFLOW_BENCH_PG", PG_DEFAULT),
                        help="PostgreSQL server URL (the database name is replaced)")
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2),
                        help="API processes (default: one per CPU)")
    parser.add_argument("--threads", type=int, default=4, help="threads per API process")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=6.0,
                        help="each concurrent HTTP phase (Bearer, then Basic)")
    parser.add_argument("--service-seconds", type=float, default=5.0)
    parser.add_argument("--sequential-seconds", type=float, default=3.0)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    url = make_url(args.pg).set(database=f"vocflow_bench_{os.getpid()}").render_as_string(
        hide_password=False)
    db, factory, tokens = setup_database(url, args.clients)
    server = None
    try:
        with tempfile.TemporaryDirectory() as workdir:
            server, base = start_server(url, args.workers, args.threads, Path(workdir))
            return measure(args, factory, tokens, base)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        db.dispose()
        _admin(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def measure(args: argparse.Namespace, factory: UowFactory, tokens: list[str],
            base: str) -> int:
    users = [f"bench{i}" for i in range(args.clients)]
    bearer = [http_client(base, t) for t in tokens]
    basic = [http_client(base, user=u) for u in users]
    # Every process warm. A Basic client pays one argon2 verification per worker its
    # connection reaches (per VOCFLOW_BASIC_CACHE_SECONDS): that first cycle is run before
    # each Basic phase and not measured, and each phase keeps its connections busy, so the
    # figures are the steady state of a kept-alive Camunda client.
    warm = [run_phase(bearer, 1.0), run_phase([service_client(factory, users[0])], 0.5),
            run_phase(basic[:1], 0.0)]
    print(f"vocflow serve --workers {args.workers} --threads {args.threads} on PostgreSQL; "
          f"cycle = start + inbox + complete (3 requests / 3 units of work)")
    seq_http, seq_basic = alternate(bearer[:1], basic[:1], args.sequential_seconds, rounds=6)
    seq_svc = run_phase([service_client(factory, users[0])], args.sequential_seconds)
    par_http = run_phase(bearer, args.seconds)
    warm.append(run_phase(basic, 0.0))
    par_basic = run_phase(basic, args.seconds)
    par_svc = run_phase([service_client(factory, u) for u in users], args.service_seconds)
    report("HTTP Bearer, 1 client", seq_http)
    report("HTTP Basic, 1 client", seq_basic)
    report("service, 1 thread", seq_svc)
    report(f"HTTP Bearer, {args.clients} clients", par_http)
    report(f"HTTP Basic, {args.clients} clients", par_basic)
    report(f"service, {args.clients} threads", par_svc)
    seq_ratio = seq_http.per_task_ms() / seq_svc.per_task_ms()
    par_ratio = par_http.per_task_ms() / par_svc.per_task_ms()
    basic_seq = seq_basic.per_task_ms() / seq_http.per_task_ms()
    basic_par = par_basic.per_task_ms() / par_http.per_task_ms()
    p95 = _ms(par_http.latencies, 95)
    print(f"per completed task: HTTP {seq_http.per_task_ms():.1f} ms vs service "
          f"{seq_svc.per_task_ms():.1f} ms sequential = {seq_ratio:.2f}x (target <= 2x); "
          f"{args.clients} at once: {par_ratio:.2f}x")
    print(f"Basic / Bearer per completed task: {seq_basic.per_task_ms():.1f} / "
          f"{seq_http.per_task_ms():.1f} ms sequential = {basic_seq:.2f}x (target <= 1.2x); "
          f"{args.clients} at once: {basic_par:.2f}x")
    print(f"p95 with {args.clients} HTTP clients: {p95:.1f} ms (target < 300 ms)")
    phases = (*warm, seq_http, seq_basic, seq_svc, par_http, par_basic, par_svc)
    for error in sorted({e for t in phases for e in t.errors})[:5]:
        print(f"  error: {error}")
    problems = check_instances(factory, list(phases))
    total = sum(t.completed for t in phases)
    print(f"check: {total} instances started and completed once each; problems: "
          f"{len(problems)}")
    for problem in problems[:10]:
        print(f"  {problem}")
    ok = not problems and seq_ratio <= 2 and p95 < 300 and basic_seq <= 1.2
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
