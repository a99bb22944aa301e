"""Camunda's task people: delegate and resolve, the task's fields, identity links, counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import HumanTask, TaskDetail
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.rest_task_data import checked_names, locked_task
from engine.service.runtime import load_workflow, record, save
from engine.service.tasks import assign_task, assignment_changed
from engine.uow import UnitOfWork

PENDING, RESOLVED = "PENDING", "RESOLVED"
LINK_TYPES = ("assignee", "owner", "candidate")


def _override(actor: Actor, task: HumanTask) -> dict[str, Any]:
    return {"admin_override": True} if authz.is_override(actor, task) else {}


def _known_user(uow: UnitOfWork, user_id: str) -> None:
    if uow.users.get(user_id) is None:
        raise NotFound(f"user {user_id} does not exist")


def delegate(uow: UnitOfWork, task_id: str, user_id: str, *, actor: Actor,
             now: datetime) -> None:
    """Camunda's delegate: the owner (the assignee, unless one is set) gets it back on resolve."""
    task = locked_task(uow, task_id, actor)
    authz.require_work(actor, task, "delegate")
    _known_user(uow, user_id)
    detail = uow.task_extras.ensure_detail(task.id)
    if detail.owner is None:
        detail.owner = task.assignee
    extra = _override(actor, task)
    detail.delegation_state, detail.updated_at = PENDING, now
    before, task.assignee = task.assignee, user_id
    record(uow, task.instance_id, actor, "task_delegated", now, element_id=task.element_id,
           task_id=task.id, data={"to": user_id, "owner": detail.owner, **extra})
    assignment_changed(uow, task, before, actor, now)
    uow.flush()


def resolve(uow: UnitOfWork, task_id: str, values: dict[str, Any], *, actor: Actor,
            now: datetime) -> None:
    """The delegate is done: the task goes back to its owner, with these variables set."""
    task = locked_task(uow, task_id, actor)
    authz.require_work(actor, task, "resolve")
    detail = uow.task_extras.detail(task.id)
    if detail is None or detail.delegation_state != PENDING:
        raise InvalidState(f"task {task_id} is not delegated, so it cannot be resolved")
    if values:
        instance = uow.instances.get(task.instance_id)
        assert instance is not None  # noqa: S101 - locked_task locked it
        checked_names(uow, task, values, actor)
        workflow = load_workflow(uow, instance)
        bpmn.set_user_task_data(workflow, task.id, values, [])
        save(uow, instance, workflow, actor, now)
    extra, before = _override(actor, task), task.assignee
    task.assignee = detail.owner
    detail.delegation_state, detail.updated_at = RESOLVED, now
    record(uow, task.instance_id, actor, "task_resolved", now, element_id=task.element_id,
           task_id=task.id, data={"owner": detail.owner, "variables": values, **extra})
    assignment_changed(uow, task, before, actor, now)
    uow.flush()


@dataclass(frozen=True)
class TaskFields:
    """What PUT /task/{id} replaces (Camunda sets every field from the request)."""

    name: str | None
    description: str | None
    priority: int
    assignee: str | None
    owner: str | None
    delegation_state: str | None
    due_at: datetime | None
    follow_up_at: datetime | None


def update_task(uow: UnitOfWork, task_id: str, fields: TaskFields, *, actor: Actor,
                now: datetime) -> None:
    """Ops replace a task's name, description, priority, people and dates."""
    task = locked_task(uow, task_id, actor)
    authz.require_update_task(actor)
    if fields.delegation_state not in (None, PENDING, RESOLVED):
        raise ValidationFailed("delegationState must be PENDING, RESOLVED or null",
                               details={"delegationState": ["invalid"]})
    for user in (fields.assignee, fields.owner):
        if user is not None:
            _known_user(uow, user)
    before = {"name": task.name, "assignee": task.assignee, "priority": task.priority}
    assignee_before = task.assignee
    task.name, task.priority, task.assignee = fields.name, fields.priority, fields.assignee
    task.due_at, task.follow_up_at = fields.due_at, fields.follow_up_at
    detail = uow.task_extras.ensure_detail(task.id)
    detail.description, detail.owner = fields.description, fields.owner
    detail.delegation_state, detail.updated_at = fields.delegation_state, now
    record(uow, task.instance_id, actor, "task_updated", now, element_id=task.element_id,
           task_id=task.id, data={"before": before, "name": fields.name,
                                  "assignee": fields.assignee, "priority": fields.priority})
    assignment_changed(uow, task, assignee_before, actor, now)
    uow.flush()


@dataclass(frozen=True)
class IdentityLink:
    user_id: str | None
    group_id: str | None
    type: str


def identity_links(uow: UnitOfWork, task_id: str, link_type: str | None, *,
                   actor: Actor) -> list[IdentityLink]:
    """Assignee, owner, candidate users and groups of an open task in scope."""
    task = scopes.visible_task(uow, task_id, actor)
    detail = uow.task_extras.detail(task.id)
    links = [IdentityLink(task.assignee, None, "assignee")] if task.assignee else []
    if detail is not None and detail.owner:
        links.append(IdentityLink(detail.owner, None, "owner"))
    links += [IdentityLink(u, None, "candidate") for u in task.candidate_users or []]
    links += [IdentityLink(None, g, "candidate") for g in task.candidate_groups or []]
    return [link for link in links if link_type in (None, link.type)]


def _link_target(user_id: str | None, group_id: str | None, link_type: str) -> None:
    if link_type not in LINK_TYPES:
        raise ValidationFailed(f"identity link type '{link_type}' is not supported: "
                               "assignee, owner or candidate", details={"type": ["invalid"]})
    if (user_id is None) == (group_id is None):
        raise ValidationFailed("give either userId or groupId, not both or neither",
                               details={"userId": ["one of userId, groupId"]})
    if group_id is not None and link_type != "candidate":
        raise ValidationFailed(f"a group cannot be the {link_type} of a task",
                               details={"groupId": ["candidate only"]})


def change_identity_link(uow: UnitOfWork, task_id: str, user_id: str | None,
                         group_id: str | None, link_type: str, add: bool, *, actor: Actor,
                         now: datetime) -> None:
    """Add or remove an assignee, owner or candidate user/group of an open task."""
    _link_target(user_id, group_id, link_type)
    if link_type == "assignee":
        task = scopes.visible_task(uow, task_id, actor)
        if not add and task.assignee != user_id:
            return
        assign_task(uow, task_id, user_id if add else None, actor, now)
        return
    task = locked_task(uow, task_id, actor)
    if link_type == "owner":
        _set_owner(uow, task, user_id if add else None, actor, now)
        return
    authz.require_update_task(actor)
    kind, value = ("user", user_id) if user_id is not None else ("group", group_id)
    assert value is not None  # noqa: S101 - _link_target checked it
    _change_candidate(uow, task, kind, value, add)
    record(uow, task.instance_id, actor, "task_candidates_changed", now,
           element_id=task.element_id, task_id=task.id,
           data={"kind": kind, "value": value, "added": add})
    uow.flush()


def _set_owner(uow: UnitOfWork, task: HumanTask, owner: str | None, actor: Actor,
               now: datetime) -> None:
    authz.require_assign(actor, task)
    if owner is not None:
        _known_user(uow, owner)
    detail: TaskDetail = uow.task_extras.ensure_detail(task.id)
    detail.owner, detail.updated_at = owner, now
    record(uow, task.instance_id, actor, "task_owner_set", now, element_id=task.element_id,
           task_id=task.id, data={"owner": owner})
    uow.flush()


def _change_candidate(uow: UnitOfWork, task: HumanTask, kind: str, value: str,
                      add: bool) -> None:
    """Both the task's lists (what authz reads) and the candidate index (what SQL reads)."""
    current = list((task.candidate_users if kind == "user" else task.candidate_groups) or [])
    if add and value not in current:
        current.append(value)
        uow.task_extras.add_candidate(task.id, kind, value)
    elif not add and value in current:
        current.remove(value)
        uow.task_extras.remove_candidate(task.id, kind, value)
    if kind == "user":
        task.candidate_users = current
    else:
        task.candidate_groups = current


def candidate_group_counts(uow: UnitOfWork, *, actor: Actor) -> list[tuple[str | None, int]]:
    """Camunda's report: unassigned open tasks in scope per candidate group."""
    return uow.task_extras.candidate_group_counts(scopes.scope_of(actor))


def delete_task(uow: UnitOfWork, task_id: str, *, actor: Actor) -> None:
    """Camunda deletes only standalone tasks; every task here belongs to a process."""
    scopes.visible_task(uow, task_id, actor)
    raise InvalidState(f"task {task_id} cannot be deleted because it is part of a running "
                       "process (only standalone tasks can be deleted)")
