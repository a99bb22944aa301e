"""Data objects as Camunda 7 reads them: drawn associations never fail a task.

Camunda 7 ignores data objects and their associations (they are documentation in its
Modeler). SpiffWorkflow copies the variable along each association and fails the task when
an output's variable was never set, or an input's data object never written. Here a copy
happens when there is something to copy, and nothing fails otherwise. The class keeps
SpiffWorkflow's name, so stored specs restore as this one.

Data stores Camunda 7 ignores too: their definitions, references and associations are taken
out before parsing (SpiffWorkflow refuses a data store it has no implementation for).
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs import data_spec

_log = logging.getLogger(__name__)
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def drop_data_stores(root: etree._Element) -> None:
    """Take out data stores, their references and the associations to them (in place)."""
    references = {node.get("id") for node in root.iter(f"{B}dataStoreReference")}
    for association, end in ((f"{B}dataOutputAssociation", f"{B}targetRef"),
                             (f"{B}dataInputAssociation", f"{B}sourceRef")):
        for node in list(root.iter(association)):
            if any((ref.text or "").strip() in references for ref in node.iter(end)):
                _remove(node)
    for node in list(root.iter(f"{B}dataStoreReference", f"{B}dataStore")):
        _remove(node)


def _remove(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is not None:
        parent.remove(node)


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
