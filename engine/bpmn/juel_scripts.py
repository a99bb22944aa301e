"""Script tasks with scriptFormat="juel": one expression, its value in camunda:resultVariable.

Camunda evaluates such a script as an expression; `execution.setVariable(...)` and
registered beans (`${mailer.send(execution)}`) are what it is for. Expression listeners
(camunda:expression on an execution or task listener) are placed as such script tasks.
A name in it reads a process variable, or a registered bean of that name, as Camunda's
resolvers do (variables first): `#{echo}` stores the variable echo. One that is neither
when the script runs is Camunda's "Cannot resolve identifier" (an incident at the
element). At deploy the expression is checked as every expression is: its syntax, and
the methods it calls (a method of an unregistered bean is refused naming the bean).
"""

from __future__ import annotations

import json
import re
from collections.abc import MutableMapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine import expressions
from engine.bpmn import io_values

FORMATS = ("juel",)
# On an element VocFlow rewrote as another kind (a delegate read as a script or service
# task): the diagram's own element type, kept as the spec extension ELEMENT_TYPE, so that
# Camunda's activityType stays the diagram's.
ELEMENT_TYPE_ATTR = "{http://camunda.org/schema/1.0/bpmn}vocflowElementType"
ELEMENT_TYPE = "elementType"
# On a script task VocFlow placed for an element's mapping: that element's id, the one a
# deploy refusal names (at the line of the parameter it came from).
PLACED_FOR_ATTR = "{http://camunda.org/schema/1.0/bpmn}vocflowPlacedFor"
PLACED_FOR = "placedFor"  # the spec extension: Camunda sees the script as part of it


def placed_for(spec: Any) -> str | None:
    """The element (or flow) a placed input/output mapping or listener script belongs to
    (None: not placed)."""
    owner = (getattr(spec, "extensions", None) or {}).get(PLACED_FOR)
    return str(owner) if owner else None


def placed_role(spec: Any) -> str:
    """What a placed script is to its owner, from the id it was placed under: "input
    mapping", "start listener", ..."""
    found = re.search(r"_(input|output)Mapping\d+$|_([a-z]+)Listener\d+(?:_\d+)?(?:_script)?$",
                      str(spec.bpmn_id))
    if found is None:
        return "script"
    return f"{found.group(1)} mapping" if found.group(1) else f"{found.group(2)} listener"
MARKER = "//!vocflow:juel:"  # + result variable + newline + the expression
# A placed camunda:list / camunda:map parameter (engine.bpmn.io_mappings): its script is the
# value as JSON (engine.bpmn.io_values), each text in it evaluated as the script runs.
STRUCTURE_ATTR = "{http://camunda.org/schema/1.0/bpmn}vocflowStructure"
STRUCTURE = "//!vocflow:juel-structure:"  # + result variable + newline + the JSON
_VALUES = (str, int, float, bool, list, dict, datetime, date, Decimal, type(None))


def mark(expression: str, result_variable: str | None, structure: bool = False) -> str:
    return f"{STRUCTURE if structure else MARKER}{result_variable or ''}\n{expression}"


def is_marked(script: str | None) -> bool:
    return bool(script) and str(script).startswith((MARKER, STRUCTURE))


def check_structure(source: str) -> str | None:
    """Why a placed list or map parameter cannot run (None: it can)."""
    for text in io_values.texts(json.loads(source)):
        if io_values.has_expression(text) and (reason := check(text)):
            return reason
    return None


def check(expression: str) -> str | None:
    """Why this juel script cannot run (None: it can)."""
    text = expression.strip()
    if not text:
        return "the juel script is empty"
    try:
        expressions.check_expression(text, "text")
    except expressions.ExpressionError as exc:
        return f"juel script '{text}' cannot be evaluated: {exc.reason}"
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
