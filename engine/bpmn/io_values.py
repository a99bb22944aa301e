"""The value of a camunda:inputParameter or camunda:outputParameter, as Camunda reads it.

A parameter is text (an expression `${...}`, text with `${...}` in it, or a constant), a
camunda:list of values, or a camunda:map of entries (its keys text or expressions too),
nested to any depth: read here as str, list and dict, and evaluated against a token's
variables where the element is reached (inputs) or left (outputs). An empty text is null.
A camunda:script parameter is read as {SCRIPT: format, "text": its source, "resource": its
camunda resource or None} and evaluated by running it: its value is the script's last
value (engine.bpmn.scripting.parameter_script).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lxml import etree

from engine import expressions

C = "{http://camunda.org/schema/1.0/bpmn}"

SCRIPT = "vocflow:script"  # the one key of a script parameter's value (not a map key)


def _children(node: etree._Element) -> Iterator[etree._Element]:
    return (child for child in node if isinstance(child.tag, str))


def parameter_value(node: etree._Element) -> Any:
    """A parameter (or a list value, or a map entry) as str, list or dict."""
    for child in _children(node):
        if child.tag == f"{C}list":
            return [parameter_value(value) for value in child.iterchildren(f"{C}value")]
        if child.tag == f"{C}map":
            return {entry.get("key") or "": parameter_value(entry)
                    for entry in child.iterchildren(f"{C}entry")}
        if child.tag == f"{C}script":
            return {SCRIPT: child.get("scriptFormat") or "", "text": child.text or "",
                    "resource": child.get("resource")}
    return (node.text or "").strip()


def is_script(value: Any) -> bool:
    return isinstance(value, dict) and SCRIPT in value


def texts(value: Any) -> Iterator[str]:
    """Every text of a value: map keys and leaves, in the document's order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, dict) and not is_script(value):
        for key, item in value.items():
            yield key
            yield from texts(item)


def has_expression(text: str) -> bool:
    return "${" in text or "#{" in text


def evaluate(value: Any, expression: Callable[[str], Any],
             script: Callable[[str, str], Any] | None = None) -> Any:
    """The value with each text evaluated: `expression(text)` for a text with `${...}` in
    it, the text itself for a constant, None for an empty one; a script parameter's value
    is `script(format, source)` (None without a runner)."""
    if is_script(value):
        return None if script is None else script(value[SCRIPT], value.get("text") or "")
    if isinstance(value, list):
        return [evaluate(item, expression, script) for item in value]
    if isinstance(value, dict):
        return {str(evaluate(key, expression, script)): evaluate(item, expression, script)
                for key, item in value.items()}
    text = str(value or "")
    if not text:
        return None
    return expression(text) if has_expression(text) else text


def evaluate_parameter(value: Any, data: dict[str, Any]) -> Any:
    """A parameter's value against a token's variables (raises as expressions and scripts
    do)."""
    from engine.bpmn.scripting import parameter_script  # noqa: PLC0415 - it imports this

    return evaluate(value, lambda text: expressions.evaluate(text, data, "text"),
                    lambda fmt, source: parameter_script(fmt, source, data))


def apply_outputs(extensions: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The element's camunda:outputParameters evaluated on its token's variables (what it
    ended with), set on them; returns what was set."""
    outputs = {name: evaluate_parameter(value, data)
               for name, value in (extensions.get("outputParameters") or {}).items()}
    data.update(outputs)
    return outputs
