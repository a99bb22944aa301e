"""PostgreSQL: queued writes folded into one statement (data-modifying CTEs) when that
cannot change what they do.

A step's save queues about seven writes (engine/db.py sends them with the COMMIT); each
costs psycopg about 11 us of client work and the server about 6 us beside its own work
(docs/perf-issue-12.md, sixth round). Folded, `WITH vocflow_f0 AS (w0), vocflow_f1 AS
(w1) w2` runs them as one.

One statement is not the same as several in a row: all its parts see the database as it
was when the statement began (none sees another's rows), in an order nobody promises, and
a row changed twice in it is changed once. So a write joins the group before it only if
it reads nothing the group wrote (its WHERE, its subqueries, its own target when it
updates, deletes or upserts, and the tables a delete cascades to), and an INSERT joins
only if no row it could collide with may have been removed by the group: a delete by
primary key (or its cascade) of other keys, when every unique key of the table holds
those columns. An INSERT of a parent row never follows one of its child rows (the
foreign key check would come at the end of the statement, not at once). PostgreSQL runs
the main statement first and the WITH parts after it, last to first: so there is one
INSERT per table (rows are stored and numbered in the order they were written), and
several rows of one INSERT go as one multi-row VALUES. Anything not described here (the
ORM's INSERTs, a lock) is sent as it was and ends the group before it.

Only shapes seen a few times are folded and they are prepared at once: a folded shape seen
once would be parsed and planned as a whole, while its parts are prepared already.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from engine.pg_shapes import CHILDREN, ROWS, UNIQUE, UNIQUE_SETS, Shape

try:  # psycopg's query conversion, cached for statements of any length (see _Query)
    from psycopg._queries import PostgresQuery, _query2pg_nocache
    FOLD_FITS = (hasattr(psycopg.Cursor, "_query_cls")
                 and len(_query2pg_nocache(b"SELECT %s", "utf-8")) == 4
                 and all(hasattr(PostgresQuery, n) for n in ("_want_formats", "_order",
                                                             "_parts", "dump")))
except (ImportError, TypeError):  # pragma: no cover - another psycopg: nothing is folded
    FOLD_FITS = False

FOLD_AFTER = 5  # a shape is folded from its fifth time in this process ...
MAX_SHAPES = 64  # ... and at most this many shapes (each a prepared statement per connection)
MAX_BINDS = 1000  # parameters of one folded statement (a long batch goes as it came)
_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s")

# SQL, parameters, executemany, what it does (a Shape; FOLDED: folded here; None: unknown)
Item = tuple[Any, Any, bool, Shape | str | None]


# --- groups -------------------------------------------------------------------------


# A value check a fold relied on: (item, its parameters, other item, its parameters):
# the item's rows differ in those values from each other (other is item) or from the other's
Check = tuple[int, tuple[str, ...], int, tuple[str, ...]]


def _values(item: Item, params: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [tuple(row[p] for p in params) for row in _rows(item)]


def _holds(check: Check, items: Sequence[Item]) -> bool:
    i, mine, j, theirs = check
    values = _values(items[i], mine)
    if i == j:
        return len(set(values)) == len(values)
    return not set(values) & set(_values(items[j], theirs))


@dataclass
class _Group:
    start: int
    end: int = 0
    writes: set[tuple[str, str]] = field(default_factory=set)
    row_tables: set[str] = field(default_factory=set)
    inserted: set[str] = field(default_factory=set)
    # table -> rows removed: (key columns, the removing item, its key parameters), or
    # None (rows not known)
    removed: dict[str, list[tuple[tuple[str, ...], int, tuple[str, ...]] | None]] = field(
        default_factory=dict)
    binds: int = 0
    closed: bool = False
    values_apart: bool = True

    def admits(self, shape: Shape, index: int, items: Sequence[Item],
               checks: list[Check]) -> bool:
        """May items[index] join? The value checks relied on go to `checks`."""
        tables = {t for t, _ in self.writes}
        if shape.whole & tables or shape.reads & self.writes:
            return False
        if {t for t, _ in shape.reads} & self.row_tables:
            return False
        if self.binds + shape.binds * len(_rows(items[index])) > MAX_BINDS:
            return False
        if shape.inserts & self.inserted:
            return False  # two inserts into one table: rows stored and numbered in order
        wanted: list[Check] = []
        if shape.op in ("insert", "upsert", "checked"):
            for table, _ in (w for w in shape.writes if w[1] == ROWS):
                if not self._insertable(table, shape, index, items, wanted):
                    return False
        if not self._rows_apart(shape, index, items, wanted):
            return False
        if not all(_holds(check, items) for check in wanted):
            self.values_apart = False  # a decision for these values only: not kept
            return False
        checks.extend(wanted)
        return True

    def _insertable(self, table: str, shape: Shape, index: int, items: Sequence[Item],
                    wanted: list[Check]) -> bool:
        if table in {t for t, c in self.writes if c != ROWS and c in UNIQUE.get(table, ())}:
            return False  # a unique column changed: an insert may now collide, or not
        if CHILDREN.get(table, set()) & self.inserted:
            return False  # a child row came first: its foreign key is checked at the end
        params = dict(shape.columns)
        rows = _rows(items[index])
        for removed in self.removed.get(table, []):
            if removed is None:
                return False
            columns, source, keys = removed
            if any(c not in params or params[c] not in row for c in columns for row in rows):
                return False
            if any(not set(columns) <= u for u in UNIQUE_SETS.get(table, [])):
                return False
            wanted.append((index, tuple(params[c] for c in columns), source, keys))
        return True

    @staticmethod
    def _rows_apart(shape: Shape, index: int, items: Sequence[Item],
                    wanted: list[Check]) -> bool:
        """Several rows of one write in one statement: fine for inserts that read nothing
        they write, and for writes by key with all keys different."""
        item = items[index]
        if not item[2] or len(item[1]) == 1:
            return True
        if shape.op in ("insert", "upsert") and shape.values is None:
            return False  # several rows go as one multi-row VALUES, in order, or not at all
        if shape.key_params:
            wanted.append((index, shape.key_params, index, shape.key_params))
            return True
        if shape.op != "insert":
            return False
        return not ({t for t, _ in shape.reads} & {t for t, _ in shape.writes})

    def add(self, shape: Shape, index: int, items: Sequence[Item]) -> None:
        self.end = index + 1
        self.writes |= shape.writes
        self.row_tables |= {t for t, c in shape.writes if c == ROWS}
        self.inserted |= shape.inserts
        self.binds += shape.binds * len(_rows(items[index]))
        for table, columns in shape.removes:
            # the target's key, or a cascade's key column holding it (one column)
            self.removed.setdefault(table, []).append(
                None if columns is None or not shape.key_params
                else (columns, index, shape.key_params))
        self.closed = shape.last


def _rows(item: Item) -> list[Any]:
    return list(item[1]) if item[2] else [item[1]]


Decision = tuple[tuple[tuple[int, int], ...], tuple[Check, ...]]  # spans, checks relied on
_DECISIONS: dict[tuple[tuple[str, int, bool], ...], Decision] = {}


def fold(items: Sequence[Item]) -> list[Item]:
    """The queue with each run of writes that may go together folded into one.

    Which runs may is decided once per sequence of statements (and row counts), and the
    values that decision relied on (keys apart) are checked again on every later use."""
    key = tuple((item[0], len(item[1]) if item[2] else 0, isinstance(item[3], Shape))
                for item in items)
    decision = _DECISIONS.get(key)
    if decision is None or not all(_holds(check, items) for check in decision[1]):
        fresh, general = _decide(items)
        if general and decision is None:
            if len(_DECISIONS) >= 4 * MAX_SHAPES:
                _DECISIONS.clear()  # bounded; the sequences in use come back at once
            _DECISIONS[key] = fresh
        decision = fresh
    out: list[Item] = []
    for start, end in decision[0]:
        out.extend(_folded(list(items[start:end])))
    return out


def _decide(items: Sequence[Item]) -> tuple[Decision, bool]:
    """The spans to send as one statement each, the value checks they rely on, and whether
    the decision holds for other values too (no value kept two writes apart)."""
    spans: list[tuple[int, int]] = []
    checks: list[Check] = []
    general = True
    current: _Group | None = None
    for index, item in enumerate(items):
        shape = item[3]
        if not isinstance(shape, Shape):
            if current is not None:
                general = general and current.values_apart
                spans.append((current.start, current.end))
            spans.append((index, index + 1))
            current = None
            continue
        if current is None or current.closed or not current.admits(shape, index, items,
                                                                    checks):
            if current is not None:
                general = general and current.values_apart
                spans.append((current.start, current.end))
            current = _Group(index)
            if not current.admits(shape, index, items, checks):  # rows that cannot share
                general = general and current.values_apart
                spans.append((index, index + 1))
                current = None
                continue
        current.add(shape, index, items)
    if current is not None:
        spans.append((current.start, current.end))
    if [i for start, end in spans for i in range(start, end)] != list(range(len(items))):
        raise RuntimeError("a fold must send every queued write once, in order")
    return (tuple(spans), tuple(checks)), general


# --- folded statements ----------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    sql: bytes
    # per row: its values in the order the folded statement's placeholders (%s) take them
    rows: tuple[Callable[[Any], tuple[Any, ...]], ...]


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
    params: list[Any] = []
    rows = [row for item in items for row in _rows(item)]
    for values, row in zip(plan.rows, rows, strict=True):
        params.extend(values(row))
    return [(plan.sql, params, False, FOLDED)]


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return operator.itemgetter(*names) if names else (lambda row: ())


def _plan(items: list[Item]) -> _Plan:
    parts, rows = [], []
    for item in items:
        shape, count = item[3], len(item[1]) if item[2] else 1
        if count > 1 and isinstance(shape, Shape) and shape.values is not None:
            before, row, after = shape.values  # the rows as one multi-row VALUES
            rows += [_getter(tuple(_PLACEHOLDER.findall(row)))] * count
            parts.append(_PLACEHOLDER.sub("%s", before + ", ".join([row] * count) + after))
            continue
        for _ in range(count):  # in order, repeats too
            rows.append(_getter(tuple(_PLACEHOLDER.findall(item[0]))))
            parts.append(_PLACEHOLDER.sub("%s", item[0]))
    *ctes, main = parts
    with_list = ", ".join(f"vocflow_f{n} AS ({sql})" for n, sql in enumerate(ctes))
    if main.startswith("WITH "):
        text = f"WITH {with_list}, {main[5:]}"
    else:
        text = f"WITH {with_list} {main}"
    return _Plan(text.encode(), tuple(rows))


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
