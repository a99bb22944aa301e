"""A timeCycle written as a Quartz cron, as Camunda 7 allows on any timer event.

SpiffWorkflow reads a timeCycle only as an ISO-8601 repeating interval. Here a cron cycle
repeats without end (as in Camunda), each occurrence at the cron's next time after the last
one; any other cycle is left to SpiffWorkflow. The class keeps SpiffWorkflow's name, so the
serializer restores stored cycle timers as this one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer

from engine import expressions

CRON = "cron"  # the event value's key holding the cron text


class CycleTimerEventDefinition(timer.CycleTimerEventDefinition):  # type: ignore[misc]
    """A cycle timer whose expression may evaluate to a Quartz cron."""

    def cycle_complete(self, my_task: Any) -> bool:
        value = my_task._get_internal_data("event_value")
        if value is None:
            text = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if not (isinstance(text, str) and expressions.is_cron(text)):
                return bool(super().cycle_complete(my_task))
            value = first_occurrence(text.strip(), datetime.now(UTC))
            my_task._set_internal_data(event_value=value)
        if not isinstance(value, dict) or CRON not in value:
            return bool(super().cycle_complete(my_task))
        due = datetime.fromisoformat(value["next"])
        if due >= datetime.now(UTC):
            return False
        following = expressions.next_cron_time(value[CRON], due)
        my_task._set_internal_data(event_value={**value, "next": following.isoformat()})
        return True


def first_occurrence(cron: str, now: datetime) -> dict[str, Any]:
    """A cron cycle's event value: SpiffWorkflow's shape (cycles left, next, period) + cron."""
    due = expressions.next_cron_time(cron, now)
    return {"cycles": -1, "next": due.isoformat(), "duration": 0, CRON: cron}
