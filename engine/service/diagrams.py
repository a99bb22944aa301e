"""The elements of a deployed BPMN diagram (type, name, flows, Camunda attributes), by id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.models import ProcessDefinition

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                          huge_tree=False)
_SKIP = {"incoming", "outgoing", "extensionElements", "documentation", "text"}
_CACHE: dict[str, dict[str, Element]] = {}
_CACHE_SIZE = 256


@dataclass(frozen=True)
class Element:
    """One BPMN element: its local tag (userTask, sequenceFlow, ...), name, owning process,
    plain attributes (sourceRef, default, ...), camunda:* attributes and extension entries
    (camunda["inputParameter:template"] = "review_result"), event definitions and other
    content (details["timerEventDefinition/timeDate"] = "${...}", details["script"]),
    and the ids of its incoming and outgoing sequence flows."""

    id: str
    type: str
    name: str | None
    process_id: str | None
    attributes: Mapping[str, str]
    camunda: Mapping[str, str]
    details: Mapping[str, str]
    incoming: tuple[str, ...]
    outgoing: tuple[str, ...]


def _local(node: Any) -> str:
    return str(etree.QName(node).localname)


def _text(node: Any) -> str:
    return " ".join("".join(node.itertext()).split())


def _extensions(node: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for ext in node.findall(f"{{{BPMN}}}extensionElements"):
        for item in ext.iter():
            if item is ext or not isinstance(item.tag, str):
                continue
            attrs = {etree.QName(k).localname: v for k, v in item.attrib.items()}
            label = attrs.pop("name", None) or attrs.pop("event", None) or attrs.pop(
                "source", None) or attrs.pop("target", None) or attrs.pop("variables", None)
            key = _local(item) + (f":{label}" if label else "")
            value = ";".join(f"{k}={v}" for k, v in sorted(attrs.items()))
            text = _text(item) if len(item) == 0 else ""
            found[key] = "|".join(p for p in (value, text) if p)
    return found


def _details(node: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for child in node:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN:
            continue
        name = _local(child)
        if name in _SKIP or (child.get("id") and not name.endswith("EventDefinition")):
            continue  # an element of its own (a flow node inside a process, a lane)
        attrs = {etree.QName(k).localname: v for k, v in child.attrib.items() if k != "id"}
        text = (child.text or "").strip() if len(child) == 0 else ""
        found[name] = "|".join(p for p in (
            ";".join(f"{k}={v}" for k, v in sorted(attrs.items())), text) if p)
        for sub in child:
            if isinstance(sub.tag, str):
                found[f"{name}/{_local(sub)}"] = (sub.text or "").strip()
    return found


def _element(node: Any, process_id: str | None) -> Element:
    plain, camunda = {}, {}
    for key, value in node.attrib.items():
        qname = etree.QName(key)
        if qname.namespace == CAMUNDA:
            camunda[qname.localname] = value
        elif qname.namespace is None and key not in ("id", "name"):
            plain[key] = value
    camunda.update(_extensions(node))
    flows = {d: tuple(_text(n) for n in node.findall(f"{{{BPMN}}}{d}"))
             for d in ("incoming", "outgoing")}
    return Element(id=node.get("id"), type=_local(node), name=node.get("name"),
                   process_id=process_id, attributes=plain, camunda=camunda,
                   details=_details(node), incoming=flows["incoming"],
                   outgoing=flows["outgoing"])


def parse_elements(xml: str) -> dict[str, Element]:
    """Every BPMN element with an id (event definitions folded into their event)."""
    root = etree.fromstring(xml.encode("utf-8"), parser=_PARSER)
    elements: dict[str, Element] = {}
    for node in root.iter(f"{{{BPMN}}}*"):
        if node.get("id") is None or _local(node).endswith("EventDefinition"):
            continue
        if _local(node) in ("definitions", "conditionExpression"):
            continue
        process = next((a.get("id") for a in node.iterancestors(f"{{{BPMN}}}process")), None)
        elements[node.get("id")] = _element(node, process)
    return elements


def elements_of(definition: ProcessDefinition) -> dict[str, Element]:
    """parse_elements of a deployed definition, cached by id (definitions never change)."""
    found = _CACHE.get(definition.id)
    if found is None:
        found = parse_elements(definition.source_xml) if definition.kind == "process" else {}
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[definition.id] = found
    return found


def element_names(definitions: list[ProcessDefinition]) -> dict[str, str]:
    """Element id -> name over several diagrams (the first diagram wins on a shared id)."""
    names: dict[str, str] = {}
    for definition in reversed(definitions):
        names.update({k: e.name for k, e in elements_of(definition).items() if e.name})
    return names
