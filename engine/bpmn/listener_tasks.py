"""Execution and task listeners with a Python or JavaScript script, as script tasks in the flow.

Camunda runs a `start` listener just before its element and an `end` listener just after it;
a task listener's `create` just before its user task and `complete` just after. The same
scripts run here as script tasks put on the incoming or outgoing flow, with the same
variables. Listeners that cannot be placed so (other events, Java classes, Groovy, elements
with several flows on that side) stay in the document and are refused by the checks.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.delegates import B, C

FORMATS = ("python", "py", "javascript", "js", "ecmascript")
BEFORE = {("executionListener", "start"), ("taskListener", "create")}
AFTER = {("executionListener", "end"), ("taskListener", "complete")}


def _flows(container: etree._Element, attr: str, element_id: str) -> list[etree._Element]:
    return [f for f in container.iterchildren(f"{B}sequenceFlow") if f.get(attr) == element_id]


def _script_task(container: etree._Element, task_id: str, fmt: str, text: str) -> None:
    task = etree.SubElement(container, f"{B}scriptTask")
    task.set("id", task_id)
    task.set("scriptFormat", fmt)
    etree.SubElement(task, f"{B}script").text = text


def _flow(container: etree._Element, flow_id: str, source: str, target: str) -> None:
    flow = etree.SubElement(container, f"{B}sequenceFlow")
    flow.set("id", flow_id)
    flow.set("sourceRef", source)
    flow.set("targetRef", target)


def _place(node: etree._Element, listener: etree._Element, n: int) -> bool:
    """Put one listener's script on the element's flow; False when it cannot be placed."""
    kind, event = etree.QName(listener).localname, listener.get("event") or ""
    script = listener.find(f"{C}script")
    container, element_id = node.getparent(), node.get("id")
    if script is None or container is None or not element_id or script.get("resource"):
        return False
    fmt = (script.get("scriptFormat") or "").lower()
    if fmt not in FORMATS or (kind, event) not in BEFORE | AFTER:
        return False
    before = (kind, event) in BEFORE
    flows = _flows(container, "targetRef" if before else "sourceRef", element_id)
    if len(flows) != 1:
        return False
    task_id = f"{element_id}_{event}Listener{n}"
    _script_task(container, task_id, fmt, script.text or "")
    flow = flows[0]
    if before:
        _flow(container, f"{task_id}_flow", task_id, element_id)
        flow.set("targetRef", task_id)
    else:
        _flow(container, f"{task_id}_flow", element_id, task_id)
        flow.set("sourceRef", task_id)
    return True


def place_listeners(root: etree._Element) -> None:
    """Turn every placeable listener script into a script task beside its element."""
    for n, listener in enumerate(list(root.iter(f"{C}executionListener", f"{C}taskListener"))):
        extensions = listener.getparent()
        node = extensions.getparent() if extensions is not None else None
        if node is None or node.tag == f"{B}sequenceFlow":
            continue
        if _place(node, listener, n):
            extensions.remove(listener)
