"""Read commands of Camunda's /history: historic tasks and the logs, lists, counts, entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import authz
from engine.errors import Forbidden, NotFound
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.uow import UnitOfWork

RESOURCES = ("history_task", "history_operation", "history_identity_link",
             "history_external_task_log", "history_job_log", "history_activity")
# Worker and job logs carry every instance's work, like the runtime lists of jobs: ops only.
OPS_ONLY = ("history_external_task_log", "history_job_log")


def _scope(resource: str, actor: Actor) -> Any:
    if resource not in RESOURCES:
        raise NotFound(f"no history resource {resource}")
    if resource in OPS_ONLY and not authz.is_ops(actor):
        raise Forbidden("only members of 'ops' may read the job and external-task logs")
    return scopes.scope_of(actor)


def query(uow: UnitOfWork, resource: str, q: Query, *, actor: Actor) -> Sequence[Any]:
    """One page of a history resource in the actor's scope."""
    scope = _scope(resource, actor)
    uow.history.write_waiting()
    return uow.queries.rows(resource, q, scope)


def count(uow: UnitOfWork, resource: str, q: Query, *, actor: Actor) -> int:
    """How many rows of the history resource match, in the actor's scope."""
    scope = _scope(resource, actor)
    uow.history.write_waiting()
    return uow.queries.count(resource, q, scope)


def log_entry(uow: UnitOfWork, resource: str, entry_id: str, *, actor: Actor) -> Any:
    """One entry of a log (its id is the history event's): the row as the list has it, whose
    first item is the HistoryEvent; NotFound out of scope."""
    rows = (query(uow, resource, Query(filters=(("id", "eq", int(entry_id)),), limit=1),
                  actor=actor) if entry_id.isdigit() else [])
    if not rows:
        raise NotFound(f"log entry with id {entry_id} does not exist")
    return rows[0]


def activity(uow: UnitOfWork, activity_instance_id: str, *, actor: Actor) -> Any:
    """One historic activity instance the actor may see (the row as the list has it)."""
    rows = query(uow, "history_activity", Query(
        filters=(("id", "eq", activity_instance_id),), limit=1), actor=actor)
    if not rows:
        raise NotFound(f"historic activity instance with id {activity_instance_id} "
                       "does not exist")
    return rows[0]


def annotate(uow: UnitOfWork, operation_id: str, annotation: str | None, *, actor: Actor,
             now: datetime) -> None:
    """Set (None: clear) an ops note on a user operation log entry the actor can see.

    The note is itself an operation, logged on the same instance (as Camunda does)."""
    event, _instance, _note = log_entry(uow, "history_operation", operation_id, actor=actor)
    if not authz.is_ops(actor):
        raise Forbidden("only members of 'ops' may annotate the operation log")
    uow.annotations.annotate(event.id, annotation, actor.username, now)
    action = "operation_annotation_cleared" if annotation is None else "operation_annotated"
    record(uow, event.instance_id, actor, action, now,
           data={"operation_id": event.id, "annotation": annotation})


def batches(uow: UnitOfWork, *, actor: Actor) -> list[Any]:
    """Historic batches: VocFlow runs no batch operations (bulk changes run in one request
    each), so there are none to list, whoever asks."""
    del uow, actor
    return []


def cleanup_jobs(uow: UnitOfWork, *, actor: Actor) -> list[Any]:
    """History cleanup jobs: VocFlow keeps its append-only history and schedules none."""
    del uow, actor
    return []


def activity_statistics(uow: UnitOfWork, definition_id: str, q: Query, *, incidents: bool,
                        actor: Actor) -> dict[str, list[int]]:
    """Per activity of a process definition, over its instances in the actor's scope that
    match q: [running, canceled, finished, complete scope] runs and, when asked,
    [open, resolved, deleted] incidents after them."""
    definition = uow.definitions.get(definition_id)
    if definition is None or definition.kind != "process":
        raise NotFound(f"process definition with id {definition_id} does not exist")
    scope = scopes.scope_of(actor)
    counts = uow.activity_statistics.per_activity(definition_id, scope, q)
    found = uow.activity_statistics.incidents(definition_id, scope, q) if incidents else {}
    return {element: counts.get(element, [0, 0, 0, 0]) + found.get(element, [0, 0, 0])
            for element in sorted({*counts, *found})}
