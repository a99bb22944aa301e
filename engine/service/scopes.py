"""Scopes: what an actor may see, enforced in the queries (out of scope reads as absent)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import forms
from engine import authz, bpmn
from engine.errors import Forbidden, NotFound
from engine.models import HumanTask, Incident, Job, ProcessInstance
from engine.repository import ScopeFilter
from engine.service.actors import Actor
from engine.service.generated_form_values import json_schema, task_generated_form
from engine.service.runtime import load_workflow
from engine.uow import UnitOfWork

INBOX_VIEWS = ("mine", "claimable", "offered", "all")


def scope_of(actor: Actor) -> ScopeFilter:
    return authz.scope_filter(actor)


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


def lock_visible_task(uow: UnitOfWork, task_id: str, actor: Actor
                      ) -> tuple[HumanTask, ProcessInstance, str | None]:
    """visible_task, its instance locked (as runtime.lock_instance) and its delegation
    state, read in one statement; NotFound otherwise."""
    found = uow.tasks.get_scoped_locking(task_id, scope_of(actor))
    if found is None:
        raise NotFound(f"task {task_id} does not exist or is not open any more")
    return found


def inbox(uow: UnitOfWork, actor: Actor, *, view: str = "offered",
          **filters: Any) -> Sequence[HumanTask]:
    """Open tasks: mine, claimable by my groups, both (offered), or all in my scope."""
    if view not in INBOX_VIEWS:
        view = "offered"
    return uow.inbox.page(scope_of(actor), view=view, **filters)


def inbox_counts(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[str, int]:
    """Open tasks mine / claimable / offered (both) / overdue (offered, due before now),
    counted in one query (repository.inbox)."""
    return uow.inbox.counts(scope_of(actor), now)


@dataclass(frozen=True)
class TaskForm:
    task: HumanTask
    form_schema: dict[str, Any] | None
    data: dict[str, Any]
    # What the person acting should know first, e.g. a credit code used twice (zh-CN)
    warnings: tuple[str, ...] = ()
    # The task's camunda:formData / formProperty fields (form_schema is drawn from them)
    generated: bpmn.GeneratedForm | None = None


def task_form(uow: UnitOfWork, task_id: str, actor: Actor) -> TaskForm:
    """A visible task with its form as JSON Schema (a registered form, else the generated
    form of its camunda:formData, valued from the task's data) and its current data."""
    task = visible_task(uow, task_id, actor)
    instance = uow.instances.get(task.instance_id)
    if instance is None:
        raise NotFound(f"task {task_id} does not exist or is not open any more")
    view = bpmn.find_task(load_workflow(uow, instance), task_id)
    data = dict(view.data)
    schema, generated = None, None
    if task.form_key and task.form_key in forms.FORM_KEYS:
        schema = forms.form_json_schema(task.form_key)
    elif (generated := task_generated_form(uow, instance, task.element_id)) is not None:
        schema = json_schema(generated, data, task.name or task.element_id)
    warnings = _registration_warnings(uow, instance, data) if (
        task.form_key == REGISTRATION_REVIEW_FORM) else ()
    return TaskForm(task, schema, data, warnings, generated)


REGISTRATION_REVIEW_FORM = "registration_verification"


def _registration_warnings(uow: UnitOfWork, instance: ProcessInstance,
                           data: dict[str, Any]) -> tuple[str, ...]:
    """Tell the province's reviewer when the credit code is already taken or pending twice."""
    code = str(data.get("credit_code") or "").strip().upper()
    if not code:
        return ()
    found: list[str] = []
    unit = uow.product.unit_by_credit_code(code)
    if unit is not None:
        found.append(f"统一社会信用代码 {code} 已属于已注册单位“{unit.name}”（{unit.id}）。")
    others = [other.id for other in uow.product.instances_of(instance.process_key, ("running",))
              if other.id != instance.id and str(
                  bpmn.variables(load_workflow(uow, other)).get("credit_code") or ""
              ).strip().upper() == code]
    if others:
        found.append(f"另有 {len(others)} 份待审核的注册申请使用同一统一社会信用代码 {code}："
                     + "、".join(others) + "。")
    return tuple(found)


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
    authz.require_ops(actor, "list jobs")
    if instance_id:
        jobs = [j for j in uow.jobs.for_instance(instance_id) if not kind or j.kind == kind]
        return jobs[:limit]
    return uow.jobs.list(kind=kind, limit=limit)
