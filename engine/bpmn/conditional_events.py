"""Conditional events, as Camunda 7 runs them: a waiting conditional catch (intermediate or
boundary) fires as soon as its condition holds, whatever changed the variables.

SpiffWorkflow 3.2 evaluates a conditional event's condition only when the event is
reached: one that does not hold then waits for ever. Here every waiting conditional event
is looked at again after each step and after an edit of the variables. A condition that
fails to evaluate on a later look (a variable it reads is gone) counts as not holding: it
was already checked when the event was reached, where a failure is an incident.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState


def _waiting(workflow: BpmnWorkflow) -> list[Any]:
    return [task for task in workflow.event_manager.tasks.values()
            if task.state == TaskState.WAITING
            and isinstance(getattr(task.task_spec, "event_definition", None),
                           ConditionalEventDefinition)]


def has_waiting_conditions(workflow: BpmnWorkflow) -> bool:
    return bool(_waiting(workflow))


def refresh_conditions(workflow: BpmnWorkflow) -> bool:
    """Fire the waiting conditional events whose condition now holds; True if any did.

    A condition reads the process's variables as they are now (Camunda's are one set for
    the process): the event's own copy, overlaid with what tasks completed since it began
    to wait left (another branch's task that set the variable).
    """
    fired = False
    waiting = _waiting(workflow)
    if not waiting:
        return False
    done = sorted(workflow.get_tasks(state=TaskState.COMPLETED, max_depth=_ALL),
                  key=lambda t: t.last_state_change)
    for task in waiting:
        own = task.data
        task.data = {**own}
        for other in done:
            if other.last_state_change > task.last_state_change:
                task.data.update(other.data)
        try:
            holds = task.task_spec.event_definition.has_fired(task)
        except (SpiffWorkflowException, NameError, TypeError, ValueError, KeyError,
                AttributeError):
            holds = False  # see the module docstring
        if holds:  # ready as it is: an update would inherit its parent's older data first
            task._ready()
            fired = True
        else:
            task.data = own
    return fired


_ALL = 10**7  # every task, however deep the loop (TaskIterator's default stops at 1000)
