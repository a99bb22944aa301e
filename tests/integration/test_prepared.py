"""engine.repository.prepared: writes sent past SQLAlchemy's execution path keep its
types, its errors, the order of the unit of work's statements and its event listeners."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, event, select
from sqlalchemy.exc import IntegrityError

from engine.models import HistoryEvent
from engine.repository.prepared import Prepared

EVENTS = cast(Table, HistoryEvent.__table__)
INSERT = Prepared(EVENTS.insert().inline())
AT = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def _event(i: int, **extra: Any) -> dict[str, Any]:
    return {"instance_id": f"i-{i}", "at": AT, "actor": "a", "action": "prepared",
            "element_id": None, "task_id": "t", "data": {"n": i, "text": "审核 50%"},
            **extra}


def test_rows_written_read_back_as_the_orm_wrote_them(uow_factory, db_engine):
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:
        seen.append(statement)

    event.listen(db_engine, "before_cursor_execute", count)
    try:
        with uow_factory() as uow:
            INSERT.execute(uow.session, _event(1))
            INSERT.execute(uow.session, [_event(2), _event(3)])
            INSERT.execute(uow.session, [])
            # a read after the writes sees them (PostgreSQL: they travel with it)
            got = uow.session.scalars(select(HistoryEvent).where(
                HistoryEvent.action == "prepared").order_by(HistoryEvent.id)).all()
            assert [(e.instance_id, e.data, e.at) for e in got] == [
                (f"i-{i}", {"n": i, "text": "审核 50%"}, AT) for i in (1, 2, 3)]
    finally:
        event.remove(db_engine, "before_cursor_execute", count)
    assert sum(s.startswith("INSERT INTO history_events") for s in seen) == 2


def test_none_in_a_json_column_is_json_null_as_sqlalchemy_writes_it(uow_factory):
    with uow_factory() as uow:
        INSERT.execute(uow.session, {**_event(7), "data": None})
        uow.session.execute(EVENTS.insert(), {**_event(8), "data": None})
        stored = uow.session.execute(
            select(EVENTS.c.instance_id, EVENTS.c.data.is_(None))
            .where(EVENTS.c.action == "prepared").order_by(EVENTS.c.id)).all()
    assert [tuple(row) for row in stored] == [("i-7", False), ("i-8", False)]


def test_a_failing_write_raises_sqlalchemys_error_and_keeps_nothing(uow_factory):
    fails = Prepared(EVENTS.insert().inline())
    with pytest.raises(IntegrityError), uow_factory() as uow:
        INSERT.execute(uow.session, _event(4))
        fails.execute(uow.session, {**_event(5), "action": None})  # NOT NULL
        uow.session.execute(select(HistoryEvent.id)).all()  # PostgreSQL: sent here
    with uow_factory() as uow:
        assert uow.session.scalars(select(HistoryEvent).where(
            HistoryEvent.action == "prepared")).all() == []


def test_a_write_missing_a_value_is_refused_before_it_is_sent(uow_factory):
    update = Prepared(EVENTS.update().where(EVENTS.c.id == bindparam("eid"))
                      .values(actor=bindparam("who")))
    with uow_factory() as uow, pytest.raises(ValueError, match="lacks a value for 'who'"):
        update.execute(uow.session, {"eid": 1})
    with uow_factory() as uow, pytest.raises(ValueError, match="RETURNING"):
        Prepared(EVENTS.insert().returning(EVENTS.c.id)).execute(uow.session, _event(6))
