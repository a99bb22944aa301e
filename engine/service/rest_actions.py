"""Write commands of the Camunda REST API that combine engine steps the way Camunda does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.errors import InvalidState
from engine.models import ProcessInstance
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.instances import (
    set_variables,
    show_instance,
    start_instance,
    terminate_instance,
)
from engine.service.messages import correlate_message
from engine.service.rest_queries import definition, instance
from engine.service.tasks import assign_task, claim_task, complete_task, unclaim_task
from engine.uow import UnitOfWork


def claim(uow: UnitOfWork, task_id: str, user_id: str | None, *, actor: Actor,
          now: datetime) -> None:
    """Claim for yourself; claiming for someone else is an assignment of a free task."""
    task = scopes.visible_task(uow, task_id, actor)
    if user_id in (None, actor.username):
        claim_task(uow, task_id, actor, now)
        return
    if task.assignee:
        raise InvalidState(f"Task '{task_id}' is already claimed by someone else.")
    assign_task(uow, task_id, user_id, actor, now)


def unclaim(uow: UnitOfWork, task_id: str, *, actor: Actor, now: datetime) -> None:
    scopes.visible_task(uow, task_id, actor)
    unclaim_task(uow, task_id, actor, now)


def set_assignee(uow: UnitOfWork, task_id: str, user_id: str | None, *, actor: Actor,
                 now: datetime) -> None:
    scopes.visible_task(uow, task_id, actor)
    assign_task(uow, task_id, user_id, actor, now)


def complete(uow: UnitOfWork, task_id: str, values: dict[str, Any], with_variables: bool,
             *, actor: Actor, now: datetime) -> dict[str, Any] | None:
    """Complete a task in scope; the instance's variables afterwards when asked for."""
    task = scopes.visible_task(uow, task_id, actor)
    complete_task(uow, task_id, values, actor, now)
    return show_instance(uow, task.instance_id, actor).variables if with_variables else None


@dataclass(frozen=True)
class Started:
    instance: ProcessInstance
    variables: dict[str, Any] | None


def start(uow: UnitOfWork, ident: str, values: dict[str, Any], business_key: str | None,
          with_variables: bool, *, by_key: bool = False, actor: Actor,
          now: datetime) -> Started:
    """Start the definition (by id, or the newest of a key); start_instance checks scope."""
    row = definition(uow, ident, by_key=by_key, actor=actor)
    started = start_instance(uow, row.id, actor, now, variables=values,
                             business_key=business_key)
    variables = show_instance(uow, started.id, actor).variables if with_variables else None
    return Started(started, variables)


def delete_instance(uow: UnitOfWork, instance_id: str, *, actor: Actor,
                    now: datetime, skip_listeners: bool = False) -> None:
    """Camunda deletes; we terminate (history is kept). skipCustomListeners: the open
    tasks' delete listeners do not run."""
    instance(uow, instance_id, actor=actor)
    terminate_instance(uow, instance_id, actor, now, reason="deleted through /engine-rest",
                       run_listeners=not skip_listeners)


def put_variables(uow: UnitOfWork, instance_id: str, values: dict[str, Any], *,
                  actor: Actor, now: datetime) -> None:
    instance(uow, instance_id, actor=actor)
    set_variables(uow, instance_id, values, actor, now, reason="set through /engine-rest")


@dataclass(frozen=True)
class Correlated:
    instance: ProcessInstance
    started: bool


def correlate(uow: UnitOfWork, name: str, options: dict[str, Any], *, actor: Actor,
              now: datetime) -> list[Correlated]:
    """Correlate a message; each instance reached, and whether the message started it."""
    ids = correlate_message(uow, name, actor, now, **options)
    result = []
    for instance_id in ids:
        row = uow.instances.get(instance_id)
        if row is not None:
            result.append(Correlated(row, row.started_at == now))
    return result
