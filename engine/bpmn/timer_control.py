"""Move a waiting timer's due time: what Camunda calls a job's due date (or executing it now)."""

from __future__ import annotations

from datetime import UTC, datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.workflow import find_task
from engine.errors import InvalidState


def set_timer_due(workflow: BpmnWorkflow, task_id: str, due: datetime) -> None:
    """Rewrite the timer's stored target time; a cycle moves only its next occurrence."""
    task = find_task(workflow, task_id)
    event = getattr(task.task_spec, "event_definition", None)
    if task.state != TaskState.WAITING or not isinstance(event, TimerEventDefinition):
        raise InvalidState(f"task {task_id} is not a waiting timer")
    when = due.astimezone(UTC).isoformat()
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = {**value, "next": when}
    else:
        value = when
    task._set_internal_data(event_value=value)
