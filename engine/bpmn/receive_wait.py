"""A receive task without a message: a wait state, as in Camunda 7.

SpiffWorkflow reads such a receive task as catching a none event, which fires the moment
the task is reached, so the token passed straight through. Camunda 7 keeps the token there
until something triggers the execution (`POST /execution/{id}/signal`,
`RuntimeService.signal`); it has no event subscription. `TriggerEventDefinition` is that
wait: it never fires by itself and is caught only by signalling the execution
(engine.bpmn.modification.signal_token).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.base import EventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition


class TriggerEventDefinition(EventDefinition):  # type: ignore[misc]
    """Waits until the execution is signalled; no message, signal or timer reaches it."""

    def catches(self, my_task: Any, event: Any) -> bool:
        return event.event_definition is self  # only signal_token hands it its own


def wait_definition(event_definition: Any) -> Any:
    """A receive task's event definition: a none event becomes the wait for a trigger."""
    if type(event_definition) is NoneEventDefinition:
        return TriggerEventDefinition()
    return event_definition
