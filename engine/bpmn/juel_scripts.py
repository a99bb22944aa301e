"""Script tasks with scriptFormat="juel": one expression, its value in camunda:resultVariable.

Camunda evaluates such a script as an expression; `execution.setVariable(...)` and
registered beans (`${mailer.send(execution)}`) are what it is for. Expression listeners
(camunda:expression on an execution or task listener) are placed as such script tasks.
At deploy a juel script may name only registered beans, `execution`, `task` and the
built-in functions: every other name is refused (read variables with
`execution.getVariable('name')`), so `#{myBean}` without a bean named myBean is refused
naming the element and the bean.
"""

from __future__ import annotations

import ast
import json
from collections.abc import MutableMapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine import expressions
from engine.bpmn import io_values
from engine.expressions import beans

FORMATS = ("juel",)
# On an element VocFlow rewrote as another kind (a delegate read as a script or service
# task): the diagram's own element type, kept as the spec extension ELEMENT_TYPE, so that
# Camunda's activityType stays the diagram's.
ELEMENT_TYPE_ATTR = "{http://camunda.org/schema/1.0/bpmn}vocflowElementType"
ELEMENT_TYPE = "elementType"
EXPRESSION_ATTR = "{http://camunda.org/schema/1.0/bpmn}vocflowExpression"  # a placed listener
# On a script task VocFlow placed for an element's mapping: that element's id, the one a
# deploy refusal names (at the line of the parameter it came from).
PLACED_FOR_ATTR = "{http://camunda.org/schema/1.0/bpmn}vocflowPlacedFor"
MARKER = "//!vocflow:juel:"  # + result variable + newline + the expression
# A placed camunda:list / camunda:map parameter (engine.bpmn.io_mappings): its script is the
# value as JSON (engine.bpmn.io_values), each text in it evaluated as the script runs.
STRUCTURE_ATTR = "{http://camunda.org/schema/1.0/bpmn}vocflowStructure"
STRUCTURE = "//!vocflow:juel-structure:"  # + result variable + newline + the JSON
_VALUES = (str, int, float, bool, list, dict, datetime, date, Decimal, type(None))
_ALLOWED = {"execution", "task", "_vf_vars", "_vf_str", "_vf_get", "_vf_empty"}


def mark(expression: str, result_variable: str | None, structure: bool = False) -> str:
    return f"{STRUCTURE if structure else MARKER}{result_variable or ''}\n{expression}"


def is_marked(script: str | None) -> bool:
    return bool(script) and str(script).startswith((MARKER, STRUCTURE))


def check_structure(source: str) -> str | None:
    """Why a placed list or map parameter cannot run (None: it can)."""
    for text in io_values.texts(json.loads(source)):
        if io_values.has_expression(text) and (reason := check(text, strict=False)):
            return reason
    return None


def check(expression: str, strict: bool = True) -> str | None:
    """Why this juel script cannot run (None: it can). Not `strict` (a listener's
    camunda:expression placed as a juel script): any variable may be read."""
    text = expression.strip()
    if not text:
        return "the juel script is empty"
    try:
        expressions.check_expression(text, "text")
    except expressions.ExpressionError as exc:
        return f"juel script '{text}' cannot be evaluated: {exc.reason}"
    if not strict:
        return None
    tree = ast.parse(expressions.to_python(text, "text"), mode="eval")
    known = set(expressions.safe_globals()) | _ALLOWED
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in known:
            registered = ", ".join(beans.names()) or "none"
            return (f"juel script reads '{node.id}', which is not a registered bean "
                    f"(registered beans: {registered}); a juel script may use registered "
                    "beans, execution and built-in functions (read a variable with "
                    f"execution.getVariable('{node.id}'))")
    return None


def execute(script: str, context: MutableMapping[str, Any], evaluate: Any) -> None:
    """Evaluate the script's expression on the variables; store the result and the
    variables execution.setVariable() wrote. `evaluate(expr, data, external)` is the
    environment's evaluate."""
    structure = script.startswith(STRUCTURE)
    head, _, expression = script[len(STRUCTURE if structure else MARKER):].partition("\n")
    changes: dict[str, Any] = {}
    if structure:
        value = io_values.evaluate(json.loads(expression), lambda text: evaluate(
            text, context, {"_vf_set": changes}))
    else:
        value = evaluate(expression.strip(), context, {"_vf_set": changes})
    context.update(changes)
    if head:
        if not isinstance(value, _VALUES):
            raise TypeError(f"the juel script's result is a {type(value).__name__}, which "
                            f"cannot be stored in variable '{head}'")
        context[head] = value
