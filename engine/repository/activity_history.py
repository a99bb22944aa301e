"""Historic activity instances: one upsert per step writes them; /history lists and counts
them.

Importing this module adds "history_activity" to engine.repository.queries.RESOURCES, so
the one QueryRepository filters, sorts, pages and counts it in SQL like every other list.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, case, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import defer
from sqlalchemy.orm.util import identity_key

from engine.models import (
    Deployment,
    HistoricActivity,
    HumanTask,
    Incident,
    ProcessDefinition,
    ProcessInstance,
)
from engine.repository.base import Repository
from engine.repository.prepared import Prepared
from engine.repository.queries import RESOURCES, Query, Resource
from engine.repository.scopes import ScopeFilter, instance_scope_clause

_HA, _HT, _PI, _PD = HistoricActivity, HumanTask, ProcessInstance, ProcessDefinition
_TABLE = cast(Table, HistoricActivity.__table__)
_KEPT = ("id", "instance_id", "occurrence")  # what a later write of the same run never changes


@functools.cache
def _upsert(dialect: str) -> Prepared:
    """INSERT ... ON CONFLICT (id) DO UPDATE: a run's start inserts its row, its end (or a
    token moved back to it) rewrites it; an assignee once known is kept."""
    stmt: Any = (postgresql.insert(_TABLE) if dialect == "postgresql"
                 else sqlite.insert(_TABLE))
    values = {c.name: stmt.excluded[c.name] for c in _TABLE.columns if c.name not in _KEPT}
    values["assignee"] = func.coalesce(stmt.excluded.assignee, _TABLE.c.assignee)
    return Prepared(stmt.on_conflict_do_update(index_elements=["id"], set_=values).inline())


class ActivityHistoryRepository(Repository):
    def record(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write the runs a step started or ended: one statement (an executemany)."""
        if rows:
            _upsert(self.dialect).execute(self.session, rows)

    def live_assignee(self, task_id: str) -> str | None:
        """The assignee of an open task loaded in this unit of work (a completion loads
        its task); None, with no query, when it is not loaded."""
        row = self.session.identity_map.get(identity_key(HumanTask, task_id))
        return row.assignee if isinstance(row, HumanTask) else None


def _scope(scope: ScopeFilter) -> ColumnElement[bool]:
    """Runs of instances in scope, and the user tasks the actor held or worked (as
    /history/task shows them)."""
    return or_(instance_scope_clause(scope), _HA.assignee == scope.username,
               _HT.assignee == scope.username)


def _tenant(op: str, value: Any) -> ColumnElement[bool]:
    tenant = (Deployment.tenant_id.is_(None) if op == "null"
              else Deployment.tenant_id.in_(list(value)))
    return exists().where(_PD.id == _PI.definition_id, Deployment.id == _PD.deployment_id,
                          tenant)


_TENANT = (select(Deployment.tenant_id).join(_PD, _PD.deployment_id == Deployment.id)
           .where(_PD.id == _PI.definition_id).scalar_subquery())
_ASSIGNEE = case((_HT.id.is_not(None), _HT.assignee), else_=_HA.assignee)

RESOURCES["history_activity"] = Resource(
    base=lambda scope: select(_HA, _PI, _ASSIGNEE, _TENANT)
    .join(_PI, _PI.id == _HA.instance_id)
    .outerjoin(_HT, and_(_HT.id == _HA.task_id, _HA.ended_at.is_(None)))
    .where(_scope(scope)).options(defer(_PI.state_json)),
    fields={"id": _HA.id, "instance_id": _HA.instance_id, "definition_id": _PI.definition_id,
            "process_key": _PI.process_key, "execution_id": _HA.execution_id,
            "element_id": _HA.element_id, "name": _HA.name, "type": _HA.type,
            "assignee": _ASSIGNEE, "started_at": _HA.started_at, "ended_at": _HA.ended_at,
            "duration_ms": _HA.duration_ms, "canceled": _HA.canceled,
            "complete_scope": _HA.complete_scope, "occurrence": _HA.occurrence,
            "tenant_id": _TENANT},
    order=(_HA.started_at, _HA.occurrence, _HA.id),
    specials={"tenant": _tenant,
              "finished": lambda _op, value: (
                  _HA.ended_at.is_not(None) if value else _HA.ended_at.is_(None))})


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


_INSTANCE = {"instance_id": _PI.id, "started_at": _PI.started_at, "ended_at": _PI.ended_at}


def _instances(q: Query) -> list[ColumnElement[bool]]:
    """A Query's filters on the instances: ids ("in"), start and end ("lt", "gt")."""
    ops = {"in": lambda c, v: c.in_(list(v)), "lt": lambda c, v: c < v,
           "gt": lambda c, v: c > v}
    return [ops[op](_INSTANCE[field], value) for field, op, value in q.filters]


class ActivityStatisticsRepository(Repository):
    """Cockpit's historic heat map: runs and incidents of one definition, per activity."""

    def per_activity(self, definition_id: str, scope: ScopeFilter, q: Query
                     ) -> dict[str, list[int]]:
        """element id -> [running, canceled, finished, complete scope] over the instances
        of the definition in scope that match the Query (instance_id, started_at,
        ended_at)."""
        where = _instances(q)
        stmt = (select(_HA.element_id, _sum(_HA.ended_at.is_(None)), _sum(_HA.canceled),
                       _sum(_HA.ended_at.is_not(None)), _sum(_HA.complete_scope))
                .join(_PI, _PI.id == _HA.instance_id)
                .where(_PI.definition_id == definition_id, instance_scope_clause(scope),
                       *where).group_by(_HA.element_id))
        return {row[0]: [int(n or 0) for n in row[1:]] for row in self.session.execute(stmt)}

    def incidents(self, definition_id: str, scope: ScopeFilter, q: Query
                  ) -> dict[str, list[int]]:
        """element id -> [open, resolved, deleted] incidents; an incident still open when
        its instance was terminated counts as deleted (Camunda deletes it then)."""
        where = _instances(q)
        ended = _PI.status == "terminated"
        unresolved = Incident.resolved_at.is_(None)
        stmt = (select(Incident.element_id, _sum(and_(unresolved, ~ended)),
                       _sum(~unresolved), _sum(and_(unresolved, ended)))
                .join(_PI, _PI.id == Incident.instance_id)
                .where(_PI.definition_id == definition_id, instance_scope_clause(scope),
                       *where).group_by(Incident.element_id))
        return {row[0] or "": [int(n or 0) for n in row[1:]]
                for row in self.session.execute(stmt)}
