"""Camunda's multi-instance variables, readable in the expressions and scripts of each
instance and in the completion condition: nrOfInstances, nrOfActiveInstances,
nrOfCompletedInstances and loopCounter (the instance's index, from 0).

SpiffWorkflow 3.2 defines none of them, so `${nrOfCompletedInstances >= 2}`, the usual
"enough reviewers have voted" condition, failed as an unknown property.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    MultiInstanceTask,
    SequentialMultiInstanceTask,
)
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

LOOP_NAMES = ("nrOfInstances", "nrOfActiveInstances", "nrOfCompletedInstances", "loopCounter")


def loop_variables(task: Task) -> dict[str, Any]:
    """The variables of the multi-instance `task` is one instance of (else none)."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, MultiInstanceTask):
        return {}
    spec = parent.task_spec
    instances = [c for c in parent.children if c.task_spec.name == spec.task_spec]
    total = len(instances)
    if isinstance(spec, SequentialMultiInstanceTask):
        data = parent.internal_data
        total = int(data["cardinality"]) if "cardinality" in data else (
            total + len(data.get("remaining", [])))
    key = task.internal_data.get("key_or_index")
    counter = key if isinstance(key, int) else next(
        (i for i, c in enumerate(instances) if c is task), 0)
    return {
        "nrOfInstances": total,
        "nrOfActiveInstances": sum(1 for c in instances
                                   if not c.has_state(TaskState.FINISHED_MASK)),
        "nrOfCompletedInstances": len(parent.internal_data.get("merged", [])),
        "loopCounter": counter,
    }
