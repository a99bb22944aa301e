"""Writes nobody reads back, sent without SQLAlchemy's per-statement execution path.

A step's append-only writes (task rows, candidates, historic tasks, activity instances,
history events) are the same few statements every time. Through `session.execute` each
costs about 120 Python calls (cache lookup, execution context, parameter processing,
result set-up) for a statement whose result is never read. A `Prepared` write compiles its
statement once per dialect and parameter keys, converts values with the same bind
processors SQLAlchemy would use, and hands the SQL to the driver: on SQLite the sqlite3
cursor of the unit of work's connection, on PostgreSQL the queue that engine.db sends with
the next statement needing an answer (or the COMMIT). Errors are raised as SQLAlchemy's
(IntegrityError, ...), and `before_cursor_execute` listeners still see each statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from engine.db import flush_queue, write_queue
from engine.pg_shapes import Shape, describe

Row = Mapping[str, Any]


@dataclass(frozen=True)
class _Form:
    """One compiled shape: SQL, and how a row becomes the driver's parameters."""

    sql: str
    names: tuple[str, ...]  # bind names in the order the driver takes them (positional)
    out: tuple[str, ...]  # the driver's parameter names (named paramstyle)
    sources: tuple[str | None, ...]  # row key per bind; None: the bind's own value
    fixed: tuple[Any, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    positional: bool
    shape: Shape | None  # PostgreSQL: what it reads and writes, for folding it with others

    def convert(self, row: Row) -> Any:
        values = []
        for source, fixed, process in zip(self.sources, self.fixed, self.processors,
                                          strict=True):
            value = row[source] if source is not None else fixed
            # None goes through the processor too, as in SQLAlchemy: JSON makes it 'null'
            values.append(process(value) if process is not None else value)
        return tuple(values) if self.positional else dict(zip(self.out, values, strict=True))


class Prepared:
    """A Core INSERT, UPDATE or DELETE without RETURNING, for rows of the same keys."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._forms: dict[tuple[str, tuple[str, ...]], _Form] = {}

    def execute(self, session: Session, params: Row | Sequence[Row]) -> None:
        """Send the statement for one row (a mapping) or several (an executemany)."""
        rows = [params] if isinstance(params, Mapping) else list(params)
        if rows:
            self._run(session, rows, queue=True)

    def rowcount(self, session: Session, row: Row) -> int:
        """Run the statement for one row now (never queued) and return its row count."""
        return self._run(session, [row], queue=False)

    def _run(self, session: Session, rows: list[Row], queue: bool) -> int:
        conn = session.connection()
        keys = tuple(rows[0])
        form = self._forms.get((conn.dialect.name, keys)) or self._compile(conn, keys)
        many = len(rows) > 1
        values = [form.convert(row) for row in rows] if many else form.convert(rows[0])
        if conn._has_events or conn.engine._has_events:  # e.g. statement counters, echo
            for listener in conn.dispatch.before_cursor_execute:
                listener(conn, None, form.sql, values, None, many)
        return _send(conn, form, values, many, queue)

    def _compile(self, conn: Connection, keys: tuple[str, ...]) -> _Form:
        dialect = conn.dialect
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=list(keys))
        if (compiled.insert_prefetch or compiled.update_prefetch
                or compiled.post_compile_params or compiled.literal_execute_params
                or getattr(compiled, "effective_returning", None)):
            raise ValueError("a prepared write needs every column given, no Python-side "
                             "defaults, no expanding parameters and no RETURNING")
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup if positional else compiled.binds)
        escaped = compiled.escaped_bind_names or {}
        processors = compiled._bind_processors
        sources: list[str | None] = []
        fixed: list[Any] = []
        for name in names:
            bind = compiled.binds[name]
            if name in keys:
                sources.append(name)
                fixed.append(None)
            elif bind.callable is None and not bind.required:
                sources.append(None)
                fixed.append(bind.value)
            else:
                raise ValueError(f"a prepared write lacks a value for {name!r}")
        form = _Form(compiled.string, names, tuple(escaped.get(n, n) for n in names),
                     tuple(sources), tuple(fixed), tuple(processors.get(n) for n in names),
                     positional, describe(self.statement, compiled.string)
                     if dialect.name == "postgresql" else None)
        self._forms[(dialect.name, keys)] = form
        return form


def _send(conn: Connection, form: _Form, values: Any, many: bool, queue: bool) -> int:
    """The row count, or -1 when the statement was queued."""
    sql = form.sql
    waiting = write_queue(conn)
    if waiting is not None and queue:  # PostgreSQL: sent with the next one needing an answer
        waiting.append((sql, values, many, form.shape))
        return -1
    if waiting:  # keep the order: what waits goes first
        flush_queue(conn)
    dbapi = conn.dialect.loaded_dbapi
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
        return int(cursor.rowcount)
    except dbapi.Error as error:
        raise DBAPIError.instance(sql, values, error, dbapi.Error,
                                  dialect=conn.dialect) from error
    finally:
        cursor.close()
