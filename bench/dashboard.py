"""Benchmark the data screens: the Ministry's dashboard and the reviewer's task list.

Plain script: `python bench/dashboard.py [--pg URL] [--skip-pg] [--runs N]`. The data set is
32 provinces x 11 key tasks x 20 projects (7,040 key_task_project instances, one unit each,
their instance_facts / project_years projection rows, 352 provincial summaries) and
100,000 open tasks, 10,000 of them offered to province 11's reviewers. It is made by bulk
(executemany) inserts of instance, projection and task rows, not by service calls, the way
bench/worker.py clones instances: the cloned instances are never loaded, so their state
JSON is left empty. Timings are medians of --runs calls through engine.execute (the path a
page takes), printed beside the same query through /api/v1 where it exists.
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

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import create_app  # noqa: E402
from engine import (  # noqa: E402
    catalogue,
    execute,
    make_engine,
    make_sessionmaker,
    make_uow_factory,
    service,  # noqa: E402
)
from engine.config import Settings  # noqa: E402
from engine.models import (  # noqa: E402
    InstanceFacts,
    ProcessInstance,
    ProjectYear,
    Unit,
)
from engine.schema import upgrade  # noqa: E402
from engine.service import accounts, dashboard, export, task_list  # noqa: E402
from engine.service.facts import report_deadline  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/vocflow_bench_dashboard"
YEAR, PER_CELL, TASKS, IN_SCOPE = 2026, 20, 100_000, 10_000
NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)  # after the year's report deadline
# Per 20 projects of a cell: states, and for confirmed/completed ones a report status.
STATES = (["draft"] * 2 + ["in_review"] * 3 + ["approved"] * 2 + ["recommended"] * 2
          + ["confirmed"] * 6 + ["rejected", "not_recommended"] + ["completed"] * 3)
REPORTS = ["on_time"] * 5 + ["late"] * 2 + ["missing"] * 2
RATINGS = ("优秀", "良好", "合格", "不合格")


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


def _deploy(factory) -> str:  # type: ignore[no-untyped-def]
    processes = ROOT / "processes"
    files = {p.name: p.read_bytes() for p in [*processes.glob("*.bpmn"),
                                               *processes.glob("*.dmn")]}
    with factory() as uow:
        service.deploy(uow, files, service.SYSTEM_ACTOR, NOW)
        return str(uow.definitions.latest("key_task_project").id)


def _instance(instance_id: str, definition_id: str, key: str, province: str, key_task: str,
              unit_id: str | None, status: str) -> dict[str, Any]:
    return {"id": instance_id, "definition_id": definition_id, "process_key": key,
            "business_key": None, "status": status, "serializer_version": "", "state_json": "",
            "bindings": {}, "province_code": province, "key_task": key_task,
            "unit_id": unit_id, "started_by": "bench", "started_at": NOW - timedelta(days=300),
            "ended_at": None, "stall_reason": None, "open_task_ids": None, "has_jobs": False,
            "has_subscriptions": False, "version": 1}


def _fact(instance: dict[str, Any], state: str, title: str | None) -> dict[str, Any]:
    return {"instance_id": instance["id"], "process_key": instance["process_key"],
            "province_code": instance["province_code"], "key_task": instance["key_task"],
            "unit_id": instance["unit_id"], "title": title, "state": state,
            "first_year": YEAR, "last_year": YEAR, "submitted_at": None, "updated_at": NOW}


def _project(definition_id: str, province: str, key_task: str, serial: int,
             rows: dict[str, list[dict[str, Any]]]) -> None:
    unit_id = f"U{province}{key_task}{serial:02d}"
    state = STATES[serial]
    instance = _instance(f"p{len(rows['units']):05d}", definition_id, "key_task_project",
                         province, key_task, unit_id,
                         "completed" if state == "completed" else "running")
    rows["units"].append({"id": unit_id, "name": f"{province}省第{key_task}-{serial}职业学院",
                          "credit_code": unit_id[:18], "unit_type": "school",
                          "province_code": province, "created_at": NOW})
    rows["instances"].append(instance)
    rows["facts"].append(_fact(instance, state, f"{unit_id} 市域产教联合体建设项目"))
    due = [i for i, s in enumerate(STATES) if s in ("confirmed", "completed")]
    if serial in due and REPORTS[due.index(serial)] != "missing":
        late = REPORTS[due.index(serial)] == "late"
        at = report_deadline(YEAR) + timedelta(days=3 if late else -10)
        rows["years"].append({"instance_id": instance["id"], "year": YEAR, "reported_at": at,
                              "late": late, "rating": RATINGS[serial % 4]})


def _task_sql(dialect: str, in_scope: int, others: int) -> list[str]:
    """INSERT ... SELECT of TASKS open review tasks and their candidate rows, made by the
    database from a number series: task i < IN_SCOPE lies on project p(i % in_scope) (the
    province 11 projects come first), the others on the other provinces' projects."""
    pg = dialect == "postgresql"
    pad = ("lpad(CAST({} AS TEXT), {}, '0')" if pg else "printf('%0{1}d', {0})").format
    instance = pad(f"CASE WHEN n.i < {IN_SCOPE} THEN n.i % {in_scope} "
                   f"ELSE {in_scope} + n.i % {others} END", 5)
    json = "CAST({} AS JSON)" if pg else "{}"
    groups = json.format("'[\"province:' || pi.province_code || '\\:reviewer\"]'")
    if pg:
        due = "CAST(:now AS TIMESTAMPTZ) + (n.i % 5000 - 1000) * INTERVAL '1 minute'"
        created = "CAST(:now AS TIMESTAMPTZ) - n.i * INTERVAL '1 second'"
    else:
        due = "strftime('%Y-%m-%d %H:%M:%S', :now, (n.i % 5000 - 1000) || ' minutes')"
        created = "strftime('%Y-%m-%d %H:%M:%S', :now, (-n.i) || ' seconds')"
    tasks = (
        f"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {TASKS - 1}) "
        "INSERT INTO human_tasks (id, instance_id, process_key, element_id, name, form_key, "
        "assignee, candidate_groups, candidate_users, due_at, priority, province_code, "
        "key_task, unit_id, created_at) "
        f"SELECT 't' || {pad('n.i', 6)}, pi.id, 'key_task_project', 'Task_ReviewPlan', "
        f"'省级审核建设方案', 'review_decision', NULL, {groups}, {json.format(repr('[]'))}, "
        f"{due}, 50, pi.province_code, pi.key_task, pi.unit_id, {created} "
        f"FROM n JOIN process_instances pi ON pi.id = 'p' || {instance}")
    candidates = ("INSERT INTO task_candidates (task_id, kind, value) SELECT id, 'group', "
                  "'province:' || province_code || '\\:reviewer' FROM human_tasks")
    return [tasks, candidates]


def build(factory, dialect: str) -> tuple[float, dict[str, int]]:  # type: ignore[no-untyped-def]
    """Insert the data set; returns (seconds, rows per table)."""
    began = time.perf_counter()
    definition_id = _deploy(factory)
    cat = catalogue.load_catalogue()
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "units", "instances", "facts", "years")}
    for province in [p.code for p in cat.provinces]:
        for key_task in [k.code for k in cat.key_tasks]:
            for serial in range(PER_CELL):
                _project(definition_id, province, key_task, serial, rows)
            summary = _instance(f"s{province}{key_task}", definition_id,
                                "provincial_summary", province, key_task, None, "running")
            rows["instances"].append(summary)
            received = int(province) % 3 != 0
            rows["facts"].append({**_fact(summary, "submitted" if received else "open", None),
                                  "submitted_at": NOW if received else None})
    tables = (("units", Unit), ("instances", ProcessInstance), ("facts", InstanceFacts),
              ("years", ProjectYear))
    in_scope = sum(1 for i in rows["instances"] if i["id"].startswith("p")
                   and i["province_code"] == "11")
    others = sum(1 for i in rows["instances"] if i["id"].startswith("p")) - in_scope
    now = NOW.isoformat() if dialect == "postgresql" else NOW.strftime("%Y-%m-%d %H:%M:%S")
    with factory() as uow:  # Core executemany, then the tasks made by the database
        for name, model in tables:
            uow.session.execute(insert(model.__table__), rows[name])
        for sql in _task_sql(dialect, in_scope, others):
            uow.session.execute(text(sql), {"now": now})
        service.add_user(uow, "moe", NOW)
        service.add_member(uow, "moe", "ministry:KT01")
        service.add_user(uow, "reviewer-11", NOW)
        service.add_member(uow, "reviewer-11", "province:11:reviewer")
    if dialect == "postgresql":  # fresh statistics, as autovacuum would have by now
        with factory() as uow:
            uow.session.execute(text("ANALYZE"))
    counts = {k: len(v) for k, v in rows.items()}
    return time.perf_counter() - began, {**counts, "tasks": TASKS}


def median_ms(call: Callable[[], Any], runs: int) -> float:
    call()  # warm: caches, prepared statements
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def _token(factory, username: str) -> str:  # type: ignore[no-untyped-def]
    with factory() as uow:
        _row, plain = accounts.create_token(uow, username, "bench", service.SYSTEM_ACTOR, NOW)
    return str(plain)


def measure(url: str, factory, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    ops = service.SYSTEM_ACTOR
    with factory() as uow:
        moe, reviewer = service.actor_for(uow, "moe"), service.actor_for(uow, "reviewer-11")
    figures = execute(factory, ops, dashboard.annual_figures, YEAR, now=NOW)
    assert figures.totals.projects == 32 * 11 * PER_CELL, figures.totals.projects
    page = execute(factory, reviewer, task_list.inbox_rows, view="offered", limit=50, now=NOW)
    assert len(page) == 50 and all(r.unit_name and r.project_name for r in page)
    app = create_app(Settings(database_url=url, secret_key=uuid.uuid4().hex), uow_factory=factory,
                     testing=True)
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {_token(factory, 'reviewer-11')}"}

    def api_inbox() -> None:
        response = client.get("/api/v1/tasks?view=offered&limit=50", headers=bearer)
        assert response.status_code == 200 and len(response.get_json()) == 50

    return {
        "dashboard ops (7,040 projects)": median_ms(
            lambda: execute(factory, ops, dashboard.annual_figures, YEAR, now=NOW), runs),
        "dashboard ministry:KT01": median_ms(
            lambda: execute(factory, moe, dashboard.annual_figures, YEAR, now=NOW), runs),
        "dashboard province 11": median_ms(
            lambda: execute(factory, reviewer, dashboard.annual_figures, YEAR, now=NOW), runs),
        "drill-down report:late (all)": median_ms(
            lambda: execute(factory, ops, dashboard.drill_down, YEAR, province=None,
                            key_task=None, measure="report:late", now=NOW, limit=200), runs),
        "excel export (all)": median_ms(
            lambda: execute(factory, ops, export.annual_workbook, YEAR, now=NOW),
            max(1, runs // 5)),
        "inbox_rows page of 50": median_ms(
            lambda: execute(factory, reviewer, task_list.inbox_rows, view="offered",
                            limit=50, now=NOW), runs),
        "inbox_rows page 100 (offset 4,950)": median_ms(
            lambda: execute(factory, reviewer, task_list.inbox_rows, view="offered",
                            limit=50, offset=4950, now=NOW), runs),
        "inbox_totals (1 query)": median_ms(
            lambda: execute(factory, reviewer, task_list.inbox_totals, now=NOW), runs),
        "GET /api/v1/tasks page of 50": median_ms(api_inbox, runs),
        "GET /api/v1/tasks/counts": median_ms(
            lambda: client.get("/api/v1/tasks/counts", headers=bearer), runs),
    }


def run(name: str, url: str, runs: int) -> tuple[str, float, dict[str, int], dict[str, float]]:
    engine = fresh_db(url)
    factory = make_uow_factory(make_sessionmaker(engine))
    seconds, counts = build(factory, engine.dialect.name)
    timings = measure(url, factory, runs)
    engine.dispose()
    return name, seconds, counts, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", default=os.environ.get("VOCFLOW_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    began = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.runs))
        if not args.skip_pg:
            results.append(run("postgresql", args.pg, args.runs))
    counts = results[0][2]
    print(f"data: {counts['instances']:,} instances ({counts['units']:,} projects with a unit "
          f"each, 352 summaries), {counts['years']:,} annual reports, {counts['tasks']:,} "
          f"open tasks ({IN_SCOPE:,} offered to province 11); bulk inserts, not service calls")
    names = list(results[0][3])
    print(f"{'median ms of ' + str(args.runs) + ' runs':<38}"
          + "".join(f"{r[0]:>12}" for r in results))
    for metric in names:
        print(f"{metric:<38}" + "".join(f"{r[3][metric]:>12.1f}" for r in results))
    print(f"{'GET /api/v1 dashboard':<38}" + "".join(f"{'n/a':>12}" for _ in results)
          + "  (no /api/v1 endpoint for the figures)")
    print(f"{'data set built in s':<38}" + "".join(f"{r[1]:>12.1f}" for r in results))
    print("targets: dashboard < 500 ms; task list page of 50 < 150 ms (server time)")
    print(f"bench run time: {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
