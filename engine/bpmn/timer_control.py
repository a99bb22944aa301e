"""Move a waiting timer's due time: what Camunda calls a job's due date (or executing it now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.catches import timer_catch
from engine.bpmn.cron_cycles import CRON, first_occurrence
from engine.bpmn.workflow import find_task
from engine.errors import InvalidState


def set_timer_due(workflow: BpmnWorkflow, task_id: str, due: datetime) -> None:
    """Rewrite the timer's stored target time; a cycle moves only its next occurrence."""
    task = find_task(workflow, task_id)
    if task.state != TaskState.WAITING or timer_catch(task.task_spec) is None:
        raise InvalidState(f"task {task_id} is not a waiting timer")
    when = due.astimezone(UTC).isoformat()
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = {**value, "next": when}
    else:
        value = when
    task._set_internal_data(event_value=value)


def recalculate_timer(workflow: BpmnWorkflow, task_id: str, now: datetime) -> datetime:
    """Evaluate a waiting timer's expression again from `now`; returns the new due time.

    A date or duration is read afresh (a duration counts from now); a cycle keeps the
    repetitions it has left and its next one falls one period after now.
    """
    task = find_task(workflow, task_id)
    caught = timer_catch(task.task_spec)
    if task.state != TaskState.WAITING or caught is None:
        raise InvalidState(f"task {task_id} is not a waiting timer")
    event = caught[0]
    value = task._get_internal_data("event_value")
    if isinstance(value, dict) and value.get(CRON):  # a cron's next time after now
        following = first_occurrence(str(value[CRON]), now)["next"]  # keeps its cycles
        task._set_internal_data(event_value={**value, "next": following})
        return datetime.fromisoformat(following)
    if isinstance(value, dict):
        following = now + timedelta(seconds=float(value.get("duration") or 0))
        task._set_internal_data(event_value={**value,
                                             "next": following.astimezone(UTC).isoformat()})
        return following
    task._set_internal_data(event_value=None)
    event.has_fired(task)  # SpiffWorkflow computes and stores the target time
    value = task._get_internal_data("event_value")
    if task._get_internal_data("event_fired", False):
        return now
    due: datetime = TimerEventDefinition.get_datetime(value)
    return due
