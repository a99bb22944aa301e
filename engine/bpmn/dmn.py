"""Business rule tasks that run Camunda DMN (FEEL, every hit policy) inside SpiffWorkflow."""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser
from SpiffWorkflow.task import Task

from engine.bpmn.dmn_eval import MAPPINGS, DecisionError, evaluate, map_result
from engine.bpmn.dmn_tables import Flaw, read_decisions

CAMUNDA_BPMN = "http://camunda.org/schema/1.0/bpmn"
EVALUATIONS = "_vocflow_evaluations"  # top workflow's __dict__: decisions run this step


class DmnBusinessRuleTask(BpmnSpecMixin):  # type: ignore[misc]
    """Evaluates the decision table kept in its extensions; maps the result like Camunda.

    The table travels inside the process spec (bound at deploy), so a stored instance runs
    the decision it was deployed with. No resultVariable means nothing is stored (Camunda).
    """

    def _run_hook(self, my_task: Task) -> bool:
        ext = self.extensions
        table = ext["decision"]
        trace: list[dict[str, Any]] = []
        try:
            found = evaluate(table, my_task.data, ext.get("requiredDecisions") or {}, trace)
            value = map_result(found, ext.get("mapDecisionResult"))
        except DecisionError as exc:
            raise WorkflowTaskException(
                f"decision '{table['decision_id']}' (hit policy {table['hit_policy']}): {exc}",
                task=my_task) from exc
        if ext.get("resultVariable"):
            my_task.data[ext["resultVariable"]] = value
        my_task.workflow.top_workflow.__dict__.setdefault(EVALUATIONS, []).append(
            {"task_id": str(my_task.id), "element_id": self.bpmn_id, "trace": trace})
        result: bool = super()._run_hook(my_task)
        return result


class DmnBusinessRuleTaskParser(CamundaTaskParser):  # type: ignore[misc]
    """Reads camunda:decisionRef, resultVariable and mapDecisionResult into extensions."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        ref = self.get_decision_ref(self.node)
        decisions: dict[str, dict[str, Any]] = getattr(self.process_parser.parser,
                                                      "vf_decisions", {})
        decision = decisions.get(ref or "")
        if ref is None or decision is None:
            self.raise_validation_exception(
                f"business rule task refers to unknown or unusable decision '{ref}'")
            return ext
        mapping = self.attribute("mapDecisionResult", "camunda")
        if mapping is not None and mapping not in MAPPINGS:
            self.raise_validation_exception(
                f"camunda:mapDecisionResult '{mapping}' is unknown; use one of "
                + ", ".join(MAPPINGS))
        ext.update(decision=decision, decisionRef=ref, mapDecisionResult=mapping,
                   resultVariable=self.attribute("resultVariable", "camunda"),
                   requiredDecisions=self._required(decision, decisions, [ref]))
        return ext

    def _required(self, decision: dict[str, Any], decisions: dict[str, dict[str, Any]],
                  path: list[str]) -> dict[str, dict[str, Any]]:
        """Every decision this one needs, however deep; a cycle is refused."""
        found: dict[str, dict[str, Any]] = {}
        for ref in decision.get("requires", []):
            if ref in path:
                self.raise_validation_exception(
                    "required decisions form a cycle: " + " -> ".join([*path, ref]))
            found[ref] = decisions[ref]
            found.update(self._required(decisions[ref], decisions, [*path, ref]))
        return found

    @staticmethod
    def get_decision_ref(node: etree._Element) -> str | None:
        value: str | None = node.get(f"{{{CAMUNDA_BPMN}}}decisionRef")
        return value


def check_dmn(filename: str, root: etree._Element) -> list[Flaw]:
    """(element id, line, message) per problem that refuses a DMN file at deploy."""
    return read_decisions(filename, root)[1]


def register_decisions(parser: Any, root: etree._Element, filename: str | None) -> None:
    """Keep a file's usable decision tables on the parser for business rule tasks."""
    decisions, _ = read_decisions(filename or "", root)
    if not hasattr(parser, "vf_decisions"):
        parser.vf_decisions = {}
    parser.vf_decisions.update(decisions)
