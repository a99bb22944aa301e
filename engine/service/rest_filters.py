"""Camunda Tasklist's saved task filters: a user's own task queries, run in their scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from engine import authz
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import TaskFilter
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork

ToQuery = Callable[[dict[str, Any]], Query]
# The expressions Tasklist's default filters use, and what they stand for
EXPRESSIONS = {"assigneeExpression": ("assignee", "${currentUser()}"),
               "candidateUserExpression": ("candidateUser", "${currentUser()}"),
               "ownerExpression": ("owner", "${currentUser()}"),
               "candidateGroupsExpression": ("candidateGroups", "${currentUserGroups()}")}


def expanded(query: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The saved query with Tasklist's ${currentUser()} / ${currentUserGroups()} filled in;
    any other expression is a 400 naming it."""
    result = {}
    for key, value in query.items():
        if key not in EXPRESSIONS:
            result[key] = value
            continue
        name, text = EXPRESSIONS[key]
        if value != text:
            raise ValidationFailed(f"{key}: only {text} is supported, not {value!r}",
                                   details={key: ["unsupported expression"]})
        result[name] = sorted(actor.groups) if "Groups" in key else actor.username
    return result


def _owner_of(actor: Actor, owner: Any) -> str:
    if owner in (None, ""):
        return actor.username
    if not isinstance(owner, str):
        raise ValidationFailed("owner must be a user id", details={"owner": ["not a string"]})
    if owner != actor.username and not authz.is_admin(actor):
        raise Forbidden(f"{actor.username} may save filters only for themselves")
    return owner


def _checked(fields: dict[str, Any], actor: Actor, to_query: ToQuery) -> dict[str, Any]:
    if fields.get("resourceType") != "Task":
        raise ValidationFailed("resourceType must be Task (the only filter resource)",
                               details={"resourceType": ["must be Task"]})
    name = fields.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed("name is required", details={"name": ["required"]})
    query, properties = fields.get("query") or {}, fields.get("properties") or {}
    if not isinstance(query, dict) or not isinstance(properties, dict):
        raise ValidationFailed("query and properties must be JSON objects",
                               details={"query": ["not an object"]})
    to_query(expanded(query, actor))  # a filter or value the task query refuses is a 400
    return {"name": name.strip(), "owner": _owner_of(actor, fields.get("owner")),
            "query": query, "properties": properties}


def create_filter(uow: UnitOfWork, fields: dict[str, Any], to_query: ToQuery, *,
                  actor: Actor, now: datetime) -> TaskFilter:
    row = TaskFilter(id=str(uuid.uuid4()), resource_type="Task", created_at=now,
                     **_checked(fields, actor, to_query))
    uow.filters.add(row)
    uow.flush()
    return row


def _visible(uow: UnitOfWork, filter_id: str, actor: Actor) -> TaskFilter:
    row = uow.filters.get(filter_id)
    if row is None or not authz.sees_filter(actor, row.owner):
        raise NotFound(f"Filter with id '{filter_id}' does not exist.")
    return row


def get_filter(uow: UnitOfWork, filter_id: str, *, actor: Actor) -> TaskFilter:
    return _visible(uow, filter_id, actor)


def update_filter(uow: UnitOfWork, filter_id: str, fields: dict[str, Any],
                  to_query: ToQuery, *, actor: Actor) -> None:
    row = _visible(uow, filter_id, actor)
    if fields.get("owner") in (None, ""):
        fields = {**fields, "owner": row.owner}  # an update without owner keeps it
    for name, value in _checked({"resourceType": "Task", **fields}, actor, to_query).items():
        setattr(row, name, value)
    uow.flush()


def delete_filter(uow: UnitOfWork, filter_id: str, *, actor: Actor) -> None:
    uow.filters.delete(_visible(uow, filter_id, actor))
    uow.flush()


def _owner_scope(actor: Actor) -> str | None:
    return None if authz.is_admin(actor) else actor.username


def filters(uow: UnitOfWork, q: Query, to_query: ToQuery | None, *,
            actor: Actor) -> list[tuple[TaskFilter, int | None]]:
    """The actor's filters (admin: everyone's), each with its task count when asked."""
    rows: Sequence[TaskFilter] = uow.filters.rows(q, _owner_scope(actor))
    return [(row, _count(uow, row, None, to_query, actor) if to_query else None)
            for row in rows]


def count_filters(uow: UnitOfWork, q: Query, *, actor: Actor) -> int:
    return uow.filters.count(q, _owner_scope(actor))


def _task_query(row: TaskFilter, extend: dict[str, Any] | None, to_query: ToQuery,
                actor: Actor) -> Query:
    return to_query(expanded({**row.query, **(extend or {})}, actor))


def _count(uow: UnitOfWork, row: TaskFilter, extend: dict[str, Any] | None,
           to_query: ToQuery, actor: Actor) -> int:
    return uow.queries.count("task", _task_query(row, extend, to_query, actor),
                             scopes.scope_of(actor))


def run_filter(uow: UnitOfWork, filter_id: str, extend: dict[str, Any] | None,
               to_query: ToQuery, *, actor: Actor) -> Sequence[Any]:
    """The tasks the saved query (extended by the request's) finds, in the actor's scope."""
    row = _visible(uow, filter_id, actor)
    return uow.queries.rows("task", _task_query(row, extend, to_query, actor),
                            scopes.scope_of(actor))


def count_filter(uow: UnitOfWork, filter_id: str, extend: dict[str, Any] | None,
                 to_query: ToQuery, *, actor: Actor) -> int:
    return _count(uow, _visible(uow, filter_id, actor), extend, to_query, actor)
