"""List queries in SQL for the Camunda REST resources: filters, sorting, paging, counting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import aliased, defer

from engine.models import (
    Deployment,
    HumanTask,
    Incident,
    Job,
    ProcessDefinition,
    ProcessInstance,
    TaskCandidate,
    TaskDetail,
)
from engine.repository.base import Repository
from engine.repository.scopes import ScopeFilter, instance_scope_clause, task_scope_clause

OPERATORS = ("eq", "in", "like", "lt", "le", "gt", "ge", "null", "true")


@dataclass(frozen=True)
class Query:
    """What a list asks for: (field, operator, value) filters, (field, descending) order."""

    filters: tuple[tuple[str, str, Any], ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()
    offset: int = 0
    limit: int | None = None


Special = Callable[[str, Any], ColumnElement[bool]]


@dataclass(frozen=True)
class Resource:
    base: Callable[[ScopeFilter], Any]
    fields: dict[str, Any]
    order: tuple[Any, ...]
    specials: dict[str, Special]


def _compare(column: Any, op: str, value: Any) -> ColumnElement[bool]:
    if op == "in":
        return column.in_(list(value))  # type: ignore[no-any-return]
    if op == "like":
        return column.like(value)  # type: ignore[no-any-return]
    if op == "null":
        return column.is_(None) if value else column.is_not(None)  # type: ignore[no-any-return]
    if op == "true":
        return column.is_(True) if value else column.is_not(True)  # type: ignore[no-any-return]
    compare = {"eq": column.__eq__, "lt": column.__lt__, "le": column.__le__,
               "gt": column.__gt__, "ge": column.__ge__}
    return compare[op](value)  # type: ignore[no-any-return]


def _candidate(kind: str) -> Special:
    def clause(op: str, value: Any) -> ColumnElement[bool]:
        values = list(value) if op == "in" else [value]
        return exists().where(TaskCandidate.task_id == HumanTask.id,
                              TaskCandidate.kind == kind, TaskCandidate.value.in_(values))
    return clause


def _open_incident(column: Any) -> Special:
    def clause(_op: str, value: Any) -> ColumnElement[bool]:
        found = exists().where(Incident.instance_id == column, Incident.resolved_at.is_(None))
        return found if value else ~found
    return clause


def _status_is(column: Any, status: str) -> Special:
    def clause(_op: str, value: Any) -> ColumnElement[bool]:
        return column == status if value else column != status  # type: ignore[no-any-return]
    return clause


def _latest(_op: str, value: Any) -> ColumnElement[bool]:
    newer = aliased(ProcessDefinition)
    later = exists().where(newer.key == ProcessDefinition.key, newer.kind == "process",
                           newer.version > ProcessDefinition.version)
    return ~later if value else later


def deployment_tenant(op: str, value: Any) -> ColumnElement[bool]:
    """Definitions deployed with one of these tenant-ids (op "in"), or with none ("null")."""
    tenant = (Deployment.tenant_id.is_(None) if op == "null"
              else Deployment.tenant_id.in_(list(value)))
    return exists().where(Deployment.id == ProcessDefinition.deployment_id, tenant)


_PI, _PD, _HT, _JOB = ProcessInstance, ProcessDefinition, HumanTask, Job
# Lists never read the workflow state or the diagram: left unloaded (read on access), a
# page of 50 then costs 50 small rows instead of 50 serialized workflows and diagrams.
_LEAN_PI = defer(_PI.state_json)
_LEAN_PD = (defer(_PD.source_xml), defer(_PD.spec_json))

RESOURCES: dict[str, Resource] = {
    "task": Resource(
        base=lambda scope: select(_HT, _PI, TaskDetail).join(_PI, _PI.id == _HT.instance_id)
        .outerjoin(TaskDetail, TaskDetail.task_id == _HT.id).where(task_scope_clause(scope))
        .options(_LEAN_PI),
        fields={"id": _HT.id, "instance_id": _HT.instance_id, "process_key": _HT.process_key,
                "definition_id": _PI.definition_id, "element_id": _HT.element_id,
                "name": _HT.name, "assignee": _HT.assignee, "created_at": _HT.created_at,
                "due_at": _HT.due_at, "follow_up_at": _HT.follow_up_at,
                "priority": _HT.priority, "business_key": _PI.business_key,
                "form_key": _HT.form_key, "owner": TaskDetail.owner,
                "description": TaskDetail.description,
                "delegation_state": TaskDetail.delegation_state},
        order=(_HT.created_at, _HT.id),
        specials={"candidate_group": _candidate("group"), "candidate_user": _candidate("user"),
                  "suspended": _status_is(_PI.status, "suspended")}),
    "instance": Resource(
        base=lambda scope: select(_PI).where(instance_scope_clause(scope),
                                             _PI.status.in_(("running", "suspended")))
        .options(_LEAN_PI),
        fields={"id": _PI.id, "definition_id": _PI.definition_id,
                "process_key": _PI.process_key, "business_key": _PI.business_key,
                "started_at": _PI.started_at, "started_by": _PI.started_by},
        order=(_PI.started_at, _PI.id),
        specials={"with_incident": _open_incident(_PI.id),
                  "suspended": _status_is(_PI.status, "suspended"),
                  "active": _status_is(_PI.status, "running")}),
    "history_instance": Resource(
        base=lambda scope: select(_PI, _PD).join(_PD, _PD.id == _PI.definition_id)
        .where(instance_scope_clause(scope)).options(_LEAN_PI, *_LEAN_PD),
        fields={"id": _PI.id, "definition_id": _PI.definition_id,
                "process_key": _PI.process_key, "business_key": _PI.business_key,
                "started_at": _PI.started_at, "ended_at": _PI.ended_at,
                "started_by": _PI.started_by, "status": _PI.status,
                "definition_name": _PD.name, "definition_version": _PD.version},
        order=(_PI.started_at, _PI.id),
        specials={"with_incident": _open_incident(_PI.id),
                  "finished": lambda _op, value: (
                      _PI.ended_at.is_not(None) if value else _PI.ended_at.is_(None))}),
    "history_incident": Resource(
        base=lambda scope: select(Incident, _PI).join(_PI, _PI.id == Incident.instance_id)
        .where(instance_scope_clause(scope)),
        fields={"id": Incident.id, "instance_id": Incident.instance_id,
                "definition_id": _PI.definition_id, "process_key": _PI.process_key,
                "element_id": Incident.element_id, "kind": Incident.kind,
                "message": Incident.message, "created_at": Incident.created_at,
                "resolved_at": Incident.resolved_at, "job_id": Incident.job_id},
        order=(Incident.created_at, Incident.id),
        specials={"open": lambda _op, value: (
            Incident.resolved_at.is_(None) if value else Incident.resolved_at.is_not(None))}),
    "definition": Resource(
        base=lambda _scope: select(_PD).where(_PD.kind == "process"),
        fields={"id": _PD.id, "key": _PD.key, "name": _PD.name, "version": _PD.version,
                "deployment_id": _PD.deployment_id, "resource_name": _PD.resource_name,
                "suspended": _PD.suspended, "deployed_at": _PD.deployed_at},
        order=(_PD.key, _PD.version),
        specials={"latest": _latest, "tenant": deployment_tenant}),
    "deployment": Resource(
        base=lambda _scope: select(Deployment),
        fields={"id": Deployment.id, "name": Deployment.name, "source": Deployment.source,
                "tenant_id": Deployment.tenant_id, "deployed_at": Deployment.deployed_at},
        order=(Deployment.deployed_at, Deployment.id), specials={}),
    "job": Resource(
        base=lambda _scope: select(_JOB, _PI).outerjoin(_PI, _PI.id == _JOB.instance_id)
        .where(_JOB.kind.in_(("timer", "timer_start"))),
        fields={"id": _JOB.id, "instance_id": _JOB.instance_id,
                "definition_id": func.coalesce(_PI.definition_id, _JOB.definition_id),
                "process_key": _PI.process_key, "element_id": _JOB.element_id,
                "due_at": _JOB.due_at, "retries": _JOB.retries,
                "last_error": _JOB.last_error, "created_at": _JOB.created_at},
        order=(_JOB.due_at, _JOB.id),
        specials={"suspended": _status_is(_PI.status, "suspended")}),
    "external_task": Resource(
        base=lambda _scope: select(_JOB, _PI).outerjoin(_PI, _PI.id == _JOB.instance_id)
        .where(_JOB.kind == "external"),
        fields={"id": _JOB.id, "instance_id": _JOB.instance_id, "topic": _JOB.topic,
                "definition_id": _PI.definition_id, "process_key": _PI.process_key,
                "element_id": _JOB.element_id, "worker_id": _JOB.lock_owner,
                "lock_expires_at": _JOB.lock_expires_at, "retries": _JOB.retries,
                "last_error": _JOB.last_error, "business_key": _PI.business_key,
                "created_at": _JOB.created_at, "priority": _JOB.priority},
        order=(_JOB.created_at, _JOB.id),
        specials={"suspended": _status_is(_PI.status, "suspended")}),
    "incident": Resource(
        base=lambda scope: select(Incident, _PI).join(_PI, _PI.id == Incident.instance_id)
        .where(instance_scope_clause(scope), Incident.resolved_at.is_(None)),
        fields={"id": Incident.id, "instance_id": Incident.instance_id,
                "definition_id": _PI.definition_id, "process_key": _PI.process_key,
                "element_id": Incident.element_id, "kind": Incident.kind,
                "job_id": Incident.job_id, "message": Incident.message,
                "created_at": Incident.created_at},
        order=(Incident.created_at, Incident.id), specials={}),
}


def locked_at(now: datetime) -> Special:
    """External tasks whose lock holds at `now` (true) or that are free (false)."""
    def clause(_op: str, value: Any) -> ColumnElement[bool]:
        held = and_(Job.lock_expires_at.is_not(None), Job.lock_expires_at > now)
        return held if value else ~held
    return clause


def _where(resource: Resource, query: Query,
           extra: dict[str, Special]) -> list[ColumnElement[bool]]:
    clauses = []
    for field, op, value in query.filters:
        if op not in OPERATORS:
            raise ValueError(f"unknown operator {op}")
        special = extra.get(field) or resource.specials.get(field)
        if special is not None:
            clauses.append(special(op, value))
        else:
            clauses.append(_compare(resource.fields[field], op, value))
    return clauses


class QueryRepository(Repository):
    """Runs a Query over one of RESOURCES, inside the actor's scope."""

    def rows(self, name: str, query: Query, scope: ScopeFilter,
             extra: dict[str, Special] | None = None) -> Sequence[Any]:
        resource = RESOURCES[name]
        stmt = resource.base(scope).where(*_where(resource, query, extra or {}))
        order = [resource.fields[f].desc() if desc else resource.fields[f].asc()
                 for f, desc in query.sort]
        stmt = stmt.order_by(*order, *resource.order).offset(query.offset)
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        result = self.session.execute(stmt).all()
        return [tuple(row) if len(row) > 1 else row[0] for row in result]

    def count(self, name: str, query: Query, scope: ScopeFilter,
              extra: dict[str, Special] | None = None) -> int:
        resource = RESOURCES[name]
        stmt = resource.base(scope).where(*_where(resource, query, extra or {})).subquery()
        return int(self.session.scalar(select(func.count()).select_from(stmt)) or 0)

    @staticmethod
    def knows(name: str, field: str) -> bool:
        resource = RESOURCES[name]
        return field in resource.fields or field in resource.specials




class StatisticsRepository(Repository):
    """Cockpit's heat map: runtime instances and open incidents per definition and activity."""

    def per_definition(self, scope: ScopeFilter) -> dict[str, tuple[int, dict[str, int]]]:
        """definition id -> (runtime instances, {incident kind: open incidents})."""
        running = (select(_PI.definition_id, func.count())
                   .where(instance_scope_clause(scope), _PI.status.in_(("running", "suspended")))
                   .group_by(_PI.definition_id))
        result: dict[str, tuple[int, dict[str, int]]] = {
            d: (int(n), {}) for d, n in self.session.execute(running).all()}
        for definition_id, kind, n in self._incidents(scope, _PI.definition_id):
            result.setdefault(definition_id, (0, {}))[1][kind] = int(n)
        return result

    def per_activity(self, definition_id: str,
                     scope: ScopeFilter) -> dict[str, tuple[int, dict[str, int]]]:
        """element id -> (instances waiting there, {incident kind: open incidents})."""
        waiting: dict[str, set[str | None]] = {}
        tasks = (select(_HT.element_id, _HT.instance_id).join(_PI, _PI.id == _HT.instance_id)
                 .where(_PI.definition_id == definition_id, instance_scope_clause(scope)))
        jobs = (select(_JOB.element_id, _JOB.instance_id).join(_PI, _PI.id == _JOB.instance_id)
                .where(_PI.definition_id == definition_id, instance_scope_clause(scope),
                       _JOB.element_id.is_not(None)))
        for stmt in (tasks, jobs):
            for element_id, instance_id in self.session.execute(stmt).all():
                waiting.setdefault(element_id or "", set()).add(instance_id)
        result: dict[str, tuple[int, dict[str, int]]] = {
            e: (len(ids), {}) for e, ids in waiting.items()}
        incidents = self._incidents(scope, Incident.element_id,
                                    _PI.definition_id == definition_id)
        for element_id, kind, n in incidents:
            result.setdefault(element_id or "", (0, {}))[1][kind] = int(n)
        return result

    def _incidents(self, scope: ScopeFilter, key: Any, *where: Any) -> Sequence[Any]:
        stmt = (select(key, Incident.kind, func.count())
                .join(_PI, _PI.id == Incident.instance_id)
                .where(instance_scope_clause(scope), Incident.resolved_at.is_(None), *where)
                .group_by(key, Incident.kind))
        return self.session.execute(stmt).all()


__all__ = ["OPERATORS", "RESOURCES", "Query", "QueryRepository", "StatisticsRepository",
           "deployment_tenant", "locked_at"]
