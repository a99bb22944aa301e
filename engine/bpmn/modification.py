"""Camunda's process instance modification on a workflow: cancel a token, start one elsewhere.

Cockpit's "move token" sends cancel(activity instance) + startBeforeActivity(element):
that is `start_before`, the repair command's move (a rewind to an earlier run, or a fresh
task of the element in the cancelled token's place). A start beside the running tokens
(a new concurrent token) has no SpiffWorkflow counterpart and is refused by the service.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import (
    MessageEventDefinition as BpmnMessageEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.conditional_events import forget_in_conditions
from engine.bpmn.token_repair import move_token
from engine.bpmn.workflow import DEEP, find_task
from engine.errors import InvalidState

_PAST = "1970-01-01T00:00:00+00:00"  # a timer's due time that has passed


def start_before(workflow: BpmnWorkflow, from_task_id: str, element_id: str) -> str:
    """Cancel the token of `from_task_id` and start `element_id` in its place."""
    source = find_task(workflow, from_task_id)
    if element_id not in source.workflow.spec.task_specs:
        raise InvalidState(f"element {element_id} is not in the scope of activity "
                           f"{source.task_spec.bpmn_id} (moves stay within one process level)")
    return move_token(workflow, from_task_id, element_id, ran_before=True)


def cancel_token(workflow: BpmnWorkflow, task_id: str) -> None:
    """Cancel one active task (with its boundary events); the rest of the instance goes on."""
    task = find_task(workflow, task_id)
    if task.has_state(TaskState.COMPLETED | TaskState.CANCELLED):  # ERROR: still a token
        raise InvalidState(f"activity instance of task {task_id} is not active")
    token = task.parent if isinstance(task.parent.task_spec, BoundaryEventSplit) else task
    token.cancel()


def has_active_tokens(workflow: BpmnWorkflow) -> bool:
    active = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    return any(t.task_spec.bpmn_id is not None
               for t in workflow.get_tasks(state=active, max_depth=DEEP))


def delete_variables(workflow: BpmnWorkflow, names: Iterable[str]) -> list[str]:
    """Remove process variables from every token (and the workflow's own data).

    Returns the names that were set somewhere; finished tokens keep their history copy,
    except the one a waiting token inherits from again each time it is looked at (its
    parent), so that a catch event that fires later does not bring the variable back.
    The waiting conditional events look at their condition again.
    """
    names = list(names)
    found: set[str] = set()
    keep = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    tasks = list(workflow.get_tasks(state=keep, max_depth=DEEP))
    if not tasks and workflow.last_task is not None:
        tasks = [workflow.last_task]
    inherited = [t.parent.data for t in tasks
                 if t.state == TaskState.WAITING and t.parent is not None]
    for data in [workflow.data, *(t.data for t in tasks), *inherited]:
        for name in names:
            if name in data and name != "data_objects":
                found.add(name)
                del data[name]
    forget_in_conditions(workflow, names)
    return sorted(found)


def signal_token(workflow: BpmnWorkflow, task_id: str, values: dict[str, Any]) -> None:
    """Let a token waiting at a catch event or receive task go on, as if its event came.

    The next advance() finds the event fired and runs the task on; `values` are set on it.
    """
    task = find_task(workflow, task_id)
    event = getattr(task.task_spec, "event_definition", None)
    if task.state != TaskState.WAITING or event is None or isinstance(
            task.task_spec, BoundaryEvent):
        raise InvalidState(f"activity {task.task_spec.bpmn_id} does not wait for a signal "
                           "(only catch events and receive tasks can be signalled)")
    task.data.update(values)
    if isinstance(event, TimerEventDefinition):
        task._set_internal_data(event_value=_PAST, event_fired=True)
    elif isinstance(event, BpmnMessageEventDefinition):  # as a delivered message: no payload
        task.task_spec.catch(task, BpmnEvent(event, payload={"payload": None,
                                                             "result_var": None}))
    else:
        task.task_spec.catch(task, BpmnEvent(event, payload=None))
    task.task_spec._update(task)  # a caught event makes the task ready, as send_event does
