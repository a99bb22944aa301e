"""Scope filters: which instances and tasks a user may see, as SQL clauses."""

from __future__ import annotations

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


def _bound(name: str) -> Any:
    return bindparam(name, expanding=True)


# task_scope_clause() built once with bind parameters (scope_params() fills them): building
# and keying the clause per call cost more than running the query.
TASK_SCOPE = or_(
    HumanTask.unit_id.in_(_bound("scope_units")),
    HumanTask.province_code.in_(_bound("scope_provinces")),
    HumanTask.key_task.in_(_bound("scope_key_tasks")),
    HumanTask.assignee == bindparam("scope_user"),
    HumanTask.id.in_(select(TaskCandidate.task_id).where(or_(
        and_(TaskCandidate.kind == "group", TaskCandidate.value.in_(_bound("scope_groups"))),
        and_(TaskCandidate.kind == "user", TaskCandidate.value == bindparam("scope_user")),
    ))),
)


def scope_params(scope: ScopeFilter) -> dict[str, Any]:
    """The bind parameters of TASK_SCOPE for a (restricted) scope."""
    return {"scope_units": list(scope.unit_ids), "scope_provinces": list(scope.province_codes),
            "scope_key_tasks": list(scope.key_tasks), "scope_user": scope.username,
            "scope_groups": list(scope.groups)}
