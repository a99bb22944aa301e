"""Camunda's task data: local and task variables, BPMN errors and escalations from a task."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import forms
from engine import authz, bpmn
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import HumanTask
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.projection import SCOPE_VARIABLES
from engine.service.runtime import (
    advance_and_save,
    load_workflow,
    lock_instance,
    record,
    require_active,
    save,
)
from engine.uow import UnitOfWork


def locked_task(uow: UnitOfWork, task_id: str, actor: Actor) -> HumanTask:
    """An open task in scope, its instance row locked first (the house's lock order)."""
    task = scopes.visible_task(uow, task_id, actor)
    require_active(lock_instance(uow, task.instance_id))
    uow.session.refresh(task)
    return task


def checked_names(uow: UnitOfWork, task: HumanTask, values: dict[str, Any],
                  actor: Actor, deletions: list[str] | None = None) -> None:
    """Variables that reach the process: plain names, no scope variables (they move the
    instance's province, unit or key task) unless ops, and never past a registered form."""
    names = [*values, *(deletions or [])]
    bad = [n for n in names if not str(n).isidentifier() or str(n).startswith("_")]
    if bad:
        raise ValidationFailed("invalid variable names: " + ", ".join(sorted(bad)),
                               details={n: ["invalid name"] for n in bad})
    scoped = sorted(set(names) & set(SCOPE_VARIABLES))
    if scoped and not authz.is_ops(actor):
        raise Forbidden(f"only ops may set {', '.join(scoped)}: they decide who sees the "
                        "instance")
    if names and task.form_key in forms.FORM_KEYS:
        raise ValidationFailed(
            f"task {task.id} has the form '{task.form_key}': its fields are checked by the "
            "form, submit them with /submit-form or /complete",
            details={"form_key": [str(task.form_key)]})


def visible_variables(uow: UnitOfWork, task_id: str, *, actor: Actor) -> dict[str, Any]:
    """What Camunda shows as a task's variables: the task's data and its local variables."""
    form = scopes.task_form(uow, task_id, actor)
    return {**form.data, **local_variables(uow, task_id, actor=actor)}


DATE_KEY = "$date"  # how a Date local variable is kept in the JSON column


def _stored(value: Any) -> Any:
    if isinstance(value, datetime):
        return {DATE_KEY: value.isoformat()}
    return value


def _loaded(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {DATE_KEY}:
        return datetime.fromisoformat(str(value[DATE_KEY]))
    return value


def local_variables(uow: UnitOfWork, task_id: str, *, actor: Actor) -> dict[str, Any]:
    task = scopes.visible_task(uow, task_id, actor)
    detail = uow.task_extras.detail(task.id)
    stored = detail.local_variables if detail is not None else {}
    return {name: _loaded(value) for name, value in stored.items()}


def local_variable(uow: UnitOfWork, task_id: str, name: str, *, actor: Actor) -> Any:
    found = local_variables(uow, task_id, actor=actor)
    if name not in found:
        raise NotFound(f"task variable {name} does not exist")
    return found[name]


def modify_local(uow: UnitOfWork, task_id: str, values: dict[str, Any], deletions: list[str],
                 *, actor: Actor, now: datetime) -> None:
    """Set and delete task-local variables: kept with the task, gone when it ends."""
    task = locked_task(uow, task_id, actor)
    authz.require_work(actor, task, "set variables of")
    bad = [n for n in [*values, *deletions] if not str(n) or str(n).startswith("_")]
    if bad:
        raise ValidationFailed("invalid variable names: " + ", ".join(sorted(bad)),
                               details={n: ["invalid name"] for n in bad})
    detail = uow.task_extras.ensure_detail(task.id)
    merged = {**(detail.local_variables or {}),
              **{name: _stored(value) for name, value in values.items()}}
    for name in deletions:
        merged.pop(name, None)
    detail.local_variables, detail.updated_at = merged, now
    record(uow, task.instance_id, actor, "task_local_variables_set", now,
           element_id=task.element_id, task_id=task.id,
           data={"values": values, "deletions": deletions})
    uow.flush()


def task_variable(uow: UnitOfWork, task_id: str, name: str, *, actor: Actor) -> Any:
    found = visible_variables(uow, task_id, actor=actor)
    if name not in found or str(name).startswith("_"):
        raise NotFound(f"task variable {name} does not exist")
    return found[name]


def modify_variables(uow: UnitOfWork, task_id: str, values: dict[str, Any],
                     deletions: list[str], *, actor: Actor, now: datetime) -> None:
    """Set and delete variables of a task without a registered form; the process gets
    them when the task completes (Camunda sets them on the task's execution)."""
    task = locked_task(uow, task_id, actor)
    authz.require_work(actor, task, "set variables of")
    checked_names(uow, task, values, actor, deletions)
    instance = uow.instances.get(task.instance_id)
    assert instance is not None  # noqa: S101 - locked_task locked it
    workflow = load_workflow(uow, instance)
    bpmn.set_user_task_data(workflow, task.id, values, deletions)
    record(uow, instance.id, actor, "task_variables_set", now, element_id=task.element_id,
           task_id=task.id, data={"values": values, "deletions": deletions})
    save(uow, instance, workflow, actor, now)


def throw(uow: UnitOfWork, task_id: str, kind: str, code: str, message: str | None,
          values: dict[str, Any], *, actor: Actor, now: datetime) -> None:
    """A BPMN error or escalation from a user task, caught by its boundary or a subprocess."""
    task = locked_task(uow, task_id, actor)
    authz.require_work(actor, task, f"throw a BPMN {kind} from")
    if not code:
        raise ValidationFailed(f"{kind} code is required", details={f"{kind}Code": ["required"]})
    checked_names(uow, task, values, actor)
    instance = uow.instances.get(task.instance_id)
    assert instance is not None  # noqa: S101 - locked_task locked it
    workflow = load_workflow(uow, instance)
    bpmn.throw_from_user_task(workflow, task.id, kind, code, message, values)
    record(uow, instance.id, actor, f"task_bpmn_{kind}", now, element_id=task.element_id,
           task_id=task.id, data={"code": code, "message": message, "variables": values})
    advance_and_save(uow, instance, workflow, actor, now)
