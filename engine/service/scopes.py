"""Scopes: what an actor may see, enforced in the queries (out of scope reads as absent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import forms
from engine import bpmn
from engine.errors import Forbidden, NotFound
from engine.models import HumanTask, Incident, Job, ProcessInstance
from engine.repository import ScopeFilter
from engine.service.actors import Actor
from engine.service.runtime import load_workflow
from engine.uow import UnitOfWork

INBOX_VIEWS = ("mine", "claimable", "offered", "all")


@dataclass(frozen=True)
class Scope:
    """The actor's reach, read from group names.

    `unit:{id}` -> that unit; `province:{code}:reviewer|admin` -> that province;
    `ministry:{KTxx}` -> that key task; `ops`/`admin` -> everything.
    """

    actor: Actor

    @property
    def unrestricted(self) -> bool:
        return self.actor.is_ops

    def filter(self) -> ScopeFilter:
        provinces, key_tasks = [], []
        for group in self.actor.groups:
            parts = group.split(":")
            if len(parts) == 3 and parts[0] == "province" and parts[2] in ("reviewer", "admin"):
                provinces.append(parts[1])
            elif len(parts) == 2 and parts[0] == "ministry":
                key_tasks.append(parts[1])
        return ScopeFilter(
            username=self.actor.username, groups=tuple(sorted(self.actor.groups)),
            unrestricted=self.unrestricted, unit_ids=tuple(sorted(self.actor.unit_ids)),
            province_codes=tuple(sorted(provinces)), key_tasks=tuple(sorted(key_tasks)),
        )


def scope_of(actor: Actor) -> ScopeFilter:
    return Scope(actor).filter()


def figures_scope(actor: Actor) -> ScopeFilter:
    """Scope of the annual figures: ops/admin all, the Ministry its key tasks, a province
    its own; Forbidden for anyone else (units see no figures)."""
    scope = scope_of(actor)
    if not (scope.unrestricted or scope.province_codes or scope.key_tasks):
        raise Forbidden(f"{actor.username} may not see the annual figures")
    return scope


def visible_instance(uow: UnitOfWork, instance_id: str, actor: Actor) -> ProcessInstance:
    """The instance if it is in the actor's scope; NotFound otherwise (nothing leaks)."""
    instance = uow.instances.get_scoped(instance_id, scope_of(actor))
    if instance is None:
        raise NotFound(f"process instance {instance_id} does not exist")
    return instance


def list_instances(uow: UnitOfWork, actor: Actor, *, limit: int = 50,
                   **filters: Any) -> Sequence[ProcessInstance]:
    """Instances in scope, newest first; filters as InstanceRepository.list_scoped."""
    return uow.instances.list_scoped(scope_of(actor), limit=limit, **filters)


def visible_task(uow: UnitOfWork, task_id: str, actor: Actor) -> HumanTask:
    task = uow.tasks.get_scoped(task_id, scope_of(actor))
    if task is None:
        raise NotFound(f"task {task_id} does not exist or is not open any more")
    return task


def inbox(uow: UnitOfWork, actor: Actor, *, view: str = "offered",
          **filters: Any) -> Sequence[HumanTask]:
    """Open tasks: mine, claimable by my groups, both (offered), or all in my scope."""
    if view not in INBOX_VIEWS:
        view = "offered"
    return uow.tasks.list_scoped(scope_of(actor), view=view, **filters)


def inbox_counts(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[str, int]:
    return uow.tasks.counts_scoped(scope_of(actor), now)


@dataclass(frozen=True)
class TaskForm:
    task: HumanTask
    form_schema: dict[str, Any] | None
    data: dict[str, Any]


def task_form(uow: UnitOfWork, task_id: str, actor: Actor) -> TaskForm:
    """A visible task with its form as JSON Schema (when registered) and its current data."""
    task = visible_task(uow, task_id, actor)
    instance = uow.instances.get(task.instance_id)
    if instance is None:
        raise NotFound(f"task {task_id} does not exist or is not open any more")
    view = bpmn.find_task(load_workflow(uow, instance), task_id)
    schema = None
    if task.form_key and task.form_key in forms.FORM_KEYS:
        schema = forms.form_json_schema(task.form_key)
    return TaskForm(task, schema, dict(view.data))


def list_incidents(uow: UnitOfWork, actor: Actor, *, open_only: bool = True,
                   instance_id: str | None = None) -> Sequence[Incident]:
    return uow.incidents.list_scoped(scope_of(actor), open_only=open_only,
                                     instance_id=instance_id)


def visible_incident(uow: UnitOfWork, incident_id: str, actor: Actor) -> Incident:
    incident = uow.incidents.get(incident_id)
    if incident is None or uow.instances.get_scoped(incident.instance_id,
                                                    scope_of(actor)) is None:
        raise NotFound(f"incident {incident_id} does not exist")
    return incident


def list_jobs(uow: UnitOfWork, actor: Actor, *, kind: str | None = None,
              instance_id: str | None = None, limit: int = 200) -> Sequence[Job]:
    """Ops only: timers and external-task work with due times and attempts."""
    if not actor.is_ops:
        raise Forbidden("only members of 'ops' may list jobs")
    if instance_id:
        jobs = [j for j in uow.jobs.for_instance(instance_id) if not kind or j.kind == kind]
        return jobs[:limit]
    return uow.jobs.list(kind=kind, limit=limit)


def check_start(actor: Actor, variables: dict[str, Any]) -> None:
    """A unit may start instances only for itself; a province only for its own province."""
    if actor.is_ops:
        return
    scope = scope_of(actor)
    unit, province = variables.get("unit_id"), variables.get("province_code")
    if unit not in (None, "") and str(unit) not in scope.unit_ids:
        raise Forbidden(f"{actor.username} may not start instances for unit {unit}")
    if (province not in (None, "") and not scope.unit_ids
            and str(province) not in scope.province_codes):
        raise Forbidden(f"{actor.username} may not start instances for province {province}")
