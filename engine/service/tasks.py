"""Use cases on user tasks: list, claim, unclaim, assign, complete (with form validation)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import forms
from engine import authz, bpmn, files
from engine.errors import FormInvalid, InvalidState, NotFound
from engine.models import FileAttachment, HumanTask
from engine.service import scopes, task_events
from engine.service.actors import Actor
from engine.service.runtime import (
    DEFAULT_RETRIES,
    advance_and_save,
    instance_specs,
    load_workflow,
    lock_instance,
    record,
    require_active,
    save,
)
from engine.uow import UnitOfWork


def may_act(actor: Actor, task: HumanTask) -> bool:
    """The assignee, a candidate user, a member of a candidate group, or admin may act."""
    return authz.may_complete(actor, task)


def get_task(uow: UnitOfWork, task_id: str, actor: Actor) -> HumanTask:
    """An open task in the actor's scope; NotFound otherwise."""
    return scopes.visible_task(uow, task_id, actor)


def list_tasks(uow: UnitOfWork, actor: Actor, *, all: bool = False,  # noqa: A002
               groups: Sequence[str] = (), **filters: Any) -> Sequence[HumanTask]:
    """Open tasks offered to the actor; `groups` narrows to tasks offered to those groups
    (ops: any group, others: their own); ops see every open task with all=True."""
    if groups:
        allowed = sorted(groups) if authz.is_ops(actor) else sorted(
            set(groups) & actor.groups)
        return uow.tasks.list_for(groups=allowed, **filters) if allowed else []
    if all and authz.is_ops(actor):
        return uow.tasks.list_for(**filters)
    return uow.tasks.list_for(user=actor.username, groups=sorted(actor.groups), **filters)


def _override(actor: Actor, task: HumanTask) -> dict[str, Any]:
    """History data that marks an admin acting on a task not offered to them."""
    return {"admin_override": True} if authz.is_override(actor, task) else {}


def claim_task(uow: UnitOfWork, task_id: str, actor: Actor, now: datetime) -> HumanTask:
    task = _locked_task(uow, task_id, actor)
    if task.assignee and task.assignee != actor.username:
        raise InvalidState(f"task {task_id} is already claimed by {task.assignee}")
    authz.require_claim(actor, task)
    extra, before = _override(actor, task), task.assignee
    task.assignee = actor.username
    record(uow, task.instance_id, actor, "task_claimed", now, element_id=task.element_id,
           task_id=task.id, data=extra or None)
    assignment_changed(uow, task, before, actor, now)
    uow.flush()
    return task


def unclaim_task(uow: UnitOfWork, task_id: str, actor: Actor, now: datetime) -> HumanTask:
    task = _locked_task(uow, task_id, actor)
    authz.require_unclaim(actor, task)
    before, task.assignee = task.assignee, None
    record(uow, task.instance_id, actor, "task_unclaimed", now, element_id=task.element_id,
           task_id=task.id)
    assignment_changed(uow, task, before, actor, now)
    uow.flush()
    return task


def assign_task(uow: UnitOfWork, task_id: str, assignee: str | None, actor: Actor,
                now: datetime) -> HumanTask:
    """Ops and admin, or the current assignee handing over, may set the assignee."""
    task = _locked_task(uow, task_id, actor)
    authz.require_assign(actor, task)
    if assignee is not None and uow.users.get(assignee) is None:
        raise NotFound(f"user {assignee} does not exist")
    extra, before = _override(actor, task), task.assignee
    task.assignee = assignee
    record(uow, task.instance_id, actor, "task_assigned", now, element_id=task.element_id,
           task_id=task.id, data={"assignee": assignee, **extra})
    assignment_changed(uow, task, before, actor, now)
    uow.flush()
    return task


def assignment_changed(uow: UnitOfWork, task: HumanTask, before: str | None, actor: Actor,
                       now: datetime) -> None:
    """Camunda fires a task's assignment listeners whenever its assignee changes (to
    nobody too): run them on the workflow and save it. The instance row is locked."""
    if task.assignee == before:
        return
    instance = uow.instances.get(task.instance_id)
    if instance is None or not task_events.has(
            instance_specs(uow, instance), task.element_id, "assignment"):
        return
    workflow = load_workflow(uow, instance)
    bpmn.fire_task_listeners(workflow, task_events.row_facts(uow, instance, task),
                             "assignment")
    save(uow, instance, workflow, actor, now)


def _locked_task(uow: UnitOfWork, task_id: str, actor: Actor) -> HumanTask:
    task = scopes.visible_task(uow, task_id, actor)
    instance = lock_instance(uow, task.instance_id)
    require_active(instance)
    uow.session.refresh(task)
    return task


def complete_task(
    uow: UnitOfWork, task_id: str, data: dict[str, Any], actor: Actor, now: datetime, *,
    retries: int = DEFAULT_RETRIES,
) -> bpmn.StepFailure | None:
    """Validate the form, complete the task and run the instance to its next wait state.

    Locks the instance row first: of two people completing the same task at once, one
    succeeds and the other gets NotFound/ConcurrencyConflict, never a doubled step. File
    references in the form must exist and belong to the actor's unit; they are recorded
    as attached to the instance (what lets its other viewers read them).
    """
    task, instance, delegation = scopes.lock_visible_task(uow, task_id, actor)
    require_active(instance)
    authz.require_complete(actor, task)
    if delegation == "PENDING":
        raise InvalidState(f"task {task_id} is delegated: the delegate resolves it first")
    workflow = load_workflow(uow, instance)
    view = bpmn.find_task(workflow, task_id)
    values = validate_task_form(uow, task.form_key, data, dict(view.data), actor)
    bpmn.complete_user_task(workflow, task_id, values)
    uow.task_history.ended([task.id], now, "completed", by=actor.username)
    record(uow, instance.id, actor, "task_completed", now, element_id=task.element_id,
           task_id=task.id, data={**values, **_override(actor, task)})
    if task.form_key in forms.FORM_KEYS:
        uow.product.attach(
            FileAttachment(file_id=f, instance_id=instance.id, task_id=task.id,
                           attached_by=actor.username, attached_at=now)
            for f in sorted(set(_file_ids(values))))
    return advance_and_save(uow, instance, workflow, actor, now, retries=retries)


@dataclass(frozen=True)
class Completion:
    """What a door reports after a completion: where the instance stands now."""

    instance_id: str
    status: str
    incident: str | None


def complete_and_report(uow: UnitOfWork, task_id: str, data: dict[str, Any], actor: Actor,
                        now: datetime) -> Completion:
    """complete_task, then the instance's status and the failure that followed, if any."""
    instance_id = scopes.visible_task(uow, task_id, actor).instance_id
    failure = complete_task(uow, task_id, data, actor, now)
    status = uow.instances.get(instance_id)
    return Completion(instance_id, status.status if status else "unknown",
                      failure.message if failure else None)


def _file_ids(value: Any) -> Iterator[str]:
    """Every file_id in a validated form's data (file references are {"file_id": ...})."""
    if isinstance(value, dict):
        if isinstance(value.get("file_id"), str) and "sha256" in value:
            yield value["file_id"]
        for item in value.values():
            yield from _file_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _file_ids(item)


def validate_task_form(uow: UnitOfWork, form_key: str | None, data: dict[str, Any],
                       task_data: dict[str, Any], actor: Actor) -> dict[str, Any]:
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
        file_owner=files.file_owner(uow),
        actor_unit_id=units[0] if units else None,
        credit_code_taken=lambda code: uow.product.unit_by_credit_code(code) is not None,
    )
    try:
        return dict(forms.validate_form(form_key, data, context))
    except forms.FormValidationError as exc:
        raise FormInvalid("the form has errors", details=exc.messages) from exc
