"""Scope filters: which instances and tasks a user may see, as SQL clauses."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select

from engine.models import (
    HumanTask,
    ProcessInstance,
    TaskCandidate,
)


@dataclass(frozen=True)
class ScopeFilter:
    """What an actor may see: unrestricted (ops, admin) or their units, provinces, key tasks."""

    username: str
    groups: tuple[str, ...] = ()
    unrestricted: bool = False
    unit_ids: tuple[str, ...] = ()
    province_codes: tuple[str, ...] = ()
    key_tasks: tuple[str, ...] = ()


def _in_scope(model: type[ProcessInstance] | type[HumanTask],
              scope: ScopeFilter) -> ColumnElement[bool]:
    return or_(
        model.unit_id.in_(scope.unit_ids),
        model.province_code.in_(scope.province_codes),
        model.key_task.in_(scope.key_tasks),
    )


def offered_to(scope: ScopeFilter) -> ColumnElement[bool]:
    offered = select(TaskCandidate.task_id).where(or_(
        and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(scope.groups)),
        and_(TaskCandidate.kind == "user", TaskCandidate.value == scope.username),
    ))
    return HumanTask.id.in_(offered)


def instance_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Instances in scope: own unit, province or key task, started by the actor, or with an
    open task assigned or offered to them (the task page shows its instance)."""
    if scope.unrestricted:
        return ProcessInstance.id.is_not(None)
    with_task = select(HumanTask.instance_id).where(
        or_(HumanTask.assignee == scope.username, offered_to(scope)))
    return or_(_in_scope(ProcessInstance, scope), ProcessInstance.started_by == scope.username,
               ProcessInstance.id.in_(with_task))


def task_scope_clause(scope: ScopeFilter) -> ColumnElement[bool]:
    """Tasks in scope: in a scoped instance, assigned to the actor, or offered to them."""
    if scope.unrestricted:
        return HumanTask.id.is_not(None)
    return or_(_in_scope(HumanTask, scope), HumanTask.assignee == scope.username,
               offered_to(scope))


def _binds(prefix: str, count: int) -> list[Any]:
    return [bindparam(f"{prefix}{i}") for i in range(count)]


ScopeShape = tuple[int, int, int, int]  # how many units, provinces, key tasks, groups


@functools.lru_cache(maxsize=256)
def task_scope_for(shape: ScopeShape) -> ColumnElement[bool]:
    """task_scope_clause() for a (restricted) scope of this shape, with one bind parameter
    per value (scope_params() fills them): built and keyed once per shape, and no expanding
    IN, whose SQL SQLAlchemy renders again on every execution. An empty list's term (an IN
    of nothing: false) is left out."""
    units, provinces, key_tasks, groups = shape
    terms = [column.in_(_binds(prefix, count)) for column, prefix, count in (
        (HumanTask.unit_id, "su", units), (HumanTask.province_code, "sp", provinces),
        (HumanTask.key_task, "sk", key_tasks)) if count]
    offered = [and_(TaskCandidate.kind == "user", TaskCandidate.value == bindparam("s_user"))]
    if groups:
        offered.insert(0, and_(TaskCandidate.kind == "group",
                               TaskCandidate.value.in_(_binds("sg", groups))))
    return or_(*terms, HumanTask.assignee == bindparam("s_user"),
               HumanTask.id.in_(select(TaskCandidate.task_id).where(or_(*offered))))


def scope_shape(scope: ScopeFilter) -> ScopeShape:
    return (len(scope.unit_ids), len(scope.province_codes), len(scope.key_tasks),
            len(scope.groups))


def scope_params(scope: ScopeFilter) -> dict[str, Any]:
    """The bind parameters of task_scope_for(scope_shape(scope))."""
    params: dict[str, Any] = {"s_user": scope.username}
    for prefix, values in (("su", scope.unit_ids), ("sp", scope.province_codes),
                           ("sk", scope.key_tasks), ("sg", scope.groups)):
        params.update({f"{prefix}{i}": value for i, value in enumerate(values)})
    return params
