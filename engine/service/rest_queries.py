"""Read commands of the Camunda REST API: lists, counts and single rows, each in scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import authz
from engine.errors import Forbidden, NotFound
from engine.models import (
    Deployment,
    DeploymentResource,
    HumanTask,
    Job,
    ProcessDefinition,
    ProcessInstance,
    TaskDetail,
)
from engine.repository import Query as Query  # re-exported: doors build queries with it
from engine.repository.queries import locked_at
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.instances import show_instance
from engine.uow import UnitOfWork

# Resources only ops may list (timers and external-task work carry every instance's data).
OPS_ONLY = ("job", "external_task")
RUNTIME = ("running", "suspended")


def _scope(resource: str, actor: Actor) -> Any:
    if resource in OPS_ONLY and not authz.is_ops(actor):
        raise Forbidden("only members of 'ops' may list jobs")
    return scopes.scope_of(actor)


def _extra(now: datetime) -> dict[str, Any]:
    return {"locked": locked_at(now)}


def query(uow: UnitOfWork, resource: str, q: Query, *, actor: Actor,
          now: datetime) -> Sequence[Any]:
    """One page of a resource list (see engine.repository.queries.RESOURCES) in scope."""
    return uow.queries.rows(resource, q, _scope(resource, actor), _extra(now))


def count(uow: UnitOfWork, resource: str, q: Query, *, actor: Actor, now: datetime) -> int:
    """How many rows of the resource match the filters, in scope."""
    return uow.queries.count(resource, q, _scope(resource, actor), _extra(now))


def _one(uow: UnitOfWork, resource: str, row_id: str, actor: Actor, what: str) -> Any:
    rows = uow.queries.rows(resource, Query(filters=(("id", "eq", row_id),), limit=1),
                            _scope(resource, actor))
    if not rows:
        raise NotFound(f"{what} with id {row_id} does not exist")
    return rows[0]


def task(uow: UnitOfWork, task_id: str, *, actor: Actor
         ) -> tuple[HumanTask, ProcessInstance, TaskDetail | None]:
    """An open task in scope with its instance and its details (owner, delegation)."""
    row: tuple[HumanTask, ProcessInstance, TaskDetail | None] = _one(
        uow, "task", task_id, actor, "Task")
    return row


def historic_instance(uow: UnitOfWork, instance_id: str, *, actor: Actor
                      ) -> tuple[ProcessInstance, ProcessDefinition]:
    """An instance in scope, running or ended, with its definition."""
    row: tuple[ProcessInstance, ProcessDefinition] = _one(
        uow, "history_instance", instance_id, actor, "Historic process instance")
    return row


def instance(uow: UnitOfWork, instance_id: str, *, actor: Actor) -> ProcessInstance:
    """A running or suspended instance in scope; an ended one is history (NotFound here)."""
    row: ProcessInstance = _one(uow, "instance", instance_id, actor, "Process instance")
    return row


def instance_variables(uow: UnitOfWork, instance_id: str, *, actor: Actor) -> dict[str, Any]:
    """The variables of an instance in scope, ended ones too (until /history has them)."""
    scopes.visible_instance(uow, instance_id, actor)
    return show_instance(uow, instance_id, actor).variables


def job(uow: UnitOfWork, job_id: str, *, actor: Actor
        ) -> tuple[Job, ProcessInstance | None]:
    row: tuple[Job, ProcessInstance | None] = _one(uow, "job", job_id, actor, "Job")
    return row


def external_task(uow: UnitOfWork, job_id: str, *, actor: Actor
                  ) -> tuple[Job, ProcessInstance | None]:
    row: tuple[Job, ProcessInstance | None] = _one(uow, "external_task", job_id, actor,
                                                   "External task")
    return row


def definition(uow: UnitOfWork, ident: str, *, by_key: bool = False,
               actor: Actor) -> ProcessDefinition:
    """A process definition by id, or the newest version of a key (every user may read)."""
    del actor  # signed in is enough: definitions are not scoped
    row = uow.definitions.latest(ident) if by_key else uow.definitions.get(ident)
    if row is None or row.kind != "process":
        what = f"key '{ident}'" if by_key else f"id {ident}"
        raise NotFound(f"No matching process definition with {what}")
    return row


def deployment(uow: UnitOfWork, deployment_id: str, *, actor: Actor) -> Deployment:
    del actor
    row = uow.definitions.get_deployment(deployment_id)
    if row is None:
        raise NotFound(f"Deployment with id '{deployment_id}' does not exist")
    return row


def deployment_definitions(uow: UnitOfWork, deployment_id: str, *,
                           actor: Actor) -> Sequence[ProcessDefinition]:
    """Every process and decision definition a deployment holds."""
    deployment(uow, deployment_id, actor=actor)
    return uow.definitions.deployment_definitions(deployment_id)


Counts = tuple[int, dict[str, int]]


def definition_statistics(uow: UnitOfWork, *, actor: Actor
                          ) -> list[tuple[ProcessDefinition, Counts]]:
    """Every process definition with its runtime instances and open incidents, in scope."""
    counts = uow.statistics.per_definition(scopes.scope_of(actor))
    rows = uow.queries.rows("definition", Query(), scopes.scope_of(actor))
    return [(row, counts.get(row.id, (0, {}))) for row in rows]


def activity_statistics(uow: UnitOfWork, definition_id: str, *, actor: Actor
                        ) -> dict[str, Counts]:
    """Per activity of one definition: instances waiting there and open incidents."""
    definition(uow, definition_id, actor=actor)
    return uow.statistics.per_activity(definition_id, scopes.scope_of(actor))


def deployment_resources(uow: UnitOfWork, deployment_id: str, *,
                         actor: Actor) -> Sequence[DeploymentResource]:
    """The files a deployment was made of, as uploaded."""
    deployment(uow, deployment_id, actor=actor)
    return uow.definitions.deployment_resources(deployment_id)


def deployment_resource(uow: UnitOfWork, deployment_id: str, resource_id: str, *,
                        actor: Actor) -> DeploymentResource:
    for row in deployment_resources(uow, deployment_id, actor=actor):
        if str(row.id) == resource_id:
            return row
    raise NotFound(f"Deployment resource with resource id '{resource_id}' for deployment id "
                   f"'{deployment_id}' does not exist.")
