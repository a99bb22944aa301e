"""Java delegates that name a registered bean run in the process, as Camunda calls them.

`camunda:expression="${pricing.quote(execution)}"` calls the bean's method (its value goes
to camunda:resultVariable) and `camunda:delegateExpression="${mailer}"` calls the bean's
`execute(execution)` (JavaDelegate), both at once, in the step that reaches the task: the
task is read as a juel script task. So is a camunda:expression that names no bean at all
(`${true}`, `${execution.setVariable('a', b)}`): Camunda evaluates it in place. Any other
delegate naming no registered bean stays an external task whose topic is its name
(engine.bpmn.delegates).
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.delegates import B, C, topic_for
from engine.bpmn.juel_scripts import ELEMENT_TYPE_ATTR
from engine.expressions import beans


def _juel_call(node: etree._Element) -> str | None:
    """The juel expression a bean-backed delegate runs, None if it names no bean."""
    if node.get(f"{C}type") == "external":
        return None
    expression = (node.get(f"{C}expression") or "").strip()
    if expression:
        name = topic_for("expression", expression).split(".", 1)[0]
        if beans.is_bean(name) or _in_place(name):
            return expression
        return None
    delegate = (node.get(f"{C}delegateExpression") or "").strip()
    name = topic_for("delegateExpression", delegate) if delegate else ""
    if name.isidentifier() and beans.has_member(name, "execute", call=True):
        return f"${{{name}.execute(execution)}}"
    return None


_LITERALS = frozenset({"true", "false", "null", "empty", "not"})


def _in_place(name: str) -> bool:
    """camunda:expression="${true}" (a no-op), "${execution.setVariable('a', b)}" or
    "${1 + 1}" names no bean to call: Camunda evaluates it in place, and so do we."""
    return name == "execution" or name in _LITERALS or not name.isidentifier()


def beans_as_scripts(root: etree._Element) -> None:
    """Read every service-like task whose delegate is a registered bean as a juel script."""
    for node in list(root.iter(f"{B}serviceTask", f"{B}sendTask", f"{B}businessRuleTask")):
        call = _juel_call(node)
        if call is None:
            continue
        node.set(ELEMENT_TYPE_ATTR, node.get(ELEMENT_TYPE_ATTR) or etree.QName(node).localname)
        node.tag = f"{B}scriptTask"
        node.set("scriptFormat", "juel")
        for attr in ("expression", "delegateExpression"):
            node.attrib.pop(f"{C}{attr}", None)
        script = etree.SubElement(node, f"{B}script")
        script.text = call
