"""Execution and task listeners placed in the flow: script tasks, or external tasks for classes.

Camunda runs a `start` listener just before its element and an `end` listener just after it;
a task listener's `create` just before its user task and `complete` just after; a `take`
listener of a sequence flow while the flow is taken; a process's `start` listener as it
starts and its `end` listener as it ends. The same scripts run here as script tasks put on
the incoming or outgoing flow (in the middle of a taken flow; after the process's only start
event, before its only end event), with the same variables. A camunda:expression runs as
a juel script, a camunda:class with a registered handler of its name as an external task,
and a `timeout` task listener on a non-interrupting boundary timer of its task. Listeners
that cannot be placed so (Groovy, unknown classes, elements with several flows on that
side, but for the end of an exclusive gateway, which takes one) stay in the document and
are refused by the checks; `assignment` and `delete` stay too and run at run time
(engine.bpmn.task_listeners).
"""

from __future__ import annotations

from lxml import etree

from engine import external
from engine.bpmn import juel_scripts
from engine.bpmn.delegates import B, C, topic_for
from engine.bpmn.listener_specs import bean_notify

FORMATS = ("python", "py", "javascript", "js", "ecmascript", "juel")
EXTERNAL = "external"  # a class listener run as an external task of its handler's name
LISTENER_ATTR = f"{C}vocflowListener"  # on a placed task-listener script: "<event>:<task id>"
BEFORE = {("executionListener", "start"), ("taskListener", "create")}
AFTER = {("executionListener", "end"), ("taskListener", "complete")}


def _flows(container: etree._Element, attr: str, element_id: str) -> list[etree._Element]:
    return [f for f in container.iterchildren(f"{B}sequenceFlow") if f.get(attr) == element_id]


def _script_task(container: etree._Element, task_id: str, fmt: str, text: str, owner: str,
                 listened: str | None = None) -> None:
    """The listener's task; a script one is part of `owner` (the element or flow it listens
    to) as Camunda shows it: no activity of its own, its failure an incident there."""
    if fmt == EXTERNAL:  # a Java class listener with a registered handler of its name
        task = etree.SubElement(container, f"{B}serviceTask")
        task.set("id", task_id)
        task.set(f"{C}type", "external")
        task.set(f"{C}topic", text)
        return
    task = etree.SubElement(container, f"{B}scriptTask")
    task.set("id", task_id)
    task.set(juel_scripts.PLACED_FOR_ATTR, owner)
    task.set("scriptFormat", fmt)
    if listened:
        task.set(LISTENER_ATTR, listened)
    etree.SubElement(task, f"{B}script").text = text


def handler_name(class_name: str) -> str | None:
    """The registered handler a camunda:class listener runs: its full or simple name."""
    full = class_name.strip()
    for name in (full, topic_for("class", full)):
        if external.handler_for(name) is not None:
            return name
    return None


def _source(listener: etree._Element) -> tuple[str, str] | None:
    """(format, text) of a listener an inline script task can run: a Python, JavaScript or
    juel script, or camunda:expression (run as a juel script)."""
    script = listener.find(f"{C}script")
    if script is None:
        expression = listener.get("expression") or bean_notify(listener)
        class_name = listener.get("class")
        handler = handler_name(class_name) if class_name else None
        if handler is not None:
            return EXTERNAL, handler
        return ("juel", expression) if expression else None
    fmt = (script.get("scriptFormat") or "").lower()
    if script.get("resource") or fmt not in FORMATS:
        return None
    return fmt, script.text or ""


def _on_timeout(node: etree._Element, listener: etree._Element, fmt: str, text: str,
                n: int) -> bool:
    """A timeout task listener: a non-interrupting boundary timer on the user task that
    runs the listener (a timer job like any other) and ends; the task stays open."""
    timer = listener.find(f"{B}timerEventDefinition")
    container, task_id = node.getparent(), node.get("id")
    if timer is None or container is None or not task_id or node.tag != f"{B}userTask":
        return False
    event_id = f"{task_id}_timeoutListener{n}"
    boundary = etree.SubElement(container, f"{B}boundaryEvent")
    boundary.set("id", event_id)
    boundary.set("cancelActivity", "false")
    boundary.set("attachedToRef", task_id)
    listener.remove(timer)
    boundary.append(timer)
    _script_task(container, f"{event_id}_script", fmt, text, task_id, f"timeout:{task_id}")
    end = etree.SubElement(container, f"{B}endEvent")
    end.set("id", f"{event_id}_end")
    _flow(container, f"{event_id}_flow", event_id, f"{event_id}_script")
    _flow(container, f"{event_id}_script_flow", f"{event_id}_script", f"{event_id}_end")
    return True


def _flow(container: etree._Element, flow_id: str, source: str, target: str) -> None:
    flow = etree.SubElement(container, f"{B}sequenceFlow")
    flow.set("id", flow_id)
    flow.set("sourceRef", source)
    flow.set("targetRef", target)


def _on_take(flow: etree._Element, listener: etree._Element, fmt: str, text: str, n: int
             ) -> bool:
    """A take listener: a script task in the middle of the flow (its condition stays)."""
    container, flow_id, target = flow.getparent(), flow.get("id"), flow.get("targetRef")
    if container is None or not flow_id or not target:
        return False
    task_id = f"{flow_id}_takeListener{n}"
    _script_task(container, task_id, fmt, text, flow_id)
    _flow(container, f"{task_id}_flow", task_id, target)
    flow.set("targetRef", task_id)
    return True


def _one_token(process: etree._Element) -> bool:
    """No construct of the process can run two tokens at once (then one end is reached once)."""
    return not any(True for _ in process.iter(
        f"{B}parallelGateway", f"{B}inclusiveGateway", f"{B}eventBasedGateway")) and not any(
        b.get("cancelActivity") == "false" for b in process.iter(f"{B}boundaryEvent")) and not any(
        True for _ in process.iterchildren(f"{B}subProcess"))


def _process_event(process: etree._Element, event: str
                   ) -> tuple[etree._Element, str, bool] | None:
    """Where a process listener goes: after its only start event, before its only end event
    (all flows into that end event lead through it when only one token can reach it)."""
    tag = f"{B}startEvent" if event == "start" else f"{B}endEvent" if event == "end" else None
    found = list(process.iterchildren(tag)) if tag else []
    if len(found) != 1:
        return None
    return found[0], "end" if event == "start" else "start", event == "end" and _one_token(
        process)


def _after_exclusive_gateway(container: etree._Element, flows: list[etree._Element],
                             element_id: str, event: str, fmt: str, text: str, n: int) -> bool:
    """An end listener of an exclusive gateway with several outgoing flows: Camunda picks
    the one flow to take, then runs the listener as the gateway ends. The same script on
    each outgoing flow (the flow keeps its id, condition and default mark) runs once, after
    the choice and before the chosen flow's target starts."""
    for k, flow in enumerate(flows):
        target = flow.get("targetRef")
        if not target:
            return False
        task_id = f"{element_id}_{event}Listener{n}_{k}"
        _script_task(container, task_id, fmt, text, element_id)
        _flow(container, f"{task_id}_flow", task_id, target)
        flow.set("targetRef", task_id)
    return True


def _place(node: etree._Element, listener: etree._Element, n: int) -> bool:
    """Put one listener's script on the element's flow; False when it cannot be placed."""
    kind, event = etree.QName(listener).localname, listener.get("event") or ""
    source = _source(listener)
    if source is None:
        return False
    fmt, text = source
    if node.tag == f"{B}sequenceFlow":
        return kind == "executionListener" and event == "take" and _on_take(
            node, listener, fmt, text, n)
    if kind == "taskListener" and event == "timeout":
        return _on_timeout(node, listener, fmt, text, n)
    many = False  # several incoming flows may lead through the script task
    if node.tag == f"{B}process" and kind == "executionListener":
        placed = _process_event(node, event)
        if placed is None:
            return False
        node, event, many = placed
    container, element_id = node.getparent(), node.get("id")
    if container is None or not element_id or (kind, event) not in BEFORE | AFTER:
        return False
    before = (kind, event) in BEFORE
    flows = _flows(container, "targetRef" if before else "sourceRef", element_id)
    if not before and len(flows) > 1 and node.tag == f"{B}exclusiveGateway":
        return _after_exclusive_gateway(container, flows, element_id, event, fmt, text, n)
    if len(flows) != 1 and not (many and before and flows):
        return False
    task_id = f"{element_id}_{event}Listener{n}"
    _script_task(container, task_id, fmt, text, element_id,
                 f"{event}:{element_id}" if kind == "taskListener" else None)
    flow = flows[0]
    if before:
        _flow(container, f"{task_id}_flow", task_id, element_id)
        for incoming in flows:
            incoming.set("targetRef", task_id)
    else:
        _flow(container, f"{task_id}_flow", element_id, task_id)
        flow.set("sourceRef", task_id)
    return True


def place_listeners(root: etree._Element) -> None:
    """Turn every placeable listener script into a script task beside its element."""
    for n, listener in enumerate(list(root.iter(f"{C}executionListener", f"{C}taskListener"))):
        extensions = listener.getparent()
        node = extensions.getparent() if extensions is not None else None
        if node is None:
            continue
        if _place(node, listener, n):
            extensions.remove(listener)
