"""A step and a timer fire keep their number of statements (and, on PostgreSQL, of round
trips to the server): counted by SQLAlchemy's cursor events and by libpq's protocol trace."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine, event, update
from sqlalchemy.exc import IntegrityError

from engine import clock, external, jobs, pg_fold, service
from engine.config import Settings
from engine.errors import ConcurrencyConflict
from engine.models import ProcessInstance
from engine.service import Actor
from tests.factories import NOW, deploy_fixture, open_tasks, start

pytestmark = pytest.mark.committed_db  # real BEGIN and COMMIT, as in production

STAFF = Actor("staff_member", frozenset({"staff"}))
SETTINGS = Settings(job_lease_seconds=60)
# statements sent / round trips (PostgreSQL) of one unit of work, once caches are warm;
# SQLite's BEGIN IMMEDIATE is sent on the sqlite3 connection itself (engine/db.py), which
# SQLAlchemy's cursor events do not see: it is not among the SQLite counts. The append-only
# writes go past SQLAlchemy's execution path (engine/repository/prepared.py), which still
# tells its before_cursor_execute listeners, so they are counted
# the task with its instance (locked) and delegation state in one SELECT; end the old
# historic task, drop the task, insert the new task, its candidates and its historic task
# row (whose id the INSERT itself picks); the one upsert of the activity instances the step
# started and ended (/history/activity-instance); the versioned UPDATE (on PostgreSQL
# carrying the events); SQLite: the events' INSERT. PostgreSQL sends every write with the
# next statement that needs an answer: the SELECT, then the COMMIT (the UPDATE checks its
# own row count on the server, so nobody waits for it).
STEP = {"sqlite": 9, "postgresql": 8}
STEP_ROUND_TRIPS = 2
# What the PostgreSQL server runs of those: BEGIN, the SELECT, the writes and the UPDATE
# folded into one statement (engine/pg_fold.py), COMMIT. Unfolded it was 12 (the activity
# upsert's rows each one).
STEP_EXECUTED = 4
CLAIM = {"sqlite": 1, "postgresql": 1}  # one UPDATE picks and leases the due timers
CLAIM_ROUND_TRIPS = 2
# the instance with its jobs (one SELECT; PostgreSQL: the row lock alone before it), the
# job's DELETE, activities, the activity instances' upsert, UPDATE (PostgreSQL: with the
# events), SQLite: the events' INSERT
FIRE = {"sqlite": 6, "postgresql": 6}
FIRE_ROUND_TRIPS = 2  # the lock with the read after it, the COMMIT (carrying the writes)


@dataclass
class Counts:
    statements: list[str] = field(default_factory=list)
    round_trips: int = 0
    executed: int = 0  # PostgreSQL: statements the server ran (Execute messages sent)


@contextmanager
def counted(engine: Engine) -> Iterator[Counts]:
    """Statements SQLAlchemy hands the driver and, on PostgreSQL, the protocol's round trips
    (each switch from client messages to server messages in libpq's trace)."""
    counts = Counts()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counts.statements.append(statement.split("\n")[0][:80])

    traced: list[Any] = []
    trace = tempfile.NamedTemporaryFile("w+", suffix=".trace", delete=False)  # noqa: SIM115

    def checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_conn not in traced:
            dbapi_conn.pgconn.trace(trace.fileno())
            traced.append(dbapi_conn)

    event.listen(engine, "before_cursor_execute", before)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", checkout)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", before)
        if engine.dialect.name == "postgresql":
            event.remove(engine, "checkout", checkout)
        for dbapi_conn in traced:
            dbapi_conn.pgconn.untrace()
        trace.seek(0)
        lines = [line.split("\t") for line in trace.read().splitlines() if "\t" in line]
        sides = [parts[1] for parts in lines]
        counts.round_trips = sum(1 for a, b in zip(sides, sides[1:], strict=False)
                                 if (a, b) == ("F", "B"))
        counts.executed = sum(1 for parts in lines
                              if parts[1] == "F" and len(parts) > 3 and parts[3] == "Execute")
        trace.close()
        os.unlink(trace.name)


def _complete(uow_factory: Any, task_id: str) -> None:
    with uow_factory() as uow:
        service.complete_task(uow, task_id, {"done": False}, STAFF, NOW)


def test_a_user_task_step_keeps_its_statements(uow_factory, db_engine, dialect):
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    # warm: the spec cache, the restored workflow, prepared statements, the folded shape
    for _ in range(max(2, pg_fold.FOLD_AFTER)):
        _complete(uow_factory, open_tasks(uow_factory, instance.id)[0].id)
    [task] = open_tasks(uow_factory, instance.id)
    with counted(db_engine) as counts:
        _complete(uow_factory, task.id)
    assert len(counts.statements) == STEP[dialect], counts.statements
    if dialect == "postgresql":
        assert counts.round_trips == STEP_ROUND_TRIPS, counts.statements
        assert counts.executed == STEP_EXECUTED, counts.statements
    [again] = open_tasks(uow_factory, instance.id)
    assert again.element_id == "Task_Edit" and again.id != task.id  # the step happened


def _warm_due_external(uow_factory: Any) -> None:
    """psycopg prepares a statement at its 5th use on a connection, one round trip more
    that once; the due external-task SELECT (its text depends on the topics other tests
    registered) is used enough on every pooled connection first, so the count is the
    claim's own and not the session's history."""
    handled = external.topics()
    for _ in range(PREPARE_THRESHOLD * POOLED) if handled else ():
        with uow_factory() as uow:
            uow.events.due_external(handled, clock.now(), 10)


PREPARE_THRESHOLD = 5  # psycopg's default prepare_threshold
POOLED = 6  # more than SQLAlchemy's QueuePool keeps (5): its FIFO order reaches them all


def test_a_timer_claim_and_fire_keep_their_statements(uow_factory, db_engine, dialect):
    deploy_fixture(uow_factory, "timer_date.bpmn")
    with time_machine.travel(NOW, tick=False):
        first = start(uow_factory, "timer_date", NOW, fire_at="2026-12-01T08:00:00+08:00")
        second = start(uow_factory, "timer_date", NOW, fire_at="2026-12-01T08:00:00+08:00")
    due = datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC)
    with time_machine.travel(due, tick=False):
        [one] = jobs.poll(uow_factory, SETTINGS, "w1", now=clock.now, limit=1)  # warm
        _warm_due_external(uow_factory)
        with counted(db_engine) as claim:
            [(job_id, kind, instance_id)] = jobs._claim(uow_factory, "w1", clock.now(),
                                                        SETTINGS, 10)
        with counted(db_engine) as fire:
            outcome = jobs.run_job(uow_factory, job_id, kind, "w1", SETTINGS, clock.now,
                                   instance_id)
    assert {one.result, outcome.result} == {"fired"}
    assert instance_id in {first.id, second.id}
    looked = 1 if external.topics() else 0  # handlers registered: due external tasks too
    assert len(claim.statements) == CLAIM[dialect] + looked, claim.statements
    assert len(fire.statements) == FIRE[dialect], fire.statements
    if dialect == "postgresql":
        assert claim.round_trips == CLAIM_ROUND_TRIPS + looked, claim.statements
        assert fire.round_trips == FIRE_ROUND_TRIPS, fire.statements
    for instance in (first, second):
        with uow_factory() as uow:
            assert uow.instances.get(instance.id).status == "completed"


def test_a_failing_write_sent_late_fails_its_unit_of_work_alone(uow_factory, dialect):
    """On PostgreSQL the INSERT travels with the COMMIT; its error still fails the unit of
    work (as SQLAlchemy's IntegrityError) and the connection serves the next one."""
    orphan = {"id": "t-orphan", "instance_id": "no-such-instance", "process_key": "p",
              "element_id": "Task_X", "name": None, "form_key": None, "assignee": None,
              "candidate_groups": [], "candidate_users": [], "due_at": None,
              "follow_up_at": None, "priority": 50, "province_code": None, "key_task": None,
              "unit_id": None, "created_at": NOW}
    for _ in range(3):  # every pooled connection, more than once
        with pytest.raises(IntegrityError), uow_factory() as uow:
            uow.tasks.insert_open([orphan], [])
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Edit"
    with uow_factory() as uow:
        assert uow.tasks.get("t-orphan") is None


def test_a_versioned_update_that_lost_its_race_fails_its_unit_of_work(uow_factory, dialect):
    """The instance's version moved after it was read: ConcurrencyConflict, though on
    PostgreSQL the UPDATE checks its row count on the server and travels with the COMMIT;
    nothing of the unit of work is kept."""
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    with pytest.raises(ConcurrencyConflict), uow_factory() as uow:
        row = uow.instances.get(instance.id)
        uow.session.execute(  # what a second writer's committed step would have done
            update(ProcessInstance).where(ProcessInstance.id == instance.id)
            .values(version=ProcessInstance.version + 1)
            .execution_options(synchronize_session=False))
        uow.instances.update_columns(row, {"stall_reason": "lost race"}, uow.history)
        service.runtime.record(uow, instance.id, "system", "lost_race", NOW)
    with uow_factory() as uow:
        assert uow.instances.get(instance.id).stall_reason is None
        assert "lost_race" not in {e.action for e in uow.history.for_instance(instance.id)}
    [task] = open_tasks(uow_factory, instance.id)  # the connection serves the next one
    _complete(uow_factory, task.id)
