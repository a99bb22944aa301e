"""Camunda's batch operations on process instances, run at once in one unit of work.

VocFlow has no batch jobs: each command below does all its work before it returns (and
rolls back as a whole when one instance refuses), bounded by BATCH_LIMIT instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import authz
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.repository import Query
from engine.service import rest_jobs, scopes
from engine.service.actors import Actor
from engine.service.messages import correlate_message
from engine.service.rest_actions import delete_instance, put_variables
from engine.service.rest_queries import instance
from engine.service.rest_runtime import Instruction, modify, set_suspended
from engine.uow import UnitOfWork

BATCH_LIMIT = 1000


def instance_ids(uow: UnitOfWork, listed: Sequence[str], q: Query | None, *,
                 actor: Actor, skip_missing: bool = False) -> list[str]:
    """The listed instances (each must be a runtime instance in scope, unless skip_missing
    leaves out those that are not) and those q finds."""
    chosen: list[str] = []
    for instance_id in dict.fromkeys(listed):
        try:
            instance(uow, instance_id, actor=actor)  # out of scope or ended: NotFound
        except NotFound:
            if not skip_missing:
                raise
            continue
        chosen.append(instance_id)
    if q is not None:
        rows = uow.queries.rows("instance", Query(q.filters, q.sort, 0, BATCH_LIMIT + 1),
                                scopes.scope_of(actor))
        chosen += [r.id for r in rows if r.id not in chosen]
    if not chosen and not (listed and skip_missing):
        raise ValidationFailed("give processInstanceIds or a processInstanceQuery that finds "
                               "instances")
    if len(chosen) > BATCH_LIMIT:
        raise ValidationFailed(f"at most {BATCH_LIMIT} process instances per request")
    return sorted(chosen)  # the lock order


def found_in_history(uow: UnitOfWork, q: Query | None, *, actor: Actor
                     ) -> tuple[list[str], list[str]]:
    """The instances a historic-instance query finds in the actor's scope, as (those still
    running or suspended, those that have ended); no query finds none."""
    if q is None:
        return [], []
    rows = uow.queries.rows("history_instance", Query(q.filters, q.sort, 0, BATCH_LIMIT + 1),
                            scopes.scope_of(actor))
    if len(rows) > BATCH_LIMIT:
        raise ValidationFailed(f"at most {BATCH_LIMIT} process instances per request")
    live = [row[0].id for row in rows if row[0].status in ("running", "suspended")]
    return live, [row[0].id for row in rows if row[0].id not in live]


def delete_many_historic(uow: UnitOfWork, listed: Sequence[str], q: Query | None, *,
                         actor: Actor, now: datetime, skip_listeners: bool = False,
                         fail_if_not_exists: bool = True) -> int:
    """delete-historic-query-based: the listed runtime instances and the running ones the
    historic query finds. One it finds that has ended has no runtime instance to delete: a
    refusal (nothing deleted), or skipped when fail_if_not_exists is false."""
    live, ended = found_in_history(uow, q, actor=actor)
    if ended and fail_if_not_exists:
        raise InvalidState(f"process instance(s) {', '.join(sorted(ended)[:10])} have ended: "
                           "no runtime instance to delete (failIfNotExists=false skips them)")
    return delete_many(uow, [*listed, *live], None, actor=actor, now=now,
                       skip_listeners=skip_listeners)


def delete_many(uow: UnitOfWork, listed: Sequence[str], q: Query | None, *, actor: Actor,
                now: datetime, skip_listeners: bool = False,
                fail_if_not_exists: bool = True) -> int:
    """Delete (terminate) the listed instances and those q finds; fail_if_not_exists=False
    skips a listed id that is unknown, out of scope or ended, as Camunda's failIfNotExists."""
    ids = instance_ids(uow, listed, q, actor=actor, skip_missing=not fail_if_not_exists)
    for instance_id in ids:
        delete_instance(uow, instance_id, actor=actor, now=now, skip_listeners=skip_listeners)
    return len(ids)


def suspend_many(uow: UnitOfWork, listed: Sequence[str], q: Query | None, suspended: bool,
                 *, actor: Actor, now: datetime) -> int:
    ids = instance_ids(uow, listed, q, actor=actor)
    for instance_id in ids:
        set_suspended(uow, instance_id, suspended, actor=actor, now=now)
    return len(ids)


def variables_many(uow: UnitOfWork, listed: Sequence[str], q: Query | None,
                   values: dict[str, Any], *, actor: Actor, now: datetime) -> int:
    if not values:
        raise ValidationFailed("variables: at least one variable is required")
    ids = instance_ids(uow, listed, q, actor=actor)
    for instance_id in ids:
        put_variables(uow, instance_id, values, actor=actor, now=now)
    return len(ids)


def job_retries_many(uow: UnitOfWork, listed: Sequence[str], q: Query | None, retries: int,
                     *, actor: Actor, now: datetime) -> int:
    """Retries of every job (timer) of the instances; the number of jobs changed."""
    ids = instance_ids(uow, listed, q, actor=actor)
    jobs = rest_jobs.matching(uow, Query(filters=(("instance_id", "in", ids),)), actor=actor)
    if not jobs:
        return 0
    return rest_jobs.set_retries_many(uow, [j.id for j in jobs], None, retries, actor=actor,
                                      now=now)


def job_retries_many_historic(uow: UnitOfWork, listed: Sequence[str], q: Query | None,
                              retries: int, *, actor: Actor, now: datetime) -> int:
    """job-retries-historic-query-based: as job_retries_many over the listed instances and
    the running ones the historic query finds (an ended instance has no jobs)."""
    live, _ended = found_in_history(uow, q, actor=actor)
    return job_retries_many(uow, [*listed, *live], None, retries, actor=actor, now=now)


def modify_now(uow: UnitOfWork, instance_id: str, instructions: Sequence[Instruction], *,
               annotation: str | None = None, actor: Actor, now: datetime) -> int:
    """modification-async: the same modification, done before the answer."""
    modify(uow, instance_id, instructions, annotation=annotation, actor=actor, now=now)
    return 1


def message_many(uow: UnitOfWork, listed: Sequence[str], q: Query | None, name: str,
                 values: dict[str, Any], *, actor: Actor, now: datetime) -> int:
    """Deliver message `name` to each instance that waits for it (as Camunda's batch,
    whose job for an instance that does not wait fails alone); the instances reached."""
    if not name:
        raise ValidationFailed("messageName is required")
    chosen = instance_ids(uow, listed, q, actor=actor)  # out of scope: NotFound first
    authz.require_correlate(actor)
    reached = 0
    for instance_id in chosen:
        if name not in {s.name for s in uow.events.subscriptions(instance_id, "message", name,
                                                                  1)}:
            continue
        correlate_message(uow, name, actor, now, process_instance_id=instance_id,
                          variables=values or None, every=True)  # Camunda's: correlateAll
        reached += 1
    return reached


def modify_many(uow: UnitOfWork, definition_id: str, listed: Sequence[str], q: Query | None,
                instructions: Sequence[Instruction], *, annotation: str | None = None,
                historic: Query | None = None, actor: Actor, now: datetime) -> int:
    """/modification/execute: the same modification on each chosen instance of one
    definition (all or none); the number modified. `historic` (a historic-instance query)
    adds the running instances it finds; one it finds that has ended is a refusal."""
    if not definition_id:
        raise ValidationFailed("processDefinitionId is required")
    if any(i.activity_instance_id for i in instructions):
        raise ValidationFailed("activityInstanceId names one instance's activity: a "
                               "modification of many instances cancels by activityId")
    live, ended = found_in_history(uow, historic, actor=actor)
    if ended:
        raise InvalidState(f"process instance(s) {', '.join(sorted(ended)[:10])} have ended: "
                           "an ended instance cannot be modified")
    chosen = instance_ids(uow, [*listed, *live], q, actor=actor)
    for instance_id in chosen:
        row = instance(uow, instance_id, actor=actor)
        if row.definition_id != definition_id:
            raise InvalidState(f"process instance {instance_id} runs on {row.definition_id}, "
                               f"not on {definition_id}")
        modify(uow, instance_id, instructions, annotation=annotation, actor=actor, now=now)
    return len(chosen)
