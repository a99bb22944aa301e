"""Write the activity instances a save started or ended: one statement per step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import bpmn, ids
from engine.models import ProcessInstance
from engine.uow import UnitOfWork


def _assignee(uow: UnitOfWork, run: bpmn.ActivityRun) -> str | None:
    """Who holds (or held, at its end) a user task, as this unit of work knows it."""
    if not run.user_task:
        return None
    if run.ended_at is not None:
        live = uow.activity_history.live_assignee(run.task_id)
        if live is not None:
            return live
    return uow.task_history.assignees.get(run.task_id)


def _row(uow: UnitOfWork, instance: ProcessInstance, run: bpmn.ActivityRun) -> dict[str, Any]:
    duration = (int((run.ended_at - run.started_at).total_seconds() * 1000)
                if run.ended_at is not None and run.started_at is not None else None)
    return {
        "id": ids.activity_instance_id(run.element_id, run.task_id),
        "instance_id": instance.id, "parent_id": run.parent or instance.id,
        "execution_id": ids.execution_id(instance.id, run.task_id),
        "element_id": run.element_id, "name": run.name, "type": run.type,
        "task_id": run.task_id if run.user_task else None,
        "assignee": _assignee(uow, run), "started_at": run.started_at,
        "ended_at": run.ended_at, "duration_ms": duration, "canceled": run.canceled,
        "complete_scope": run.complete_scope, "occurrence": run.occurrence,
    }


def record_runs(uow: UnitOfWork, instance: ProcessInstance, workflow: Any, tasks: list[Any],
                now: datetime) -> None:
    """Record what the step changed, from the tasks of the save's one walk and those it
    pruned; call after the user tasks are synced (their assignees) and before the dump
    (the open runs are stored with the workflow)."""
    runs = bpmn.changed_runs(workflow, tasks, bpmn.take_dropped(workflow), now)
    if runs and instance in uow.session.new:
        uow.flush()  # the rows reference the instance row
    uow.activity_history.record([_row(uow, instance, run) for run in runs])
