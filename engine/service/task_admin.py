"""Use case: a task owner's supervisor (or ops) changes the task's due date, with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

from engine import authz
from engine.errors import Forbidden, ValidationFailed
from engine.models import HumanTask
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.runtime import lock_instance, record
from engine.uow import UnitOfWork


def owners(task: HumanTask) -> list[str]:
    """Who owns the task: its assignee and its candidate users."""
    names = [task.assignee] if task.assignee else []
    return names + [u for u in task.candidate_users or [] if u not in names]


def supervises(uow: UnitOfWork, task: HumanTask, actor: Actor) -> bool:
    """The actor is the recorded supervisor (users.supervisor) of one of the task's owners."""
    for name in owners(task):
        user = uow.users.get(name)
        if user is not None and user.supervisor == actor.username:
            return True
    return False


def is_supervisor_for(uow: UnitOfWork, task_id: str, actor: Actor) -> bool:
    task = uow.tasks.get(task_id)
    return task is not None and supervises(uow, task, actor)


def change_due_date(uow: UnitOfWork, task_id: str, due_at: datetime | None, reason: str,
                    actor: Actor, now: datetime) -> HumanTask:
    """Set (or clear) an open task's due date; the history keeps old, new and the reason."""
    if due_at is not None and due_at.tzinfo is None:
        raise ValidationFailed("due_at needs a time zone", details={"due_at": ["naive"]})
    due_at = due_at.astimezone(UTC) if due_at is not None else None
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required", details={"reason": ["required"]})
    task = uow.tasks.get(task_id)
    if task is None or not supervises(uow, task, actor):
        # A supervisor may reach a task outside their own scope; anyone else needs scope.
        task = scopes.visible_task(uow, task_id, actor)
    lock_instance(uow, task.instance_id)
    uow.session.refresh(task)
    if not (authz.is_ops(actor) or supervises(uow, task, actor)):
        raise Forbidden("only the supervisor of the task's assignee or candidate users, or "
                        "ops, may change its due date")
    previous = task.due_at
    task.due_at = due_at
    record(uow, task.instance_id, actor, "task_due_changed", now, element_id=task.element_id,
           task_id=task.id, data={"from": previous.isoformat() if previous else None,
                                  "to": due_at.isoformat() if due_at else None,
                                  "reason": reason.strip()})
    uow.flush()
    return task
