"""A timeCycle written as a Quartz cron, as Camunda 7 allows on any timer event.

SpiffWorkflow reads a timeCycle only as an ISO-8601 repeating interval. Here a cron cycle
fires at the cron's next time after the last occurrence: without end on a non-interrupting
boundary event or event-subprocess start (as in Camunda), once on an interrupting one or
an intermediate catch (Camunda cancels what it interrupts, its job with it). Any other
cycle is left to SpiffWorkflow. The class keeps SpiffWorkflow's name, so the
serializer restores stored cycle timers as this one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent
from SpiffWorkflow.bpmn.specs.event_definitions import timer

from engine import expressions
from engine.bpmn.event_subprocesses import NON_INTERRUPTING, interrupt_by_cycle

CRON = "cron"  # the event value's key holding the cron text


class CycleTimerEventDefinition(timer.CycleTimerEventDefinition):  # type: ignore[misc]
    """A cycle timer whose expression may evaluate to a Quartz cron."""

    def update_task(self, my_task: Any) -> None:
        paths = len(my_task.children)
        super().update_task(my_task)
        if len(my_task.children) > paths:  # an occurrence: an interrupting start takes over
            interrupt_by_cycle(my_task)

    def cycle_complete(self, my_task: Any) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            text = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if not (isinstance(text, str) and expressions.is_cron(text)):
                return bool(super().cycle_complete(my_task))
            value = first_occurrence(text.strip(), datetime.now(UTC), _repeats(my_task.task_spec))
            my_task._set_internal_data(event_value=value)
        if not isinstance(value, dict) or CRON not in value:
            return bool(super().cycle_complete(my_task))
        if value["cycles"] == 0:  # as SpiffWorkflow ends a cycle: done, the event fired
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        due = datetime.fromisoformat(value["next"])
        if due >= datetime.now(UTC):
            return False
        following = expressions.next_cron_time(value[CRON], due)
        cycles = value["cycles"] - 1 if value["cycles"] > 0 else value["cycles"]
        my_task._set_internal_data(event_value={**value, "next": following.isoformat(),
                                                "cycles": cycles})
        return True


def _repeats(spec: Any) -> bool:
    if isinstance(spec, BoundaryEvent):
        return not spec.cancel_activity
    return bool((getattr(spec, "extensions", None) or {}).get(NON_INTERRUPTING))


def first_occurrence(cron: str, now: datetime, repeats: bool = True) -> dict[str, Any]:
    """A cron cycle's event value: SpiffWorkflow's shape (cycles left, next, period) + cron."""
    due = expressions.next_cron_time(cron, now)
    return {"cycles": -1 if repeats else 1, "next": due.isoformat(), "duration": 0, CRON: cron}
