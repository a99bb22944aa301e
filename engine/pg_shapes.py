"""PostgreSQL: what a compiled write reads and writes (tables, columns, keys), for
engine/pg_fold.py to decide which queued writes may share one statement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, UniqueConstraint
from sqlalchemy.sql import visitors
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList
from sqlalchemy.sql.selectable import CTE, Select

ROWS = "*"  # (table, ROWS): rows inserted or deleted, not just columns changed


@dataclass(frozen=True)
class Shape:
    """What one compiled write reads and writes, for deciding whether it may be folded."""

    sql: str
    table: str
    op: str  # insert, upsert, update, delete; "checked": a SELECT over its own writes
    reads: frozenset[tuple[str, str]]  # (table, column) read
    whole: frozenset[str]  # tables whose every change matters to it
    writes: frozenset[tuple[str, str]]  # (table, column) or (table, ROWS)
    # delete by primary key: (table, key columns) of the rows gone, the target's first and
    # then its cascades, all keyed by the same parameters (`key_params`); None: unknown rows
    removes: tuple[tuple[str, tuple[str, ...] | None], ...] = ()
    key_params: tuple[str, ...] = ()  # delete/upsert: the parameters naming its row
    columns: tuple[tuple[str, str], ...] = ()  # insert: (column, parameter) of plain binds
    parents: frozenset[str] = frozenset()  # insert: tables its foreign keys point at
    last: bool = False  # has a WITH of its own: only the group's main statement
    # tables it inserts rows into: parts of one statement run in no promised order, so
    # two of them inserting into one table could store (and number) rows in another order
    inserts: frozenset[str] = frozenset()
    # insert: its SQL around the VALUES row (before, the row, after), to send several rows
    # as one multi-row VALUES, in their order; None: not split
    values: tuple[str, str, str] | None = None

    @property
    def binds(self) -> int:
        """Placeholders per row (a folded statement has a bounded number)."""
        return self.sql.count("%(")


def describe(statement: Any, sql: str) -> Shape | None:
    """The Shape of a compiled Core write (PostgreSQL), None if it may not be folded."""
    if "%%" in sql or (sql.startswith("WITH") and not isinstance(statement, Select)):
        return None
    table = getattr(statement, "table", None)
    for seen in visitors.iterate(statement):
        if isinstance(seen, Table):
            learn(seen)
    if isinstance(table, Table):
        learn(table)
    if isinstance(statement, Select):
        return _checked(statement, sql)
    return _write(statement, sql)


def _write(statement: Any, sql: str) -> Shape | None:
    if isinstance(statement, Insert):
        return _insert(statement, sql)
    if isinstance(statement, Update):
        return _update(statement, sql)
    if isinstance(statement, Delete):
        return _delete(statement, sql)
    return None


def _columns_in(elements: Iterable[Any]) -> frozenset[tuple[str, str]]:
    """(table, column) of every column the elements name, (table, ROWS) of every table."""
    found = set()
    for element in elements:
        for seen in visitors.iterate(element):
            if isinstance(seen, Column) and seen.table is not None:
                found.add((_base(seen.table).name, seen.name))
            elif isinstance(seen, Table):
                found.add((seen.name, ROWS))
    return frozenset(found)


def _base(table: Any) -> Table:
    while not isinstance(table, Table):
        table = table.element  # an alias (`taken`, `excluded`) of a table
    return table


def _unique_sets(table: Table) -> list[set[str]]:
    sets = [{c.name for c in table.primary_key.columns}]
    sets += [{c.name for c in k.columns} for k in table.constraints
             if isinstance(k, UniqueConstraint)]
    sets += [{getattr(e, "name", "") for e in i.expressions} for i in table.indexes if i.unique]
    return sets


def _children(table: Table) -> list[tuple[Table, Any]]:
    return [(child, fk) for child in table.metadata.tables.values()
            for fk in child.foreign_keys if fk.column.table is table]


def _referenced(table: Table) -> set[str]:
    return {fk.column.name for _, fk in _children(table)}


def _insert(stmt: Insert, sql: str) -> Shape | None:
    table = stmt.table
    if not isinstance(table, Table) or stmt._returning:
        return None
    values = dict(stmt._values or {})
    reads = _columns_in(v for v in values.values() if not isinstance(v, BindParameter))
    columns = []
    if stmt.select is not None:  # INSERT ... SELECT: what the SELECT reads
        reads |= _columns_in([stmt.select])
    for column in table.columns if stmt.select is None else ():
        value = values.get(column.key)
        if value is None:
            columns.append((column.name, column.key))  # a row key: SQLAlchemy names it so
        elif isinstance(value, BindParameter):
            columns.append((column.name, value.key))
    parents = frozenset(fk.column.table.name for fk in table.foreign_keys)
    inserts = frozenset({table.name})
    split = _values_row(sql) if stmt.select is None else None
    clause = stmt._post_values_clause
    if clause is None:
        return Shape(sql, table.name, "insert", reads, frozenset(),
                     frozenset({(table.name, ROWS)}), columns=tuple(columns), parents=parents,
                     inserts=inserts, values=split)
    target = getattr(clause, "inferred_target_elements", None) or []
    keys = [t if isinstance(t, str) else t.name for t in target]
    params = dict(columns)
    if getattr(clause, "update_values_to_set", None) is None or not keys \
            or any(k not in params for k in keys) or {*keys} != _pk(table) \
            or _referenced(table):
        return None  # DO NOTHING, or an upsert not by the primary key: not folded
    return Shape(sql, table.name, "upsert", _columns_in([stmt]), frozenset({table.name}),
                 frozenset({(table.name, ROWS)}), removes=((table.name, None),),
                 key_params=tuple(params[k] for k in keys), columns=tuple(columns),
                 parents=parents, inserts=inserts, values=split)


def _values_row(sql: str) -> tuple[str, str, str] | None:
    """`INSERT ... VALUES (row) rest` as (`INSERT ... VALUES `, `(row)`, ` rest`)."""
    start = sql.find(" VALUES (")
    if start < 0:
        return None
    start += len(" VALUES ")
    depth = 0
    for end in range(start, len(sql)):
        char = sql[end]
        if char in "'\"":
            return None  # a literal: its parentheses are not counted here
        depth += (char == "(") - (char == ")")
        if depth == 0:
            before, after = sql[:start], sql[end + 1:]
            return None if "%(" in before + after else (before, sql[start:end + 1], after)
    return None


def _pk(table: Table) -> set[str]:
    return {c.name for c in table.primary_key.columns}


def _update(stmt: Update, sql: str) -> Shape | None:
    table = stmt.table
    if not isinstance(table, Table) or stmt._returning:
        return None
    changed = {c if isinstance(c, str) else c.name for c in (stmt._values or {})}
    if changed & _referenced(table):
        return None  # a key other rows point at: their foreign keys would care
    return Shape(sql, table.name, "update", _columns_in([stmt]), frozenset({table.name}),
                 frozenset((table.name, c) for c in changed))


def _delete(stmt: Delete, sql: str) -> Shape | None:
    table = stmt.table
    if not isinstance(table, Table) or stmt._returning:
        return None
    key_params = _by_primary_key(stmt, table)
    pk = tuple(c.name for c in table.primary_key.columns)
    removes: list[tuple[str, tuple[str, ...] | None]] = [
        (table.name, pk if key_params else None)]
    whole = {table.name}
    writes = {(table.name, ROWS)}
    for child, fk in _children(table):
        whole.add(child.name)  # its rows are checked, cascaded or nulled
        if fk.ondelete and fk.ondelete.upper() in ("CASCADE", "SET NULL", "SET DEFAULT"):
            writes.add((child.name, ROWS))
            by_key = (key_params and fk.ondelete.upper() == "CASCADE"
                      and len(pk) == 1 and fk.column.name == pk[0]
                      and not _children(child))
            removes.append((child.name, (fk.parent.name,) if by_key else None))
    return Shape(sql, table.name, "delete", _columns_in([stmt]), frozenset(whole),
                 frozenset(writes), removes=tuple(removes), key_params=key_params)


def _by_primary_key(stmt: Delete, table: Table) -> tuple[str, ...]:
    """The parameters of `WHERE pk = :a [AND pk2 = :b]`, in primary key order; () if not."""
    criteria = list(stmt._where_criteria)
    if len(criteria) == 1 and isinstance(criteria[0], BooleanClauseList):
        criteria = list(criteria[0].clauses)
    found: dict[str, str] = {}
    for crit in criteria:
        if not (isinstance(crit, BinaryExpression) and crit.operator.__name__ == "eq"
                and isinstance(crit.left, Column) and crit.left.table is table
                and isinstance(crit.right, BindParameter)):
            return ()
        found[crit.left.name] = crit.right.key
    pk = [c.name for c in table.primary_key.columns]
    return tuple(found[c] for c in pk) if set(found) == set(pk) else ()


def _checked(stmt: Select[Any], sql: str) -> Shape | None:
    """A SELECT over data-modifying CTEs (the versioned UPDATE that checks its row count)."""
    if not sql.startswith("WITH ") or sql.startswith("WITH RECURSIVE"):
        return None
    parts = [seen.element for seen in visitors.iterate(stmt)
             if isinstance(seen, CTE) and isinstance(seen.element, (Insert, Update, Delete))]
    shapes = [_write(_plain(part), "") for part in parts]
    if not parts or any(s is None or s.op == "delete" for s in shapes):
        return None
    done = [s for s in shapes if s is not None]
    return Shape(sql, done[-1].table, "checked",
                 frozenset().union(*(s.reads for s in done)),
                 frozenset().union(*(s.whole for s in done)),
                 frozenset().union(*(s.writes for s in done)),
                 parents=frozenset().union(*(s.parents for s in done)), last=True,
                 inserts=frozenset().union(*(s.inserts for s in done)))


def _plain(part: Any) -> Any:
    """A CTE's write without its RETURNING (which only feeds the SELECT around it)."""
    if isinstance(part, (Update, Insert)) and part._returning:
        part = part._generate()
        part._returning = ()
    return part


# What the metadata says of each table: unique keys, their columns, child tables
UNIQUE: dict[str, set[str]] = {}
UNIQUE_SETS: dict[str, list[set[str]]] = {}
CHILDREN: dict[str, set[str]] = {}


def learn(table: Table) -> None:
    """Note the unique keys and child tables of every table of `table`'s metadata."""
    if table.name in UNIQUE_SETS:
        return
    for each in table.metadata.tables.values():
        sets = _unique_sets(each)
        UNIQUE_SETS[each.name] = sets
        UNIQUE[each.name] = set().union(*sets)
        CHILDREN[each.name] = {child.name for child, _ in _children(each)}
