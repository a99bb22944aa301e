"""PostgreSQL: queued writes folded into one statement (data-modifying CTEs) when that
cannot change what they do.

A step's save queues about seven writes (engine/db.py sends them with the COMMIT); each
costs psycopg about 11 us of client work and the server about 6 us beside its own work
(docs/perf-issue-12.md). Folded, `WITH f0 AS (w0), f1 AS (w1) w2` runs them as one.

One statement is not the same as several in a row: all its parts see the database as it
was when the statement began (none sees another's rows), in an order nobody promises, and
a row changed twice in it is changed once. So a write joins the group before it only if
it reads nothing the group wrote (its WHERE, its subqueries, its own target when it
updates, deletes or upserts, and the tables a delete cascades to), and an INSERT joins
only if no row it could collide with may have been removed by the group: a delete by
primary key (or its cascade) of other keys, when every unique key of the table holds
those columns. An INSERT of a parent row never follows one of its child rows (the
foreign key check would come at the end of the statement, not at once). Anything not
described here (the ORM's INSERTs, a lock) is sent as it was and starts a new group.

Only shapes seen a few times are folded and they are prepared at once: a folded shape seen
once would be parsed and planned as a whole, while its parts are prepared already.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from engine.pg_shapes import CHILDREN, ROWS, UNIQUE, UNIQUE_SETS, Shape

try:  # psycopg's query conversion, cached for statements of any length (see _Query)
    from psycopg._queries import PostgresQuery, _query2pg_nocache
    FOLD_FITS = hasattr(psycopg.Cursor, "_query_cls")
except ImportError:  # pragma: no cover - another psycopg: nothing is folded
    FOLD_FITS = False

FOLD_AFTER = 5  # a shape is folded from its fifth time in this process ...
MAX_SHAPES = 64  # ... and at most this many shapes (each a prepared statement per connection)
_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s")

# SQL, parameters, executemany, what it does (a Shape; FOLDED: folded here; None: unknown)
Item = tuple[Any, Any, bool, Shape | str | None]


# --- groups -------------------------------------------------------------------------


@dataclass
class _Group:
    items: list[Item] = field(default_factory=list)
    writes: set[tuple[str, str]] = field(default_factory=set)
    row_tables: set[str] = field(default_factory=set)
    inserted: set[str] = field(default_factory=set)
    # table -> rows removed: (key columns, keys) or None (unknown rows)
    removed: dict[str, list[tuple[tuple[str, ...], set[tuple[Any, ...]]] | None]] = field(
        default_factory=dict)
    closed: bool = False

    def admits(self, shape: Shape, rows: Sequence[Any]) -> bool:
        tables = {t for t, _ in self.writes}
        if shape.whole & tables or shape.reads & self.writes:
            return False
        if {t for t, _ in shape.reads} & self.row_tables:
            return False
        if shape.op in ("insert", "upsert", "checked"):
            for table, _ in (w for w in shape.writes if w[1] == ROWS):
                if not self._insertable(table, shape, rows):
                    return False
        return self._rows_apart(shape, rows)

    def _insertable(self, table: str, shape: Shape, rows: Sequence[Any]) -> bool:
        if table in {t for t, c in self.writes if c != ROWS and c in UNIQUE.get(table, ())}:
            return False  # a unique column changed: an insert may now collide, or not
        if CHILDREN.get(table, set()) & self.inserted:
            return False  # a child row came first: its foreign key is checked at the end
        params = dict(shape.columns)
        for removed in self.removed.get(table, []):
            if removed is None:
                return False
            columns, keys = removed
            if any(c not in params or params[c] not in row for c in columns for row in rows):
                return False
            if any(not set(columns) <= u for u in UNIQUE_SETS.get(table, [])):
                return False
            if any(tuple(row[params[c]] for c in columns) in keys for row in rows):
                return False
        return True

    @staticmethod
    def _rows_apart(shape: Shape, rows: Sequence[Any]) -> bool:
        """Several rows of one write in one statement: fine for inserts that read nothing
        they write, and for writes by key with all keys different."""
        if len(rows) == 1:
            return True
        if shape.key_params:
            keys = {tuple(row[p] for p in shape.key_params) for row in rows}
            return len(keys) == len(rows)
        if shape.op != "insert":
            return False
        return not ({t for t, _ in shape.reads} & {t for t, _ in shape.writes})

    def add(self, item: Item, shape: Shape, rows: Sequence[Any]) -> None:
        self.items.append(item)
        self.writes |= shape.writes
        self.row_tables |= {t for t, c in shape.writes if c == ROWS}
        if shape.op == "insert":
            self.inserted.add(shape.table)
        for table, columns in shape.removes:
            if columns is None or not shape.key_params:
                self.removed.setdefault(table, []).append(None)
                continue
            # the target's key, or a cascade's key column holding it (one column)
            keys = {tuple(row[p] for p in shape.key_params) for row in rows}
            self.removed.setdefault(table, []).append((columns, keys))
        self.closed = shape.last


def _rows(item: Item) -> list[Any]:
    return list(item[1]) if item[2] else [item[1]]


def fold(items: Sequence[Item]) -> list[Item]:
    """The queue with each run of writes that may go together folded into one."""
    groups: list[_Group | Item] = []
    current: _Group | None = None
    for item in items:
        shape = item[3]
        if not isinstance(shape, Shape):
            groups.append(item)
            current = None
            continue
        rows = _rows(item)
        if current is None or current.closed or not current.admits(shape, rows):
            current = _Group()
            if not current.admits(shape, rows):  # rows that cannot share one statement
                groups.append(item)
                current = None
                continue
            groups.append(current)
        current.add(item, shape, rows)
    out: list[Item] = []
    for group in groups:
        if isinstance(group, _Group):
            out.extend(_folded(group.items))
        else:
            out.append(group)
    return out


# --- folded statements ----------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    sql: bytes
    renames: tuple[tuple[tuple[str, str], ...], ...]  # per row: (parameter, folded name)


_SEEN: dict[tuple[tuple[str, int], ...], int] = {}
_PLANS: dict[tuple[tuple[str, int], ...], _Plan] = {}
FOLDED = "vocflow_folded"  # the 4th element of a folded item (instead of a Shape)


def _folded(items: list[Item]) -> list[Item]:
    if len(items) == 1:
        return items
    key = tuple((item[0], len(item[1]) if item[2] else 0) for item in items)
    plan = _PLANS.get(key)
    if plan is None:
        seen = _SEEN[key] = _SEEN.get(key, 0) + 1
        if seen < FOLD_AFTER or len(_PLANS) >= MAX_SHAPES:
            if len(_SEEN) > 4 * MAX_SHAPES:
                _SEEN.clear()
            return items
        plan = _PLANS[key] = _plan(items)
    params: dict[str, Any] = {}
    rows = [row for item in items for row in _rows(item)]
    for renames, row in zip(plan.renames, rows, strict=True):
        for name, folded in renames:
            params[folded] = row[name]
    return [(plan.sql, params, False, FOLDED)]


def _renamer(prefix: str) -> Any:
    return lambda match: f"%({prefix}{match.group(1)})s"


def _plan(items: list[Item]) -> _Plan:
    sqls = [item[0] for item in items for _ in _rows(item)]
    parts, renames = [], []
    for n, sql in enumerate(sqls):
        prefix = f"f{n}_"
        names = tuple(dict.fromkeys(_PLACEHOLDER.findall(sql)))
        renames.append(tuple((name, prefix + name) for name in names))
        parts.append(_PLACEHOLDER.sub(_renamer(prefix), sql))
    *ctes, main = parts
    with_list = ", ".join(f"vocflow_f{n} AS ({sql})" for n, sql in enumerate(ctes))
    if main.startswith("WITH "):
        text = f"WITH {with_list}, {main[5:]}"
    else:
        text = f"WITH {with_list} {main}"
    return _Plan(text.encode(), tuple(renames))


if FOLD_FITS:
    _CONVERTED: dict[tuple[bytes, str], Any] = {}

    class _Query(PostgresQuery):
        """psycopg converts (%(name)s to $n) and caches only statements under 4 kB and 50
        parameters; a folded one is longer, and converting it anew costs more than the
        fold saves. Its conversion is kept here, one per folded shape."""

        def convert(self, query: Any, vars: Any) -> None:
            if not isinstance(query, bytes) or vars is None:
                super().convert(query, vars)
                return
            key = (query, self._tx.encoding)
            done = _CONVERTED.get(key)
            if done is None:
                if len(_CONVERTED) > 2 * MAX_SHAPES:
                    _CONVERTED.clear()
                done = _CONVERTED[key] = _query2pg_nocache(query, self._tx.encoding)
            self.query, self._want_formats, self._order, self._parts = done
            self.dump(vars)

    class FoldCursor(psycopg.Cursor[Any]):
        """Runs folded statements: their conversion cached, prepared at once."""

        _query_cls = _Query
