"""Queries on saved task filters: a user's own (or, for admin, everyone's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select

from engine.models import TaskFilter
from engine.repository.base import Repository
from engine.repository.queries import Query

FIELDS: dict[str, Any] = {"id": TaskFilter.id, "resource_type": TaskFilter.resource_type,
                          "name": TaskFilter.name, "owner": TaskFilter.owner}


def _clause(field: str, op: str, value: Any) -> ColumnElement[bool]:
    column = FIELDS[field]
    if op == "like":
        return column.like(value)  # type: ignore[no-any-return]
    if op == "eq":
        return column == value  # type: ignore[no-any-return]
    raise ValueError(f"unknown operator {op} for filters")


class FilterRepository(Repository):
    def get(self, filter_id: str) -> TaskFilter | None:
        return self.session.get(TaskFilter, filter_id)

    def _select(self, query: Query, owner: str | None) -> Any:
        stmt = select(TaskFilter)
        if owner is not None:
            stmt = stmt.where(TaskFilter.owner == owner)
        return stmt.where(*(_clause(f, op, v) for f, op, v in query.filters))

    def rows(self, query: Query, owner: str | None) -> Sequence[TaskFilter]:
        """One page of filters; owner None means every user's (admin)."""
        order = [FIELDS[f].desc() if desc else FIELDS[f].asc() for f, desc in query.sort]
        stmt = self._select(query, owner).order_by(
            *order, TaskFilter.created_at, TaskFilter.id).offset(query.offset)
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        return self.session.scalars(stmt).all()

    def count(self, query: Query, owner: str | None) -> int:
        sub = self._select(query, owner).subquery()
        return int(self.session.scalar(select(func.count()).select_from(sub)) or 0)

    def delete(self, row: TaskFilter) -> None:
        self.session.delete(row)
