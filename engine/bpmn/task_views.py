"""What a workflow shows: its open user tasks, external tasks, timers and activity states."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.catches import timer_catch
from engine.bpmn.workflow import DEEP

ASSIGNED = "vocflow_assignee"  # a user task's internal data: the assignee a listener set


@dataclass(frozen=True)
class UserTaskView:
    id: str
    element_id: str
    name: str | None
    form_key: str | None
    extensions: dict[str, Any]
    data: dict[str, Any]
    documentation: str | None = None
    assigned: str | None = None  # set by a create listener's task.setAssignee()


@dataclass(frozen=True)
class ExternalTaskView:
    id: str
    element_id: str
    name: str | None
    topic: str | None
    extensions: dict[str, Any]
    data: dict[str, Any]


@dataclass(frozen=True)
class TimerView:
    id: str
    element_id: str
    name: str | None
    kind: str
    due_at: datetime


def _visible(workflow: BpmnWorkflow, state: TaskState) -> Iterator[Task]:
    for task in workflow.get_tasks(state=state, max_depth=DEEP):
        if task.task_spec.bpmn_id is not None:
            yield task


def user_task_view(task: Task) -> UserTaskView:
    spec = task.task_spec
    form = getattr(spec, "form", None)
    return UserTaskView(
        id=str(task.id),
        element_id=spec.bpmn_id,
        name=spec.bpmn_name,
        form_key=getattr(form, "key", None),
        extensions=dict(getattr(spec, "extensions", {}) or {}),
        data=task.data,
        documentation=getattr(spec, "documentation", None),
        assigned=task.internal_data.get(ASSIGNED),
    )


def ready_user_tasks(workflow: BpmnWorkflow) -> list[UserTaskView]:
    tasks = workflow.get_tasks(state=TaskState.READY, manual=True, max_depth=DEEP)
    return [user_task_view(task) for task in tasks]


def external_task_view(task: Task) -> ExternalTaskView:
    spec = task.task_spec
    ext = dict(getattr(spec, "extensions", {}) or {})
    return ExternalTaskView(
        id=str(task.id), element_id=spec.bpmn_id, name=spec.bpmn_name,
        topic=ext.get("topic"), extensions=ext, data=task.data,
    )


def started_external_tasks(workflow: BpmnWorkflow) -> list[ExternalTaskView]:
    return [external_task_view(task) for task in _visible(workflow, TaskState.STARTED)
            if isinstance(task.task_spec, ServiceTask)]


def timer_view(task: Task) -> TimerView | None:
    """The due time of a WAITING timer event task, or None if it is no (armed) timer."""
    caught = timer_catch(task.task_spec)
    if caught is None:
        return None
    event, element_id = caught
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not value:
        return None
    return TimerView(
        id=str(task.id), element_id=str(element_id or task.task_spec.bpmn_id),
        name=task.task_spec.bpmn_name,
        kind=type(event).__name__, due_at=TimerEventDefinition.get_datetime(value),
    )


def waiting_timers(workflow: BpmnWorkflow) -> list[TimerView]:
    views = [timer_view(task) for task in _visible(workflow, TaskState.WAITING)]
    return [view for view in views if view is not None]


def errored_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return list(_visible(workflow, TaskState.ERROR))


def activity_states(workflow: BpmnWorkflow) -> list[dict[str, Any]]:
    """State of every BPMN activity that has a task (predicted branches left out)."""
    result = []
    definite = TaskState.DEFINITE_MASK | TaskState.FINISHED_MASK
    for task in workflow.get_tasks(state=definite, max_depth=DEEP):
        spec = task.task_spec
        if spec.bpmn_id is None:
            continue
        result.append({
            "task_id": str(task.id), "element_id": spec.bpmn_id, "name": spec.bpmn_name,
            "type": type(spec).__name__, "state": TaskState.get_name(task.state),
        })
    return result
