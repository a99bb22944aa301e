"""bpmn:task and bpmn:manualTask as Camunda 7 runs them: the token passes through at once.

SpiffWorkflow marks both as manual (a person completes them); Camunda 7 enters and leaves
them in one step, running their listeners and I/O mappings. The classes keep SpiffWorkflow's
names, so the serializer's typenames and the activity types (`task`, `manualTask`) stay as
they were, and specs stored before this change restore as pass-through too.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs import defaults


class NoneTask(defaults.NoneTask):  # type: ignore[misc]
    """An abstract task (no type): completed as soon as it is reached."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class ManualTask(defaults.ManualTask):  # type: ignore[misc]
    """A manual task: done outside the engine, so the engine only passes through it."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


# An instance that reached one of these before it passed through still has it READY, with a
# task in the lists: completing that task is allowed, and only lets the token go on.
PASSING = (NoneTask, ManualTask)
