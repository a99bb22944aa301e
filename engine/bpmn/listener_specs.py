"""What a camunda:taskListener that runs at run time asks for, read from the XML."""

from __future__ import annotations

from typing import Any

from lxml import etree

from engine.bpmn.delegates import B, C, topic_for
from engine.expressions import beans

RUNTIME_EVENTS = ("assignment", "delete")  # run by the service that changes the task
PYTHON = ("python", "py")
JAVASCRIPT = ("javascript", "js", "ecmascript")
LISTENER_PROPERTY = "vocflow.taskListener"  # on a placed timeout script: "<event>:<task id>"


def listener_spec(listener: etree._Element) -> dict[str, Any] | None:
    """{"event", "kind": script|expression, "format", "source"}; None if it cannot run."""
    event = listener.get("event") or ""
    script = listener.find(f"{C}script")
    if script is not None:
        fmt = (script.get("scriptFormat") or "").lower()
        if script.get("resource") or fmt not in (*PYTHON, *JAVASCRIPT, "juel"):
            return None
        if fmt == "juel":
            return {"event": event, "kind": "expression", "source": script.text or ""}
        return {"event": event, "kind": "script", "source": script.text or "",
                "format": "python" if fmt in PYTHON else "javascript"}
    expression = listener.get("expression") or bean_notify(listener)
    if expression:
        return {"event": event, "kind": "expression", "source": expression}
    return None


def bean_notify(listener: etree._Element) -> str | None:
    """camunda:delegateExpression="${bean}" naming a registered bean with notify(): the
    expression that calls it as Camunda calls an ExecutionListener / TaskListener."""
    text = (listener.get("delegateExpression") or "").strip()
    name = topic_for("delegateExpression", text) if text else ""
    if not name.isidentifier() or not beans.has_member(name, "notify", call=True):
        return None
    argument = "task" if etree.QName(listener).localname == "taskListener" else "execution"
    return f"${{{name}.notify({argument})}}"


def runtime_listeners(node: etree._Element) -> list[dict[str, Any]]:
    """The assignment and delete listeners of a user task, in document order."""
    found = []
    for listener in node.iterfind(f"{B}extensionElements/{C}taskListener"):
        spec = listener_spec(listener)
        if spec is not None and spec["event"] in RUNTIME_EVENTS:
            found.append(spec)
    return found
