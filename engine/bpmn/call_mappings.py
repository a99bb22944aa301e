"""camunda:in and camunda:out on a call activity, as Camunda 7 passes variables.

With mappings, the called process starts with only what the camunda:in elements pass
(`variables="all"`: every variable; `source`/`sourceExpression` to `target`: one, a missing
source is null), and the caller gets back only what the camunda:out elements name, keeping
its own other variables. A call activity without any keeps SpiffWorkflow's behaviour (all
in, all back), which every SpiffWorkflow diagram relies on; Camunda would pass nothing.
`camunda:in businessKey` is read and ignored here: a called process shares its caller's
instance (and so its business key) in VocFlow.

A call that would start its callee more than MAX_CALL_DEPTH processes deep (a process
that calls itself with no end) fails there, an incident at the call activity, instead of
running for ever (Camunda's JVM ends such a call with a StackOverflowError).

The class keeps SpiffWorkflow's name, so stored specs restore as this one (engine.bpmn.codec).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs import defaults
from SpiffWorkflow.camunda.parser.task_spec import CallActivityParser

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
IN_KEY = "vocflow:callIn"  # spec extensions: the camunda:in mappings, in document order
OUT_KEY = "vocflow:callOut"
MAX_CALL_DEPTH = 64  # processes (and embedded subprocesses) one inside the other


def _mappings(node: etree._Element, tag: str) -> list[dict[str, Any]]:
    found = []
    for element in node.iterfind(f"./{{*}}extensionElements/{{{CAMUNDA_NS}}}{tag}"):
        item = {k: v for k, v in element.attrib.items() if isinstance(k, str) and v is not None}
        if item.get("variables") == "all":
            found.append({"all": True, "local": item.get("local") == "true"})
        elif "target" in item and ("source" in item or "sourceExpression" in item):
            found.append({k: item[k] for k in ("source", "sourceExpression", "target")
                          if k in item})
    return found


class MappingCallActivityParser(CallActivityParser):  # type: ignore[misc]
    """Reads camunda:in / camunda:out into the spec's extensions."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        written = self.node.find(f"./{{*}}extensionElements/{{{CAMUNDA_NS}}}in") is not None \
            or self.node.find(f"./{{*}}extensionElements/{{{CAMUNDA_NS}}}out") is not None
        if written:  # any camunda:in or camunda:out: Camunda's rules, else SpiffWorkflow's
            ext[IN_KEY] = _mappings(self.node, "in")
            ext[OUT_KEY] = _mappings(self.node, "out")
        return ext


def _mapped(mappings: list[dict[str, Any]], data: dict[str, Any], evaluate: Any
            ) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in mappings:
        if item.get("all"):
            result.update(deepcopy(data))
        elif "sourceExpression" in item:
            result[item["target"]] = deepcopy(evaluate(item["sourceExpression"]))
        else:
            result[item["target"]] = deepcopy(data.get(item["source"]))
    return result


class CallActivity(defaults.CallActivity):  # type: ignore[misc]
    """A call activity that passes variables by its camunda:in / camunda:out mappings."""

    def _own(self, key: str) -> list[dict[str, Any]] | None:
        value = (self.extensions or {}).get(key)
        return value if isinstance(value, list) else None

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        ins = self._own(IN_KEY)
        if ins is None:
            super().copy_data(my_task, subworkflow)
            return
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True,
                                          spec_name="Start")
        engine = my_task.workflow.script_engine
        start.set_data(**_mapped(ins, my_task.data,
                                 lambda expr: engine.evaluate(my_task, expr)))

    def start_workflow(self, my_task: Any) -> None:
        depth, scope = 1, my_task.workflow
        while getattr(scope, "parent_workflow", None) is not None:
            depth, scope = depth + 1, scope.parent_workflow
        if depth >= MAX_CALL_DEPTH:
            my_task.error()
            raise WorkflowTaskException(
                f"call activity '{self.bpmn_id}' would start '{self.spec}' {depth + 1} "
                f"processes deep (at most {MAX_CALL_DEPTH}): does a process call itself "
                "with no end?", task=my_task)
        super().start_workflow(my_task)

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        outs = self._own(OUT_KEY)
        if outs is None:
            super().update_data(my_task, subworkflow)
            return
        last = subworkflow.last_task
        engine = my_task.workflow.script_engine
        returned = _mapped(outs, dict(last.data) if last is not None else {},
                           lambda expr: engine.evaluate(last, expr))
        my_task.data = {**my_task.data, **returned}
