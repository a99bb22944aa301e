"""Camunda REST under `vocflow serve`: idle long polls, wake-up latency, a filtered list query.

Plain script: `python bench/camunda_rest.py [--clients 200] [--idle 10] [--rows 100000]
[--skip-pg] [--skip-sqlite] [--port N]`. For each database (a fresh SQLite file; a fresh PostgreSQL
database vocflow_bench_rest_<pid>, dropped at the end) it deploys the js_flow/js_other
fixtures, seeds the history, runs `vocflow serve --no-worker` and measures:

(a) idle: --clients long-polling fetchAndLock clients (asyncResponseTimeout 60 s, each a
    thread here, re-polling when answered) against the server: the server's extra RSS
    (VmRSS with them waiting minus before) and its CPU time (utime+stime from /proc) over
    an --idle second window, as % of one core;
(b) wake-up: while they wait, one more worker long-polls; a task for it is created by
    POST /process-definition/key/js_flow/start (this server process commits it) and by a
    unit of work in this bench process (another process: PostgreSQL NOTIFY, SQLite's
    -wal watch); the time from the commit returning to the worker's answer, median/p95,
    beside the floor: a fetchAndLock without waiting for a task already there;
(c) a filtered list over --rows finished instances: GET /engine-rest/history/process-
    instance?processDefinitionKey=js_flow&finished=true&sortBy=startTime&sortOrder=desc
    &maxResults=50, beside /api/v1/instances?process=js_flow&status=completed&limit=50.
    SEEDED ROWS: the finished instances are copies of one started instance's row, marked
    completed with distinct start/end times, bulk-inserted with one executemany per 10,000
    (plus a tenth as many js_other rows), not run through the engine.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import clock, make_engine, make_sessionmaker, make_uow_factory, service  # noqa: E402
from engine.models import ProcessInstance  # noqa: E402
from engine.schema import upgrade  # noqa: E402

FIXTURES = ROOT / "tests" / "api" / "engine_rest" / "fixtures"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench horse battery staple"  # noqa: S105 - a throw-away bench database
AUTH = ("bench", PASSWORD)
ROUNDS = 15


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


def drop_db(url: str) -> None:
    if url.startswith("postgresql"):
        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()


def setup(factory, rows: int) -> None:  # type: ignore[no-untyped-def]
    """Deploy the fixtures, one user with every group, and the seeded finished instances."""
    now = clock.now()
    with factory() as uow:
        files = {n: (FIXTURES / n).read_bytes() for n in ("js_flow.bpmn", "js_other.bpmn")}
        service.deploy(uow, files, service.SYSTEM_ACTOR, now)
        service.add_user(uow, "bench", now, password=PASSWORD)
        for group in ("ops", "designer", "worker"):
            service.add_member(uow, "bench", group)
    for key, count in (("js_flow", rows), ("js_other", rows // 10)):
        with factory() as uow:
            template = service.start_instance(uow, key, service.SYSTEM_ACTOR, now,
                                              business_key="seed")
            base = {c.key: getattr(template, c.key) for c in ProcessInstance.__table__.columns}
        for first in range(0, count, 10_000):
            batch = []
            for n in range(first, min(first + 10_000, count)):
                began = now - timedelta(days=400) + timedelta(minutes=5 * n)
                batch.append({**base, "id": str(uuid.uuid4()), "version": 1,
                              "business_key": f"seed-{n}", "status": "completed",
                              "started_at": began, "ended_at": began + timedelta(hours=3)})
            with factory() as uow:  # Core executemany, no engine steps: SEEDED ROWS
                uow.session.execute(insert(ProcessInstance.__table__), batch)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, VOCFLOW_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    with open(log, "wb") as out:
        server = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--no-worker"],
            cwd=log.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(log.read_text(errors="replace"))
        try:
            if requests.get(f"http://127.0.0.1:{port}/engine-rest/version",
                            timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise SystemExit("vocflow serve did not answer within 90 s")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(pid: int, limit: float = 60.0) -> float:
    """Seconds until the server's CPU stays under 5 % for a second: the clients connected
    (their first attempts, Basic sign-in included) and now all wait."""
    began = time.monotonic()
    time.sleep(1.0)
    while time.monotonic() - began < limit:
        cpu0 = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - cpu0 < 0.05:
            break
    return time.monotonic() - began


def fetch_body(business_key: str, wait_ms: int) -> dict[str, Any]:
    return {"workerId": f"w-{business_key}", "maxTasks": 1, "asyncResponseTimeout": wait_ms,
            "topics": [{"topicName": "js-check", "lockDuration": 60000,
                        "businessKey": business_key}]}


class IdleClients:
    """Long-polling clients that find nothing (a business key no instance has)."""

    def __init__(self, base: str, count: int) -> None:
        self.base, self.stop = base, threading.Event()
        self.answers, self.errors = 0, 0
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True)
                        for n in range(count)]

    def _run(self, n: int) -> None:
        with requests.Session() as session:
            session.auth = AUTH
            while not self.stop.is_set():
                try:
                    answer = session.post(f"{self.base}/external-task/fetchAndLock",
                                          json=fetch_body(f"idle-{n}", 60000), timeout=90)
                    self.answers += answer.status_code == 200
                except requests.RequestException:
                    self.errors += 1
                    time.sleep(0.5)


def wake_latencies(base: str, create: Any, label: str) -> list[float]:
    """ROUNDS times: a worker waits, a task for it is created; commit-to-answer seconds."""
    delays = []
    for n in range(ROUNDS):
        key = f"hot-{label}-{n}"
        got: dict[str, Any] = {}

        def wait(key: str = key, got: dict[str, Any] = got) -> None:
            answer = requests.post(f"{base}/external-task/fetchAndLock", auth=AUTH,
                                   json=fetch_body(key, 20000), timeout=60)
            got.update(at=time.monotonic(), tasks=answer.json())

        worker = threading.Thread(target=wait)
        worker.start()
        # the worker is waiting now; 0.3 s is a whole number of SQLite -wal watch ticks
        # after the last answer, so the commit lands just after a tick: near the worst case
        time.sleep(0.3)
        create(key)
        committed = time.monotonic()
        worker.join(timeout=40)
        if len(got.get("tasks") or []) != 1:
            raise SystemExit(f"{label}: the worker got {got.get('tasks')!r}")
        delays.append(got["at"] - committed)
    return delays


def ready_fetch(base: str, create: Any) -> list[float]:
    """The floor: fetchAndLock without waiting for a task that is already there (seconds)."""
    times = []
    for n in range(ROUNDS):
        create(f"ready-{n}")
        began = time.monotonic()
        answer = requests.post(f"{base}/external-task/fetchAndLock", auth=AUTH,
                               json=fetch_body(f"ready-{n}", 0), timeout=60)
        times.append(time.monotonic() - began)
        assert len(answer.json()) == 1, answer.text
    return times


def timed_get(url: str, repeat: int = 20) -> tuple[float, int]:
    with requests.Session() as session:
        session.auth = AUTH
        first = session.get(url, timeout=60)
        assert first.status_code == 200, first.text
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            answer = session.get(url, timeout=60)
            times.append(time.perf_counter() - began)
            assert answer.status_code == 200, answer.text
    body = first.json()
    return statistics.median(times), len(body if isinstance(body, list) else body["items"])


def run(name: str, url: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    engine = fresh_db(url)
    factory = make_uow_factory(make_sessionmaker(engine))
    began = time.perf_counter()
    setup(factory, args.rows)
    seeded = time.perf_counter() - began
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}/engine-rest"
    server = serve(url, port, tmp / f"serve-{name}.log")
    result: dict[str, Any] = {"db": name, "seed_s": seeded}
    try:
        requests.get(f"{base}/external-task/count", auth=AUTH, timeout=30)  # warm up
        time.sleep(1.0)
        rss_before = rss_mb(server.pid)
        clients = IdleClients(base, args.clients)
        for thread in clients.threads:
            thread.start()
        result["settle"] = settle(server.pid)  # every client is connected and waiting
        cpu0, wall0 = cpu_seconds(server.pid), time.monotonic()
        time.sleep(args.idle)
        cpu1, wall1 = cpu_seconds(server.pid), time.monotonic()
        result.update(rss=rss_mb(server.pid) - rss_before,
                      cpu=100 * (cpu1 - cpu0) / (wall1 - wall0), answered=clients.answers,
                      errors=clients.errors)

        def by_rest(key: str) -> None:
            answer = requests.post(f"{base}/process-definition/key/js_flow/start",
                                   auth=AUTH, json={"businessKey": key}, timeout=30)
            assert answer.status_code == 200, answer.text

        def by_other_process(key: str) -> None:
            with factory() as uow:
                service.start_instance(uow, "js_flow", service.SYSTEM_ACTOR, clock.now(),
                                       business_key=key)

        result["ready"] = ready_fetch(base, by_rest)
        result["rest"] = wake_latencies(base, by_rest, "rest")
        result["other"] = wake_latencies(base, by_other_process, "other")
        clients.stop.set()
        history = (f"{base}/history/process-instance?processDefinitionKey=js_flow"
                   "&finished=true&sortBy=startTime&sortOrder=desc&maxResults=50")
        v1 = (f"http://127.0.0.1:{port}/api/v1/instances?process=js_flow&status=completed"
              "&limit=50")
        result["history"], result["history_n"] = timed_get(history)
        result["v1"], result["v1_n"] = timed_get(v1)
    except BaseException:
        print((tmp / f"serve-{name}.log").read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=60)
        engine.dispose()
        drop_db(url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("VOCFLOW_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--idle", type=float, default=10.0, help="idle window, seconds")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=0,
                        help="the server's port (default: a free one)")
    args = parser.parse_args()
    began = time.perf_counter()
    load = os.getloadavg()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sqlite:
            results.append(run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp),
                               args))
        if not args.skip_pg:
            pg = make_url(args.pg).set(database=f"vocflow_bench_rest_{os.getpid()}")
            results.append(run("postgresql", pg.render_as_string(hide_password=False),
                               Path(tmp), args))
    print(f"vocflow serve --no-worker (uvicorn, 4 threads); {args.clients} idle long polls "
          f"(asyncResponseTimeout 60 s) over a {args.idle:.0f} s window; wake-up: median/p95 "
          f"of {ROUNDS}; lists: median of 20 over {args.rows:,} SEEDED finished js_flow rows "
          f"(+{args.rows // 10:,} js_other), bulk-inserted copies of one instance row")
    print(f"{'db':<11}{'idle +RSS MB':>13}{'idle CPU %':>11}{'ready ms':>10}{'wake REST ms':>14}"
          f"{'wake other ms':>15}{'history ms':>11}{'/api/v1 ms':>11}{'seed s':>8}"
          f"{'settle s':>9}")
    for r in results:
        def ms(values: list[float]) -> str:
            ordered = sorted(values)
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
            return f"{statistics.median(values) * 1000:.0f}/{p95 * 1000:.0f}"
        print(f"{r['db']:<11}{r['rss']:>13.1f}{r['cpu']:>11.2f}{ms(r['ready']):>10}"
              f"{ms(r['rest']):>14}"
              f"{ms(r['other']):>15}{r['history'] * 1000:>11.1f}{r['v1'] * 1000:>11.1f}"
              f"{r['seed_s']:>8.1f}{r['settle']:>9.1f}")
        if r["answered"] or r["errors"]:
            print(f"  ({r['db']}: {r['answered']} idle polls answered, {r['errors']} errors "
                  "during the window)")
    print("ready: a fetchAndLock (no wait) for a task already there, the floor of a wake-up; "
          "wake: from the creating commit's return to the waiting worker's answer")
    print("settle: until the server's CPU stayed under 5 % for 1 s after the clients connected "
          "(their first fetchAndLock and Basic sign-in)")
    print("targets: idle +RSS < 50 MB, idle CPU < 2 % of a core, wake median < 100 ms, "
          "history list < 50 ms, /api/v1 list < 50 ms")
    end_load = os.getloadavg()
    print(f"load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at end "
          f"{end_load[0]:.2f} {end_load[1]:.2f} {end_load[2]:.2f} (2 cores, shared); "
          f"bench run time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
