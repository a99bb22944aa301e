"""The task list (待办): one page of open tasks in a view, and its counts in one query.

Why it is written this way: a reviewer has 10,000 open tasks in a database of 100,000. An
OR across columns (assignee = me OR id IN (offered ...)) makes SQLite, which has no
statistics, walk every open task, and fetching wide rows to sort them costs more than the
query. So a view is a UNION of parts, each driven by one index (the assignee; the
candidates' (kind, value, task_id), joined to human_tasks by the covering index
(id, assignee, due_at, priority, created_at); the province, key task or unit), selecting
only the narrow columns the sort and the counts need; UNION drops a task named twice (two of
my groups). The page sorts those narrow rows and only then reads its 50 full rows.

The parts give the same rows as repository.scopes.task_scope_clause with the view's test
(tests/integration/test_inbox.py compares them): being assigned or offered a task puts it
in scope, so mine, claimable and offered need no scope clause of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeAlias

from sqlalchemy import ColumnElement, Select, case, func, or_, select, union

from engine.models import HumanTask, TaskCandidate
from engine.repository.base import Repository
from engine.repository.scopes import ScopeFilter

_HT, _TC = HumanTask, TaskCandidate
_NARROW = (_HT.id, _HT.assignee, _HT.due_at, _HT.priority, _HT.created_at)
_Part: TypeAlias = "Select[str, str | None, datetime | None, int, datetime]"


def _candidate_test(scope: ScopeFilter) -> ColumnElement[bool]:
    return or_((_TC.kind == "group") & _TC.value.in_(scope.groups),
               (_TC.kind == "user") & (_TC.value == scope.username))


def inbox_parts(scope: ScopeFilter, view: str) -> list[_Part]:
    """The view's rows (narrow columns) as parts to UNION: mine (assigned to me), claimable
    (unassigned, offered to me or my groups), offered (both), all (everything in scope)."""
    mine = select(*_NARROW).where(_HT.assignee == scope.username)
    offered = (select(*_NARROW).select_from(_TC).join(_HT, _HT.id == _TC.task_id)
               .where(_candidate_test(scope)))
    if view == "mine":
        return [mine]
    if view == "claimable":
        return [offered.where(_HT.assignee.is_(None))]
    if view == "offered":
        return [mine, offered.where(_HT.assignee.is_(None))]
    if scope.unrestricted:
        return [select(*_NARROW)]
    scoped = [select(*_NARROW).where(column.in_(values)) for column, values in (
        (_HT.province_code, scope.province_codes), (_HT.key_task, scope.key_tasks),
        (_HT.unit_id, scope.unit_ids)) if values]
    return [mine, offered, *scoped]


def _rows(parts: list[_Part], *conditions: ColumnElement[bool]) -> Any:
    filtered = [part.where(*conditions) for part in parts]
    if len(filtered) == 1:
        return filtered[0].distinct().subquery("inbox")
    return union(*filtered).subquery("inbox")


def _order(columns: Any, sort: str) -> tuple[Any, ...]:
    due = (columns.due_at.is_(None), columns.due_at)
    first = (columns.priority.desc(), *due) if sort == "priority" else (
        *due, columns.priority.desc())
    return (*first, columns.created_at, columns.id)


class InboxRepository(Repository):
    def page(
        self, scope: ScopeFilter, *, view: str = "offered", process_key: str | None = None,
        key_task: str | None = None, province_code: str | None = None,
        instance_id: str | None = None, due_before: datetime | None = None,
        overdue_at: datetime | None = None, sort: str = "due", limit: int = 50,
        offset: int = 0,
    ) -> Sequence[HumanTask]:
        """One page of the view, filtered, sorted by due time or priority (then created)."""
        conditions = [column == value for column, value in (
            (_HT.process_key, process_key), (_HT.key_task, key_task),
            (_HT.province_code, province_code), (_HT.instance_id, instance_id)) if value]
        if due_before is not None:
            conditions.append(_HT.due_at <= due_before)
        if overdue_at is not None:
            conditions.append(_HT.due_at < overdue_at)
        rows = _rows(inbox_parts(scope, view), *conditions)
        ids = (select(rows.c.id).order_by(*_order(rows.c, sort))
               .offset(max(0, offset)).limit(limit))
        stmt = select(_HT).where(_HT.id.in_(ids)).order_by(*_order(_HT, sort))
        return self.session.scalars(stmt).all()

    def offered_with_counts(
        self, scope: ScopeFilter, now: datetime, *, sort: str = "due", limit: int = 50,
        offset: int = 0,
    ) -> tuple[Sequence[HumanTask], dict[str, int]]:
        """The task list as it opens (offered, no filter) and its counts in one walk of the
        rows: the counts ride along each row of the page as window aggregates."""
        rows = _rows(inbox_parts(scope, "offered"))

        def tally(condition: ColumnElement[bool]) -> Any:
            return func.sum(case((condition, 1), else_=0)).over()

        stmt = (select(rows.c.id, tally(rows.c.assignee == scope.username),
                       tally(rows.c.assignee.is_(None)), func.count().over(),
                       tally(rows.c.due_at < now))
                .order_by(*_order(rows.c, sort)).offset(max(0, offset)).limit(limit))
        found = self.session.execute(stmt).all()
        if not found:  # past the last page (or nothing at all): count on their own
            return [], self.counts(scope, now)
        first = found[0]
        counts = {"mine": int(first[1]), "claimable": int(first[2]), "offered": int(first[3]),
                  "overdue": int(first[4])}
        tasks = self.session.scalars(select(_HT).where(_HT.id.in_([r.id for r in found]))
                                     .order_by(*_order(_HT, sort))).all()
        return tasks, counts

    def counts(self, scope: ScopeFilter, now: datetime) -> dict[str, int]:
        """Open tasks mine / claimable / offered (both) / overdue (offered, due before now)."""
        rows = _rows(inbox_parts(scope, "offered"))

        def tally(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        stmt = select(tally(rows.c.assignee == scope.username),
                      tally(rows.c.assignee.is_(None)), func.count(),
                      tally(rows.c.due_at < now)).select_from(rows)
        row = self.session.execute(stmt).one()
        return {"mine": int(row[0]), "claimable": int(row[1]), "offered": int(row[2]),
                "overdue": int(row[3])}
