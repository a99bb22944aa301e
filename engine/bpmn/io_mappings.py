"""camunda:inputOutput on elements without their own mapping, placed in the flow as scripts.

User tasks and external (or delegate) service tasks read their input and output parameters
themselves. On every other activity and event Camunda evaluates the input parameters just
before the element and the output parameters just after it; here each parameter becomes a
script task on the element's incoming (or outgoing) flow: a juel script whose result is the
parameter (`${...}`, text with `${...}` in it), or a Python script setting a constant text.
A camunda:list or camunda:map parameter becomes a juel script that builds the value, each
text in it evaluated; a camunda:script parameter a script task of its format, its last value
the parameter. Camunda keeps input parameters local to the element; here they stay set
afterwards, like any variable. A parameter whose script is in a separate file (resource)
leaves the element's mapping as it was (the deploy refuses it).
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from engine.bpmn import io_values, juel_scripts
from engine.bpmn.delegates import B, C

_OWN_MAPPING = {"userTask", "serviceTask", "sendTask", "businessRuleTask"}
_LOOPS = (f"{B}multiInstanceLoopCharacteristics", f"{B}standardLoopCharacteristics")
_SIDES = {"inputParameter": "targetRef", "outputParameter": "sourceRef"}


def _parameters(io: etree._Element, kind: str) -> list[tuple[str, Any, int | None]] | None:
    """(name, value, line) of each parameter of this kind (text, list or map: io_values);
    None if one is a script."""
    found = []
    for param in io.iterchildren(f"{C}{kind}"):
        name, value = param.get("name"), io_values.parameter_value(param)
        if not name or (io_values.is_script(value) and value.get("resource")):
            return None
        found.append((name, value, param.sourceline))
    return found


def _script(container: etree._Element, task_id: str, name: str, text: Any,
            origin: tuple[str, int | None]) -> None:
    task = etree.SubElement(container, f"{B}scriptTask")
    task.set("id", task_id)
    task.set(juel_scripts.PLACED_FOR_ATTR, origin[0])
    if io_values.is_script(text):  # its value is what the script ends with
        task.set("scriptFormat", str(text[io_values.SCRIPT]) or "python")
        task.set(f"{C}resultVariable", name)
        text = str(text.get("text") or "")
    elif not isinstance(text, str):  # a camunda:list or camunda:map: each text evaluated
        task.set("scriptFormat", "juel")
        task.set(f"{C}resultVariable", name)
        task.set(juel_scripts.STRUCTURE_ATTR, "true")
        text = json.dumps(text, ensure_ascii=False)
    elif "${" in text or "#{" in text:
        task.set("scriptFormat", "juel")
        task.set(f"{C}resultVariable", name)
    else:
        task.set("scriptFormat", "python")
        text = f"execution.setVariable({name!r}, {text!r})"
    script = etree.SubElement(task, f"{B}script")
    script.text = text
    if origin[1] is not None:
        script.sourceline = origin[1]


def _flow(container: etree._Element, flow_id: str, source: str, target: str) -> None:
    flow = etree.SubElement(container, f"{B}sequenceFlow")
    flow.set("id", flow_id)
    flow.set("sourceRef", source)
    flow.set("targetRef", target)


def _side(node: etree._Element, kind: str) -> etree._Element | None:
    """The one flow into (inputs) or out of (outputs) the element, or None."""
    container, attr = node.getparent(), _SIDES[kind]
    if container is None:
        return None
    flows = [f for f in container.iterchildren(f"{B}sequenceFlow")
             if f.get(attr) == node.get("id")]
    return flows[0] if len(flows) == 1 else None


def _place(node: etree._Element, kind: str, params: list[tuple[str, Any, int | None]],
           flow: etree._Element) -> None:
    """Chain one script task per parameter on `flow`, in the document's order."""
    container, element_id = node.getparent(), str(node.get("id"))
    assert container is not None  # noqa: S101 - _side found a flow in it
    side = "input" if kind == "inputParameter" else "output"
    previous = element_id
    for n, (name, text, line) in enumerate(params):
        task_id = f"{element_id}_{side}Mapping{n}"
        _script(container, task_id, name, text, (element_id, line))
        if kind == "inputParameter":  # ... -> script -> element
            flow.set("targetRef", task_id)
            _flow(container, f"{task_id}_flow", task_id, element_id)
            flow = container.find(f"{B}sequenceFlow[@id='{task_id}_flow']")
        else:  # element -> ... -> script -> ...
            _flow(container, f"{task_id}_flow", previous, task_id)
            flow.set("sourceRef", task_id)
            previous = task_id


def place_io_mappings(root: etree._Element) -> None:
    """Turn each placeable camunda:inputOutput into script tasks beside its element."""
    for io in list(root.iter(f"{C}inputOutput")):
        extensions = io.getparent()
        node = extensions.getparent() if extensions is not None else None
        if node is None or not isinstance(node.tag, str) or not node.tag.startswith(B):
            continue
        if etree.QName(node).localname in _OWN_MAPPING or node.find(_LOOPS[0]) is not None \
                or node.find(_LOOPS[1]) is not None:
            continue
        inputs, outputs = _parameters(io, "inputParameter"), _parameters(io, "outputParameter")
        if inputs is None or outputs is None:
            continue
        into = _side(node, "inputParameter") if inputs else None
        out = _side(node, "outputParameter") if outputs else None
        if (inputs and into is None) or (outputs and out is None):
            continue  # several flows on that side (or none: a boundary event's inputs)
        if into is not None:
            _place(node, "inputParameter", inputs, into)
        if out is not None:
            _place(node, "outputParameter", outputs, out)
        extensions.remove(io)
