"""engine.pg_fold: queued writes folded into one statement only when that cannot change
what they do; where it could, they go one by one, with the outcome they always had. Each
case runs on both databases (SQLite never folds: the outcome is the reference) and fails
if the rule that keeps it apart is taken out (checked by hand for each)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from engine import db, pg_fold, pg_shapes
from engine.errors import ConcurrencyConflict
from engine.models import (
    HistoricActivity,
    HistoryEvent,
    HumanTask,
    ProcessInstance,
    TaskCandidate,
)
from engine.pg_shapes import ROWS, describe
from engine.repository.activity_history import _upsert
from engine.repository.prepared import Prepared
from engine.repository.tasks import _DELETE_TASK, _INSERT_CANDIDATE, _INSERT_TASK
from engine.service import runtime
from tests.factories import NOW, deploy_fixture, open_tasks, start

pytestmark = pytest.mark.committed_db  # real BEGIN and COMMIT: the queue as in production
_EVENTS = Prepared(HistoryEvent.__table__.insert().inline())


@pytest.fixture
def folds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """Each fold's outcome on PostgreSQL: per statement sent, "folded" or its SQL's start;
    shapes are folded from their first use."""
    monkeypatch.setattr(pg_fold, "FOLD_AFTER", 1)
    monkeypatch.setattr(pg_fold, "MAX_SHAPES", 10**6)  # however many the run made before
    sent: list[list[str]] = []
    real = db.fold

    def spy(items: Any) -> list[Any]:
        out = real(items)
        sent.append(["folded" if i[3] is pg_fold.FOLDED else str(i[0])[:20] for i in out])
        return out

    monkeypatch.setattr(db, "fold", spy)
    yield sent


def _instance_with_task(uow_factory: Any) -> tuple[str, Any]:
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    [task] = open_tasks(uow_factory, instance.id)
    return instance.id, task


def _row(task: Any, **changes: Any) -> dict[str, Any]:
    row = {c.key: getattr(task, c.key) for c in HumanTask.__table__.columns}
    return {**row, **changes}


def test_a_task_deleted_and_inserted_again_under_its_id(uow_factory, dialect, folds):
    """Sequentially the DELETE frees the key for the INSERT; in one statement the INSERT
    could run first and collide: kept apart (the rows removed by key are the INSERT's)."""
    _, task = _instance_with_task(uow_factory)
    with uow_factory() as uow:
        uow.tasks.delete_ids([task.id])
        uow.tasks.insert_open([_row(task, name="again")],
                              [{"task_id": task.id, "kind": "group", "value": "ops"}])
    with uow_factory() as uow:
        assert uow.tasks.get(task.id).name == "again"
        assert [(c.kind, c.value) for c in uow.session.scalars(
            select(TaskCandidate).where(TaskCandidate.task_id == task.id))] == [("group", "ops")]
    if dialect == "postgresql":
        assert folds[-1][1:3] == ["DELETE FROM human_ta", "folded"]  # INSERTs folded


def test_other_keys_deleted_and_inserted_go_as_one(uow_factory, dialect, folds):
    _, task = _instance_with_task(uow_factory)
    with uow_factory() as uow:
        uow.tasks.delete_ids([task.id])
        uow.tasks.insert_open([_row(task, id="t-new", name="new")],
                              [{"task_id": "t-new", "kind": "group", "value": "ops"}])
    with uow_factory() as uow:
        assert uow.tasks.get(task.id) is None
        assert uow.tasks.get("t-new").name == "new"
    if dialect == "postgresql":
        assert folds[-1] == ["BEGIN", "folded"]


def test_one_activity_upserted_twice_in_one_write_keeps_the_second(uow_factory, dialect,
                                                                   folds):
    """Two rows of one key in one INSERT ... ON CONFLICT would be an error ('cannot affect
    row a second time'); row by row the second updates the first."""
    instance_id, task = _instance_with_task(uow_factory)
    run = {"id": "Run_1:x", "instance_id": instance_id, "parent_id": instance_id,
           "execution_id": "x", "element_id": "Run_1", "name": "r", "type": "userTask",
           "task_id": "x", "assignee": None, "started_at": NOW, "ended_at": None,
           "duration_ms": None, "canceled": False, "complete_scope": False, "occurrence": 1}
    with uow_factory() as uow:
        _INSERT_TASK.execute(uow.session, _row(task, id="t-1"))
        uow.activity_history.record([run, {**run, "name": "second"}])
    with uow_factory() as uow:
        _INSERT_TASK.execute(uow.session, _row(task, id="t-2"))
        uow.activity_history.record([{**run, "id": "Run_2:x"}, {**run, "id": "Run_3:x"}])
    with uow_factory() as uow:
        assert uow.session.get(HistoricActivity, "Run_1:x").name == "second"
        assert uow.session.get(HistoricActivity, "Run_3:x") is not None
    if dialect == "postgresql":
        assert folds[-2:] == [["BEGIN", "INSERT INTO human_ta", "INSERT INTO historic"],
                              ["BEGIN", "folded"]]


def test_writes_around_one_that_cannot_fold_all_arrive_in_order(uow_factory, dialect,
                                                                folds):
    """An ORM INSERT (no Shape) in the queue ends the run before it and starts a new one."""
    _, task = _instance_with_task(uow_factory)
    with uow_factory() as uow:
        _INSERT_TASK.execute(uow.session, _row(task, id="t-a"))
        _INSERT_CANDIDATE.execute(uow.session, {"task_id": "t-a", "kind": "group",
                                                "value": "x"})
        uow.session.add(TaskCandidate(task_id="t-a", kind="group", value="y"))
        uow.flush()
        _INSERT_CANDIDATE.execute(uow.session, {"task_id": "t-a", "kind": "user",
                                                "value": "z"})
        _EVENTS.execute(uow.session, {"instance_id": task.instance_id, "at": NOW,
                                      "actor": "a", "action": "after", "element_id": None,
                                      "task_id": None, "data": None})
    with uow_factory() as uow:
        assert sorted(c.value for c in uow.session.scalars(
            select(TaskCandidate).where(TaskCandidate.task_id == "t-a"))) == ["x", "y", "z"]
        assert "after" in {e.action for e in uow.history.for_instance(task.instance_id)}
    if dialect == "postgresql":
        assert folds[-1] == ["BEGIN", "folded", "INSERT INTO task_can", "folded"]


def test_rows_numbered_by_a_sequence_keep_the_order_they_were_written(uow_factory,
                                                                      dialect, folds):
    """history_events ids come from a sequence: parts of one statement take theirs in no
    promised order, so such INSERTs go one by one (an executemany keeps its rows' order)."""
    instance_id, _ = _instance_with_task(uow_factory)
    event = {"instance_id": instance_id, "at": NOW, "actor": "a", "element_id": None,
             "task_id": None, "data": None}
    with uow_factory() as uow:
        _INSERT_TASK.execute(uow.session, _row(_task_of(uow_factory, instance_id), id="t-o"))
        _EVENTS.execute(uow.session, [{**event, "action": "e1"}, {**event, "action": "e2"}])
        _EVENTS.execute(uow.session, {**event, "action": "e3"})
        _EVENTS.execute(uow.session, {**event, "action": "e4"})
    with uow_factory() as uow:
        actions = [e.action for e in uow.history.for_instance(instance_id)]
    assert [a for a in actions if a.startswith("e")] == ["e1", "e2", "e3", "e4"]
    if dialect == "postgresql":
        assert "folded" not in folds[-1][2:]


def _task_of(uow_factory: Any, instance_id: str) -> Any:
    return open_tasks(uow_factory, instance_id)[0]


def test_a_child_row_before_its_parent_still_fails(uow_factory, folds):
    """The candidate's foreign key is checked when it is inserted, before its task; in one
    statement it would be checked at the end, after the task came."""
    _, task = _instance_with_task(uow_factory)
    with pytest.raises(IntegrityError), uow_factory() as uow:
        _INSERT_CANDIDATE.execute(uow.session, {"task_id": "t-later", "kind": "group",
                                                "value": "ops"})
        _INSERT_TASK.execute(uow.session, _row(task, id="t-later"))
    with uow_factory() as uow:
        assert uow.tasks.get("t-later") is None


def test_a_lost_version_race_fails_the_folded_save_whole(uow_factory, dialect, folds):
    instance_id, task = _instance_with_task(uow_factory)
    with pytest.raises(ConcurrencyConflict), uow_factory() as uow:
        row = uow.instances.get(instance_id)
        uow.session.execute(  # what a second writer's committed step would have done
            update(ProcessInstance).where(ProcessInstance.id == instance_id)
            .values(version=ProcessInstance.version + 1)
            .execution_options(synchronize_session=False))
        uow.task_history.ended([task.id], NOW, "completed", by="staff_member")
        uow.tasks.delete_ids([task.id])
        uow.tasks.insert_open([_row(task, id="t-raced")], [])
        runtime.record(uow, instance_id, "system", "lost_race", NOW)
        uow.instances.update_columns(row, {"stall_reason": "lost race"}, uow.history)
    with uow_factory() as uow:
        assert uow.tasks.get(task.id) is not None and uow.tasks.get("t-raced") is None
        assert "lost_race" not in {e.action for e in uow.history.for_instance(instance_id)}
    if dialect == "postgresql":
        assert folds[-1] == ["folded"]  # all four writes and the UPDATE as one


# --- the rules, on the shapes alone (no database) ------------------------------------


def _item(prepared: Prepared, rows: list[dict[str, Any]]) -> Any:
    stmt = prepared.statement
    sql = str(stmt.compile(dialect=postgresql.dialect(), column_keys=list(rows[0])))
    return (sql, rows if len(rows) > 1 else rows[0], len(rows) > 1, describe(stmt, sql))


def test_a_delete_by_key_names_the_rows_it_and_its_cascades_remove():
    shape = describe(_DELETE_TASK.statement, "DELETE ...")
    assert shape is not None and shape.key_params == ("tid",)
    assert shape.removes == (("human_tasks", ("id",)), ("task_candidates", ("task_id",)),
                             ("task_details", ("task_id",)))
    assert ("task_candidates", ROWS) in shape.writes


def test_a_decision_kept_for_a_sequence_is_checked_against_its_values(monkeypatch):
    monkeypatch.setattr(pg_fold, "FOLD_AFTER", 1)
    monkeypatch.setattr(pg_fold, "MAX_SHAPES", 10**6)
    task = {c.key: None for c in HumanTask.__table__.columns}
    upsert = _upsert("postgresql")
    run = {c.key: None for c in HistoricActivity.__table__.columns}

    def queue(deleted: str, inserted: str, runs: tuple[str, str]) -> list[str]:
        items = [_item(_DELETE_TASK, [{"tid": deleted}]),
                 _item(_INSERT_TASK, [{**task, "id": inserted}]),
                 _item(upsert, [{**run, "id": runs[0]}, {**run, "id": runs[1]}])]
        return ["folded" if i[3] is pg_fold.FOLDED else i[0][:6] for i in pg_fold.fold(items)]

    assert queue("a", "b", ("r1", "r2")) == ["folded"]
    assert queue("a", "a", ("r1", "r2")) == ["DELETE", "folded"]
    assert queue("a", "b", ("r1", "r1")) == ["folded", "INSERT"]
    assert queue("c", "d", ("r3", "r4")) == ["folded"]


def test_the_schema_has_what_the_fold_knows_of_it(db_engine, dialect):
    """The fold reads unique keys and foreign keys from the models and knows of no
    triggers: the database must agree (PostgreSQL)."""
    if dialect != "postgresql":
        pytest.skip("only PostgreSQL folds")
    with db_engine.connect() as conn:
        triggers = conn.execute(text(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")).all()
        unique = conn.execute(text(
            "SELECT t.relname, array_agg(a.attname::text) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = "
            "t.relnamespace JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = "
            "ANY(i.indkey) WHERE i.indisunique AND n.nspname = current_schema() "
            "GROUP BY t.relname, i.indexrelid")).all()
    assert triggers == []
    known = pg_shapes.UNIQUE_SETS
    pg_shapes.learn(HumanTask.__table__)
    for table, columns in unique:
        if table in known:
            assert set(columns) in known[table], (table, columns)
