"""Non-interrupting message, signal and escalation boundary events, as Camunda 7 runs them:
they stay armed while their activity runs, so each message starts their path again.

SpiffWorkflow 3.2 catches such an event once; a second message found nothing waiting.
When one has fired and its activity is still running, a fresh waiting copy is put beside
it (as SpiffWorkflow's own cycle timers add a path per occurrence). A conditional one's
fresh copy fires only after a later variable change (conditional_events.waits_for_change):
a condition that still holds does not fire again on its own.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    EscalationEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.conditional_events import mark_rearmed

_REPEATING = (MessageEventDefinition, SignalEventDefinition, EscalationEventDefinition,
              ConditionalEventDefinition)


def rearm(task: Task) -> None:
    """Called as each task completes: arm a non-interrupting boundary event again."""
    spec = task.task_spec
    if (not isinstance(spec, BoundaryEvent) or spec.cancel_activity
            or not isinstance(spec.event_definition, _REPEATING)):
        return
    split = task.parent
    if split is None:
        return
    attached = [c for c in split.children if not isinstance(c.task_spec, BoundaryEvent)]
    if not attached or attached[0].has_state(TaskState.FINISHED_MASK):
        return  # the activity has ended: the event is no longer armed
    if any(c.task_spec is spec and c.state == TaskState.WAITING for c in split.children):
        return
    fresh = split._add_child(spec, TaskState.WAITING)
    if isinstance(spec.event_definition, ConditionalEventDefinition):
        mark_rearmed(fresh, task)  # before _update reads its condition
    spec._predict(fresh, mask=TaskState.NOT_FINISHED_MASK)  # its path, taken when it fires
    spec._update(fresh)
