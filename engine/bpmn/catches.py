"""What a waiting task catches, and under which element Camunda shows each catch."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import EventBasedGateway
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def event_catches(spec: Any) -> list[tuple[Any, str | None]]:
    """Each event definition the task waits for, with the id of the element catching it.

    SpiffWorkflow moves the definitions of the catch events after an event-based gateway
    into the gateway (one MultipleEventDefinition, in the order of its outgoing flows), so
    the gateway task is the one that waits. Camunda subscribes under each catch event.
    """
    definition = getattr(spec, "event_definition", None)
    if definition is None:
        return []
    if isinstance(spec, EventBasedGateway) and isinstance(definition, MultipleEventDefinition):
        return [(inner, output.bpmn_id)
                for inner, output in zip(definition.event_definitions, spec.outputs,
                                         strict=False)]
    return [(definition, spec.bpmn_id)]


def timer_catch(spec: Any) -> tuple[TimerEventDefinition, str | None] | None:
    """The timer the task waits for (an event-based gateway's first timer), or None."""
    for definition, element_id in event_catches(spec):
        if isinstance(definition, TimerEventDefinition):
            return definition, element_id
    return None
