"""Run a user task's assignment and delete listeners where the task changes (on save)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine import bpmn
from engine.models import HumanTask, ProcessInstance
from engine.service.projection import TaskChanges
from engine.uow import UnitOfWork


def facts(instance: ProcessInstance, task_id: str, element_id: str, name: str | None,
          assignee: str | None, **extra: Any) -> dict[str, Any]:
    """What a listener's `task` shows (engine.expressions.DelegateTask)."""
    return {"id": task_id, "taskDefinitionKey": element_id, "name": name,
            "assignee": assignee, "processInstanceId": instance.id,
            "businessKey": instance.business_key, **extra}


def row_facts(uow: UnitOfWork, instance: ProcessInstance, task: HumanTask) -> dict[str, Any]:
    detail = uow.task_extras.detail(task.id)
    return facts(instance, task.id, task.element_id, task.name, task.assignee,
                 owner=detail.owner if detail is not None else None, priority=task.priority,
                 dueDate=task.due_at.isoformat() if task.due_at else None)


def has(workflow_or_specs: Any, element_id: str | None, event: str) -> bool:
    return bool(bpmn.task_listeners_of(workflow_or_specs, element_id, event))


def after_sync(uow: UnitOfWork, instance: ProcessInstance, workflow: Any,
               changes: TaskChanges) -> None:
    """Assignment listeners of new tasks with an assignee (Camunda: after create), delete
    listeners of tasks that ended without being completed."""
    for row in changes.created:
        if row.get("assignee") and has(workflow, row["element_id"], "assignment"):
            bpmn.fire_task_listeners(workflow, facts(
                instance, row["id"], row["element_id"], row.get("name"), row["assignee"],
                priority=row.get("priority")), "assignment")
    completed = bpmn.take_completed(workflow)
    for task in changes.gone_rows:
        if task.id not in completed and has(workflow, task.element_id, "delete"):
            bpmn.fire_task_listeners(workflow, row_facts(uow, instance, task), "delete")


def before_cancel(uow: UnitOfWork, instance: ProcessInstance, workflow: Any,
                  tasks: Iterable[HumanTask]) -> None:
    """Delete listeners of the open tasks of an instance about to be cancelled."""
    if not has(workflow, None, "delete"):
        return
    for task in tasks:
        if has(workflow, task.element_id, "delete"):
            bpmn.fire_task_listeners(workflow, row_facts(uow, instance, task), "delete")
