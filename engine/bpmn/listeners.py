"""Camunda execution and task listeners: what a diagram's listener asks for, checked at deploy."""

from __future__ import annotations

from lxml import etree

from engine import expressions
from engine.bpmn import delegates, javascript
from engine.bpmn.listener_specs import RUNTIME_EVENTS, listener_spec
from engine.bpmn.scripting import check_script

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
C = f"{{{CAMUNDA_NS}}}"


def check_listener(node: etree._Element) -> list[str]:
    """Why this camunda:executionListener / camunda:taskListener cannot run (empty: it can).

    Listeners of the flow's events were already placed as script or external tasks
    (engine.bpmn.listener_tasks); a user task's assignment/delete listeners run at run
    time (engine.bpmn.task_listeners) and only have their script or expression checked
    here. What is left is refused naming the element: a Groovy script because there is no
    JVM, a Java class without a registered handler because no Python code runs it.
    """
    kind = etree.QName(node).localname
    event = node.get("event") or "?"
    runtime = _runtime_problems(node, kind, event)
    if runtime is not None:
        return runtime
    script = node.find(f"{C}script")
    if script is not None:
        fmt = (script.get("scriptFormat") or "").lower()
        if fmt == "groovy":
            return [f"camunda:{kind} (event '{event}') is a Groovy script: Groovy is not "
                    "supported (VocFlow has no JVM)"]
        return [f"camunda:{kind} (event '{event}') with a {fmt or 'plain'} script can run "
                "only inline in Python or JavaScript, as a start/end (create/complete) "
                "listener of an element with one incoming/outgoing flow, a take listener of "
                "a sequence flow, or a start/end listener of a process with one start/end "
                "event"]
    for attr in delegates.DELEGATE_KINDS:
        value = node.get(attr)
        if value:
            topic = delegates.topic_for(attr, value)
            if attr == "class":
                return [f"camunda:{kind} (event '{event}') class '{value}' is unknown Java "
                        f"code: no handler named '{topic}' or '{value}' is registered (a "
                        "registered handler runs a class listener of a start/end, "
                        "create/complete, take or timeout event), and VocFlow has no JVM"]
            if attr == "expression":
                return [f"camunda:{kind} (event '{event}') expression '{value}' can run only "
                        "as a start/end (create/complete) listener of an element with one "
                        "incoming/outgoing flow (or the end listener of an exclusive "
                        "gateway), a take listener of a sequence flow, or a start/end "
                        "listener of a process with one start/end event; model it as a "
                        "service task there instead"]
            return [f"camunda:{kind} (event '{event}') {attr} '{value}' is unknown Java code: "
                    f"VocFlow cannot run it (model '{topic}' as a service task instead)"]
    return [f"camunda:{kind} (event '{event}') has no script, class or expression"]


def _runtime_problems(node: etree._Element, kind: str, event: str) -> list[str] | None:
    """An assignment/delete listener of a user task: its script or expression checked
    (None when the listener is not one of those: the placement rules apply)."""
    extensions = node.getparent()
    owner = extensions.getparent() if extensions is not None else None
    if (kind != "taskListener" or event not in RUNTIME_EVENTS or owner is None
            or owner.tag != f"{delegates.B}userTask"):
        return None
    spec = listener_spec(node)
    if spec is None:
        return None
    source = spec["source"]
    if spec["kind"] == "expression":
        try:
            expressions.check_expression(source, "text")
        except expressions.ExpressionError as exc:
            return [f"camunda:taskListener (event '{event}') expression '{source}' cannot be "
                    f"evaluated: {exc.reason}"]
        return []
    found = (javascript.check(source) if spec["format"] == "javascript"
             else check_script(source))
    if found is None:
        return []
    line, reason = found
    return [f"camunda:taskListener (event '{event}') script line {line or 1} cannot run: "
            f"{reason}"]
