"""Read Camunda Modeler's DMN decision tables into checked plain dicts (refusals name the rule)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from engine import expressions
from engine.expressions import feel

# (element id, line, message): deployment turns these into its Problems (no import cycle:
# the parser, which checks imports, needs this module).
Flaw = tuple[str | None, int | None, str]

CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"
HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "PRIORITY", "RULE ORDER", "OUTPUT ORDER", "COLLECT")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
FEEL_NAMES = ("", "feel", "feel-scala", "feel-juel", "http://www.omg.org/spec/feel/20140401",
              "https://www.omg.org/spec/dmn/20191111/feel/", "http://www.omg.org/spec/dmn/20180521/feel/")
CHECKED_NAMES = ("juel", "python")  # evaluated by engine.expressions, the checked sandbox


def _local(node: Any) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in node if _local(c) == name]


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    found = _children(node, "text")
    return (found[0].text or "").strip() if found else ""


def language_of(node: etree._Element, default: str) -> str:
    return (node.get("expressionLanguage") or default).strip().lower()


class _Reader:
    """Collects one decision's tables as dicts and every problem found on the way."""

    def __init__(self, filename: str, decision: etree._Element, default_language: str) -> None:
        self.filename, self.decision, self.default = filename, decision, default_language
        self.decision_id = decision.get("id") or "?"
        self.problems: list[Flaw] = []

    def problem(self, node: etree._Element, message: str, element_id: str | None = None) -> None:
        texts = _children(node, "text")  # point at the entry's text, where the typo is
        line = texts[0].sourceline if texts else node.sourceline
        self.problems.append((element_id or node.get("id"), line,
                              f"decision '{self.decision_id}': {message}"))

    def check(self, node: etree._Element, text: str, kind: str, where: str,
              element_id: str | None = None) -> str:
        """Check one entry in its language; return the language name the engine uses."""
        language = language_of(node, self.default)
        if kind == "tests" and text in ("", "-"):
            return "feel"  # any value, whatever the cell's language
        try:
            if language in FEEL_NAMES:
                (feel.unary_tests if kind == "tests" else feel.expression)(text)
                return "feel"
            if language in CHECKED_NAMES:
                expressions.check_expression(text, "text" if "${" in text else "expression")
                return language
        except expressions.ExpressionError as exc:
            self.problem(node, f"{where}: {exc} (FEEL)" if language in FEEL_NAMES
                         else f"{where}: {exc}", element_id)
            return language
        self.problem(node, f"{where}: expression language '{language}' is not supported "
                     "(FEEL, juel and python are)", element_id)
        return language

    def table(self) -> dict[str, Any] | None:
        tables = _children(self.decision, "decisionTable")
        if not tables:
            kind = "a literal expression" if _children(self.decision, "literalExpression") else (
                "no decision table")
            self.problem(self.decision, f"{kind} is not supported; only decision tables run")
            return None
        requires = []
        for requirement in _children(self.decision, "informationRequirement"):
            for required in _children(requirement, "requiredDecision"):
                requires.append((required.get("href") or "").lstrip("#"))
        node = tables[0]
        table: dict[str, Any] = {
            "decision_id": self.decision_id, "decision_name": self.decision.get("name"),
            "hit_policy": (node.get("hitPolicy") or "UNIQUE").upper(),
            "aggregation": (node.get("aggregation") or "").upper() or None,
            "inputs": [self.input(i) for i in _children(node, "input")],
            "outputs": [self.output(o) for o in _children(node, "output")],
            "requires": requires,
        }
        self.policy(node, table)
        table["rules"] = [self.rule(r, n, table) for n, r in enumerate(_children(node, "rule"), 1)]
        return table

    def policy(self, node: etree._Element, table: dict[str, Any]) -> None:
        policy, aggregation = table["hit_policy"], table["aggregation"]
        if policy not in HIT_POLICIES:
            self.problem(node, f"hit policy '{policy}' is unknown; use one of "
                         + ", ".join(HIT_POLICIES))
        if aggregation and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
            self.problem(node, f"aggregation '{aggregation}' needs hit policy COLLECT and one "
                         "of " + ", ".join(AGGREGATIONS))
        if aggregation and len(table["outputs"]) != 1:
            self.problem(node, f"COLLECT {aggregation} needs exactly one output column")
        if policy in ("PRIORITY", "OUTPUT ORDER") and not any(
                o["values"] for o in table["outputs"]):
            self.problem(node, f"hit policy {policy} needs output values (the priority order) "
                         "on an output column")

    def input(self, node: etree._Element) -> dict[str, Any]:
        found = _children(node, "inputExpression")
        expr = found[0] if found else node
        text = _text(expr) if found else ""
        where = f"input '{node.get('label') or node.get('id')}'"
        language = self.check(expr, text, "expression", where, node.get("id")) if text else "feel"
        return {"id": node.get("id"), "label": node.get("label"), "expression": text,
                "language": language, "type": expr.get("typeRef"),
                "variable": node.get(f"{{{CAMUNDA_DMN}}}inputVariable") or "cellInput"}

    def output(self, node: etree._Element) -> dict[str, Any]:
        values: list[Any] = []
        for allowed in _children(node, "outputValues"):
            text = _text(allowed)
            try:
                values = feel.expression(f"[{text}]").evaluate({}) if text else []
            except expressions.ExpressionError as exc:
                self.problem(allowed, f"output values of '{node.get('name')}': {exc}",
                             node.get("id"))
        return {"id": node.get("id"), "label": node.get("label"),
                "name": node.get("name") or node.get("label") or node.get("id"),
                "type": node.get("typeRef"), "values": values}

    def rule(self, node: etree._Element, row: int, table: dict[str, Any]) -> dict[str, Any]:
        rule_id = node.get("id") or f"row {row}"
        entries = _children(node, "inputEntry")
        outcomes = _children(node, "outputEntry")
        if len(entries) != len(table["inputs"]) or len(outcomes) != len(table["outputs"]):
            self.problem(node, f"rule '{rule_id}' has {len(entries)} input and {len(outcomes)} "
                         f"output entries for {len(table['inputs'])} inputs and "
                         f"{len(table['outputs'])} outputs", rule_id)
        inputs, outputs = [], []
        for column, entry in zip(table["inputs"], entries, strict=False):
            text = _text(entry)
            where = f"rule '{rule_id}' (row {row}), input '{column['label'] or column['id']}'"
            inputs.append({"text": text, "language": self.check(entry, text, "tests", where,
                                                                 rule_id)})
        for column, entry in zip(table["outputs"], outcomes, strict=False):
            text = _text(entry)
            where = f"rule '{rule_id}' (row {row}), output '{column['name']}'"
            language = self.check(entry, text, "expression", where, rule_id) if text else "feel"
            outputs.append({"text": text, "language": language})
        return {"id": rule_id, "row": row, "inputs": inputs, "outputs": outputs}


def read_decisions(
    filename: str, root: etree._Element
) -> tuple[dict[str, dict[str, Any]], list[Flaw]]:
    """Every decision table in a DMN file by decision id, and the problems that refuse it."""
    default = language_of(root, "")
    decisions: dict[str, dict[str, Any]] = {}
    problems: list[Flaw] = []
    for node in _children(root, "decision"):
        reader = _Reader(filename, node, default)
        table = reader.table()
        problems.extend(reader.problems)
        if table is not None and not reader.problems:
            decisions[reader.decision_id] = table
    for node in _children(root, "decision"):
        missing = [r for r in decisions.get(node.get("id") or "", {}).get("requires", [])
                   if r not in decisions]
        if missing:
            decisions.pop(node.get("id") or "")
            problems.append((node.get("id"), node.sourceline, f"decision '{node.get('id')}' "
                             f"requires decision '{missing[0]}', which is not in this file"))
    return decisions, problems
