"""The task list's counts in one pass: mine, claimable, offered and overdue together.

TaskRepository.counts_scoped asks four counting queries, each walking the actor's tasks;
here one query walks the offered tasks (mine or claimable, in scope: the same clauses from
engine.repository.scopes) once and counts each kind with a CASE.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from engine.models import HumanTask
from engine.repository.base import Repository
from engine.repository.scopes import ScopeFilter, offered_to, task_scope_clause


class InboxRepository(Repository):
    def counts(self, scope: ScopeFilter, now: datetime) -> dict[str, int]:
        """As TaskRepository.counts_scoped: mine / claimable / offered / overdue."""
        ht = HumanTask
        mine = ht.assignee == scope.username
        claimable = and_(ht.assignee.is_(None), offered_to(scope))

        def tally(condition: ColumnElement[bool]) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        stmt = (select(tally(mine), tally(claimable), func.count(), tally(ht.due_at < now))
                .where(task_scope_clause(scope), or_(mine, claimable)))
        row = self.session.execute(stmt).one()
        return {"mine": int(row[0]), "claimable": int(row[1]), "offered": int(row[2]),
                "overdue": int(row[3])}
