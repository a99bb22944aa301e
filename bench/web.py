"""Page server time: the task list (10,000 open tasks in a reviewer's scope, 100,000 in the
database) and the dashboard (32 provinces x 11 key tasks x 20 projects), beside the same
query through /api/v1 (the task list) or the service call alone (the dashboard).

Plain script: `python bench/web.py [--tasks 100000] [--scope 10000] [--runs 20]
[--database-url postgresql+psycopg://.../empty_db]`. It builds a temporary SQLite database
(or loads the given, empty, database once; rows bulk-inserted with SQLAlchemy Core:
instances, open tasks with their candidate rows, the dashboard's facts), signs in through
the pages and the API with the Flask test client (no network: server time only) and
prints median and p95 ms of wall time and the median CPU time of this process (the
server's own work, which a loaded machine inflates less), with the load average.
Targets from issue 9: task list < 150 ms, dashboard < 500 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import api  # noqa: E402
import engine  # noqa: E402
from engine import service  # noqa: E402
from engine.models import (  # noqa: E402
    HumanTask,
    InstanceFacts,
    ProcessInstance,
    ProjectYear,
    TaskCandidate,
)
from engine.service import SYSTEM_ACTOR, accounts, dashboard  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "review.bpmn"
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PROVINCES = [f"{c}" for c in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41,
                              42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 66)]
KEY_TASKS = [f"KT{n:02d}" for n in range(1, 12)]
PASSWORD = "bench-Pa55word-web-2026"  # noqa: S105 - a throwaway database


def _insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        conn.execute(table.insert(), rows[start:start + 5000])


def _instances(definition_id: str, count: int, province: Callable[[int], str]
               ) -> list[dict[str, Any]]:
    return [{"id": str(uuid.uuid4()), "definition_id": definition_id,
             "process_key": "review", "status": "running", "serializer_version": "",
             "state_json": "{}", "bindings": {}, "province_code": province(i),
             "key_task": KEY_TASKS[i % 11], "unit_id": None, "started_by": "bench",
             "started_at": NOW, "version": 1} for i in range(count)]


def load(db: Any, total: int, scope: int) -> None:
    """Instances with one open task each: `scope` in province 11, the rest elsewhere;
    plus 32 x 11 x 20 projects with a 2026 row each for the dashboard."""
    factory = engine.make_uow_factory(engine.make_sessionmaker(db))
    with factory() as uow:
        definition = service.deploy(uow, {FIXTURE.name: FIXTURE.read_bytes()}, SYSTEM_ACTOR,
                                    NOW).definitions[0]
    others = PROVINCES[1:]
    rows = _instances(definition.id, total,
                      lambda i: "11" if i < scope else others[i % len(others)])
    tasks, candidates = [], []
    for i, row in enumerate(rows):
        tid = str(uuid.uuid4())
        group = f"province:{row['province_code']}:reviewer"
        tasks.append({"id": tid, "instance_id": row["id"], "process_key": "review",
                      "element_id": "Task_Review", "name": "省级评审", "form_key": None,
                      "assignee": None, "candidate_groups": [group], "candidate_users": [],
                      "due_at": NOW + timedelta(days=i % 40 - 5), "priority": 50,
                      "province_code": row["province_code"], "key_task": row["key_task"],
                      "unit_id": None, "created_at": NOW})
        candidates.append({"task_id": tid, "kind": "group", "value": group})
    projects = _instances(definition.id, 32 * 11 * 20, lambda i: PROVINCES[i // 220])
    for i, row in enumerate(projects):
        row["process_key"] = "key_task_project"
        row["key_task"] = KEY_TASKS[(i // 20) % 11]
    facts = [{"instance_id": r["id"], "process_key": "key_task_project",
              "province_code": r["province_code"], "key_task": r["key_task"],
              "unit_id": f"U{i}", "title": f"项目{i}", "state": "confirmed",
              "first_year": 2026, "last_year": 2027, "submitted_at": NOW, "updated_at": NOW}
             for i, r in enumerate(projects)]
    years = [{"instance_id": r["id"], "year": 2026,
              "reported_at": NOW if i % 3 else None, "late": i % 7 == 0,
              "rating": ("优秀", "良好", "合格", "不合格", None)[i % 5], "created_at": NOW}
             for i, r in enumerate(projects)]
    with db.begin() as conn:
        _insert(conn, ProcessInstance.__table__, rows + projects)
        _insert(conn, HumanTask.__table__, tasks)
        _insert(conn, TaskCandidate.__table__, candidates)
        _insert(conn, InstanceFacts.__table__, facts)
        _insert(conn, ProjectYear.__table__, years)
    if db.dialect.name == "postgresql":
        # What autovacuum does after a bulk load (statistics, the visibility map)
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    with factory() as uow:
        service.add_user(uow, "reviewer11", NOW, password=PASSWORD)
        service.add_member(uow, "reviewer11", "province:11:reviewer")
        service.add_user(uow, "moe", NOW, password=PASSWORD)
        for kt in KEY_TASKS:
            service.add_member(uow, "moe", f"ministry:{kt}")


def _timed(runs: int, call: Callable[[], Any]) -> tuple[float, float, float]:
    """Median and p95 wall ms, median CPU ms."""
    call()  # warm caches and compiled statements
    samples, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    samples.sort()
    return (statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)],
            statistics.median(cpu))


def _get(client: Any, path: str, **kw: Any) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(path, **kw)
        assert response.status_code == 200, (path, response.status_code, response.data[:300])
        return response
    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--scope", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the database file here")
    parser.add_argument("--database-url", help="an empty database to load (kept and reused)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.db"
        url = args.database_url or f"sqlite:///{path}"
        settings = engine.Settings(database_url=url, file_dir=Path(tmp) / "files",
                                   secret_key="b" * 48)
        db = engine.make_engine(settings.database_url)
        engine.upgrade(db)
        started = time.perf_counter()
        with engine.make_uow_factory(engine.make_sessionmaker(db))() as uow:
            fresh = uow.users.get("reviewer11") is None
        if fresh:
            load(db, args.tasks, args.scope)
            print(f"loaded {args.tasks} open tasks ({args.scope} in scope) and "
                  f"{32 * 11 * 20} projects in {time.perf_counter() - started:.1f} s")
        factory = engine.make_uow_factory(engine.make_sessionmaker(db))
        app = api.create_app(settings, uow_factory=factory, testing=True)
        page = app.test_client()
        page.post("/signin", data={"username": "reviewer11", "password": PASSWORD})
        with factory() as uow:
            _row, token = accounts.create_token(uow, "reviewer11", "bench",
                                                service.actor_for(uow, "reviewer11"), NOW)
            moe = service.actor_for(uow, "moe")
        ministry = app.test_client()
        ministry.post("/signin", data={"username": "moe", "password": PASSWORD})
        bearer = {"Authorization": f"Bearer {token}"}
        with factory() as uow:
            counted = service.scopes.inbox_counts(uow, service.actor_for(uow, "reviewer11"),
                                                  NOW)
        print(f"reviewer11's scope: {counted}")
        rows = [
            ("task list page /tasks", 150, _timed(args.runs, _get(page, "/tasks"))),
            ("  same through GET /api/v1/tasks + /counts", None, _timed(args.runs, lambda: (
                _get(page, "/api/v1/tasks", headers=bearer)(),
                _get(page, "/api/v1/tasks/counts", headers=bearer)()))),
            ("dashboard page /dashboard?year=2026", 500,
             _timed(args.runs, _get(ministry, "/dashboard?year=2026"))),
            ("  same query: service.dashboard.annual_figures", None, _timed(
                args.runs, lambda: engine.execute(factory, moe, dashboard.annual_figures,
                                                  2026))),
        ]
        print(f"\n{db.dialect.name}, load average {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} cores")
        print(f"{'what':<48} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>8} {'target':>8}")
        ok = True
        for name, target, (median, p95, cpu) in rows:
            verdict = "" if target is None else ("ok" if median < target else "SLOW")
            ok = ok and verdict != "SLOW"
            print(f"{name:<48} {median:>10.1f} {p95:>8.1f} {cpu:>8.1f} "
                  f"{(str(target) + ' ' + verdict) if target else '':>8}")
        db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
