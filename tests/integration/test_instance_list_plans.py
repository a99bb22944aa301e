"""The /api/v1 instance list filtered by status (and process) reads its page in index order
and stops at the limit (migration 0077), with no sort of every matching row, in a bounded
number of statements."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, text

from engine.models import ProcessInstance
from engine.service import SYSTEM_ACTOR, instance_lists
from engine.uow import UnitOfWork, UowFactory
from tests.factories import NOW, deploy_files, start

JS_FLOW = Path(__file__).resolve().parent.parent / "api" / "engine_rest" / "fixtures"
ROWS = 3000


def _seed(uow_factory: UowFactory) -> None:
    """ROWS finished copies of one started instance, as bench/camunda_rest.py seeds them."""
    deploy_files(uow_factory, JS_FLOW / "js_flow.bpmn")
    template = start(uow_factory, "js_flow", business_key="seed")
    base = {c.key: getattr(template, c.key) for c in ProcessInstance.__table__.columns}
    # a tenth completed, a third of the process: the filters pick few rows (100 for both)
    rows = [{**base, "id": str(uuid.uuid4()), "business_key": f"seed-{n}",
             "process_key": "js_flow" if n % 3 == 0 else "js_flow_copy",
             "status": "completed" if n % 10 == 0 else "terminated",
             "started_at": NOW - timedelta(minutes=5 * n),
             "ended_at": NOW - timedelta(minutes=5 * n - 1)} for n in range(ROWS)]
    with uow_factory() as uow:
        uow.session.execute(insert(ProcessInstance.__table__), rows)
        if uow.session.get_bind().dialect.name == "postgresql":
            # the planner's view of a table this size, not of the test database's stale
            # counts; before 0077 it chose a bitmap scan and a sort of every match with it
            uow.session.execute(text("ANALYZE process_instances"))


@contextmanager
def _statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _plan(uow: UnitOfWork, statement: str, params: Any, dialect: str) -> str:
    prefix = "EXPLAIN " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    rows = uow.session.connection().exec_driver_sql(prefix + statement, params).all()
    return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize(("filters", "index"), [
    ({"process_key": "js_flow", "status": "completed"}, "key_status_started"),
    ({"status": "completed"}, "ix_process_instances_status_started"),
])
def test_a_status_filtered_page_is_read_in_index_order(uow_factory, db_engine, dialect,
                                                       filters, index):
    _seed(uow_factory)
    with uow_factory() as uow, _statements(db_engine) as seen:
        rows = instance_lists.list_instances(uow, actor=SYSTEM_ACTOR, limit=51, **filters)
        statements = [(s, p) for s, p in seen if not s.startswith("SAVEPOINT")]  # the test's
        listing = next((s, p) for s, p in statements if "FROM process_instances" in s)
        plan = _plan(uow, *listing, dialect)
    assert len(rows) == 51
    assert [r["started_at"] for r in rows] == sorted((r["started_at"] for r in rows),
                                                     reverse=True)
    assert index in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan  # no sort of every match
    assert "Bitmap" not in plan, plan
    # the page, then the open incidents of its rows: not one statement per row
    assert len(statements) <= 2, [s for s, _ in statements]
