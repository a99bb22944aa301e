"""Data objects as Camunda 7 reads them: drawn associations never fail a task.

Camunda 7 ignores data objects and their associations (they are documentation in its
Modeler). SpiffWorkflow copies the variable along each association and fails the task when
an output's variable was never set, or an input's data object never written. Here a copy
happens when there is something to copy, and nothing fails otherwise. The class keeps
SpiffWorkflow's name, so stored specs restore as this one.
"""

from __future__ import annotations

import logging
from typing import Any

from SpiffWorkflow.bpmn.specs import data_spec

_log = logging.getLogger(__name__)


class DataObject(data_spec.DataObject):  # type: ignore[misc]
    """A data object whose associations copy what exists and skip what does not."""

    def get(self, my_task: Any) -> None:
        workflow = my_task.workflow
        while workflow is not None and self.bpmn_id not in workflow.spec.data_objects:
            workflow = workflow.parent_workflow
        if workflow is None or self.bpmn_id not in workflow.data_objects:
            _log.debug("data object %s read before it was written: nothing read", self.bpmn_id)
            return
        super().get(my_task)

    def set(self, my_task: Any) -> None:
        if self.bpmn_id not in my_task.data:
            _log.debug("task has no %s for its data object: nothing written", self.bpmn_id)
            return
        super().set(my_task)
