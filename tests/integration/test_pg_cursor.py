"""engine.pg_cursor: a description made on first read says what psycopg's own says, of the
result it was taken from, and SQLAlchemy's results keep their columns."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from engine.models import HistoryEvent
from engine.pg_cursor import Description, LazyDescriptionCursor


@pytest.fixture
def raw(pg_engine: Engine) -> Any:
    conn = pg_engine.raw_connection()
    try:
        yield conn.dbapi_connection
    finally:
        conn.rollback()
        conn.close()


def _plain(cursor: Any) -> list[tuple[Any, ...]]:
    """psycopg's own description of the cursor's current result, as tuples."""
    return [tuple(column) for column in super(LazyDescriptionCursor, cursor).description]


def test_engine_connections_use_the_lazy_cursor(raw):
    assert isinstance(raw.cursor(), LazyDescriptionCursor)


def test_the_description_is_psycopgs(raw):
    cursor = raw.cursor()
    cursor.execute("SELECT 1 AS n, 'x'::varchar(7) AS s, now() AS at, NULL::jsonb AS j")
    description = cursor.description
    assert isinstance(description, Description)
    assert len(description) == 4 and bool(description)
    assert [tuple(c) for c in description] == _plain(cursor)
    assert description[1].name == "s" and description[1].type_display == "varchar(7)"
    assert [c.name for c in description[-2:]] == ["at", "j"]


def test_no_columns_no_description_as_before(raw):
    cursor = raw.cursor()
    cursor.execute("CREATE TEMPORARY TABLE lazy_t (id int)")
    assert cursor.description is None
    cursor.execute("INSERT INTO lazy_t VALUES (1)")
    assert cursor.description is None
    cursor.execute("SELECT")  # tuples, no columns: an empty description, not None
    assert cursor.description is not None and len(cursor.description) == 0


def test_a_description_keeps_describing_its_own_result(raw):
    cursor = raw.cursor()
    cursor.execute("SELECT 1 AS first_one, 2 AS second_one")
    taken = cursor.description
    cursor.execute("SELECT 'other' AS other")
    assert [c.name for c in taken] == ["first_one", "second_one"]
    assert [c.name for c in cursor.description] == ["other"]


def test_sqlalchemy_results_keep_their_columns(pg_engine):
    with pg_engine.connect() as conn:
        for _ in range(2):  # the second run takes SQLAlchemy's cached result metadata
            row = conn.execute(text("SELECT 1 AS a, 'b' AS b")).one()
            assert row._mapping == {"a": 1, "b": "b"}
            got = conn.execute(select(HistoryEvent.id, HistoryEvent.action).limit(1))
            assert list(got.keys()) == ["id", "action"]
