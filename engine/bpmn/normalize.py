"""Read a BPMN document the way Camunda 7 does before parsing: what it fills in implicitly."""

from __future__ import annotations

import re

from lxml import etree

from engine.bpmn import juel_scripts
from engine.bpmn.bean_delegates import beans_as_scripts
from engine.bpmn.compensation_parser import COMPENSATES
from engine.bpmn.correlations import lenient_retrievals
from engine.bpmn.data_objects import drop_data_stores
from engine.bpmn.delegates import delegate_of
from engine.bpmn.io_mappings import place_io_mappings
from engine.bpmn.link_events import link_events_as_flows
from engine.bpmn.listener_tasks import place_listeners

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
B = f"{{{BPMN_NS}}}"
NOT_FLOW_NODES = {"sequenceFlow", "boundaryEvent", "laneSet", "extensionElements",
                  "documentation", "dataObject", "dataObjectReference", "dataStoreReference",
                  "textAnnotation", "association", "ioSpecification", "property",
                  "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
                  "incoming", "outgoing", "dataInputAssociation", "dataOutputAssociation",
                  "startEvent", "group", "category"}


def normalize(root: etree._Element) -> None:
    """Everything Camunda reads implicitly, made explicit for SpiffWorkflow (in place)."""
    read_activiti_as_camunda(root)
    resolve_prefixed_refs(root)
    lenient_retrievals(root)
    drop_data_stores(root)
    define_undeclared_errors(root)
    name_unnamed_flows(root)
    rename_reserved_ids(root)
    read_loop_data_input(root)
    compensation_subprocesses_as_handlers(root)
    link_events_as_flows(root)
    for process in root.iter(f"{B}process"):
        start_where_flows_start(process)
    drop_idle_compensation(root)
    place_io_mappings(root)  # before listeners: Camunda maps inputs before start listeners
    place_listeners(root)
    beans_as_scripts(root)
    message_throws_as_service_tasks(root)
    delegates_as_service_tasks(root)
    for sub in root.iter(f"{B}subProcess"):
        close_subprocess(sub, start=sub.get("triggeredByEvent", "false").lower() != "true")


def read_activiti_as_camunda(root: etree._Element) -> None:
    """Camunda 7 still reads the legacy activiti: namespace: rename it to camunda:."""
    prefix = f"{{{ACTIVITI_NS}}}"
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.startswith(prefix):
            node.tag = f"{{{CAMUNDA_NS}}}" + node.tag[len(prefix):]
        for name in [n for n in node.attrib if n.startswith(prefix)]:
            node.set(f"{{{CAMUNDA_NS}}}" + name[len(prefix):], node.attrib.pop(name))


_PREFIXED_REFS = (("messageEventDefinition", "messageRef"), ("signalEventDefinition", "signalRef"),
                  ("errorEventDefinition", "errorRef"),
                  ("escalationEventDefinition", "escalationRef"),
                  ("sendTask", "messageRef"), ("receiveTask", "messageRef"))


def resolve_prefixed_refs(root: etree._Element) -> None:
    """A reference written as a QName (messageRef="tns:newInvoice") names an element of the
    namespace its prefix stands for; Camunda 7 resolves it so, and when that namespace is the
    file's targetNamespace the reference is the local id. A prefix of another namespace is
    left as written, for the reference checks to refuse as Camunda does."""
    target = root.get("targetNamespace")
    if not target:
        return
    for tag, attr in _PREFIXED_REFS:
        for node in root.iter(f"{B}{tag}"):
            prefix, sep, local = (node.get(attr) or "").strip().partition(":")
            if sep and local and node.nsmap.get(prefix) == target:
                node.set(attr, local)


def define_undeclared_errors(root: etree._Element) -> None:
    """An errorRef naming no bpmn:error is the error code itself in Camunda 7 (thrown and
    caught by that code): declare that error, so SpiffWorkflow reads it the same way."""
    declared = {e.get("id") for e in root.iter(f"{B}error")}
    for definition in root.iter(f"{B}errorEventDefinition"):
        ref = (definition.get("errorRef") or "").strip()
        if ref and ref not in declared:
            declared.add(ref)
            error = etree.Element(f"{B}error", id=ref, name=ref, errorCode=ref)
            root.insert(_after_imports(root), error)


def _after_imports(root: etree._Element) -> int:
    """Where a root element may go: after bpmn:import and bpmn:extension (schema order)."""
    leading = (f"{B}import", f"{B}extension", f"{B}documentation")
    return sum(1 for child in root if child.tag in leading)


def name_unnamed_flows(root: etree._Element) -> None:
    """Sequence flows without an id get one (Camunda generates them; Spiff needs them)."""
    for n, flow in enumerate(root.iter(f"{B}sequenceFlow")):
        if not flow.get("id"):
            flow.set("id", f"flow_{flow.get('sourceRef')}_{flow.get('targetRef')}_{n}")


RESERVED_IDS = ("Start", "End")  # SpiffWorkflow's own task specs of every (sub)process
_REF_ATTRS = ("sourceRef", "targetRef", "attachedToRef", "bpmnElement", "activityRef")


def rename_reserved_ids(root: etree._Element) -> None:
    """An element with id "Start" or "End" (common in Camunda's own test diagrams) would
    replace SpiffWorkflow's start or end task spec of the same name: it becomes
    "Start_startEvent" / "End_endEvent" (tag added), references and diagram shapes too."""
    ids = {n.get("id") for n in root.iter() if isinstance(n.tag, str) and n.get("id")}
    renamed: dict[str, str] = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or node.get("id") not in RESERVED_IDS:
            continue
        if not node.tag.startswith(B) or etree.QName(node).localname == "sequenceFlow":
            continue
        old = str(node.get("id"))
        new = f"{old}_{etree.QName(node).localname}"
        while new in ids:
            new += "_"
        ids.add(new)
        renamed[old] = new
        node.set("id", new)
    if not renamed:
        return
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for attr in _REF_ATTRS:
            if node.get(attr) in renamed:
                node.set(attr, renamed[str(node.get(attr))])
        if etree.QName(node).localname in ("sourceRef", "targetRef") and (
                (node.text or "").strip() in renamed):
            node.text = renamed[(node.text or "").strip()]


_NAME_EXPRESSION = re.compile(r"^[$#]\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$")


def read_loop_data_input(root: etree._Element) -> None:
    """BPMN's own multi-instance collection (loopDataInputRef + inputDataItem), which
    Camunda 7 reads like camunda:collection + camunda:elementVariable. A collection written
    as an expression of one variable (camunda:collection="${reviewers}", as most Camunda
    diagrams write it) names that variable; any other expression is refused at deploy."""
    for loop in root.iter(f"{B}multiInstanceLoopCharacteristics"):
        written = (loop.get(f"{{{CAMUNDA_NS}}}collection") or "").strip()
        if (match := _NAME_EXPRESSION.match(written)) is not None:
            loop.set(f"{{{CAMUNDA_NS}}}collection", match.group(1))
        ref = loop.find(f"{B}loopDataInputRef")
        if loop.get(f"{{{CAMUNDA_NS}}}collection") or ref is None or not (ref.text or "").strip():
            continue
        loop.set(f"{{{CAMUNDA_NS}}}collection", (ref.text or "").strip())
        item = loop.find(f"{B}inputDataItem")
        if item is not None and item.get("name") and not loop.get(
                f"{{{CAMUNDA_NS}}}elementVariable"):
            loop.set(f"{{{CAMUNDA_NS}}}elementVariable", str(item.get("name")))


def _flow_nodes(sub: etree._Element) -> list[etree._Element]:
    nodes = []
    for child in sub:
        if not isinstance(child.tag, str) or not child.tag.startswith(B):
            continue
        local = etree.QName(child).localname
        if local in NOT_FLOW_NODES or local == "endEvent":
            continue
        if local == "subProcess" and child.get("triggeredByEvent", "false") == "true":
            continue
        if child.get("isForCompensation", "false").lower() == "true":
            continue
        nodes.append(child)
    return nodes


def _flow(sub: etree._Element, source: str, target: str) -> None:
    flow = etree.SubElement(sub, f"{B}sequenceFlow")
    flow.set("id", f"flow_{source}_{target}_implicit")
    flow.set("sourceRef", source)
    flow.set("targetRef", target)


def start_where_flows_start(process: etree._Element) -> None:
    """A process without a start event starts every flow node that has no incoming flow
    (BPMN 2.0, 10.5.2): an implicit none start event leads to each of them at once."""
    if process.find(f"{B}startEvent") is not None:
        return
    targets = {f.get("targetRef") for f in process.iterchildren(f"{B}sequenceFlow")}
    first = [node for node in _flow_nodes(process) if node.get("id") not in targets
             and node.find(f"{B}linkEventDefinition") is None]
    if not first:
        return
    start = etree.SubElement(process, f"{B}startEvent")
    start.set("id", f"{process.get('id') or 'process'}_implicitStart")
    for node in first:
        _flow(process, start.get("id"), node.get("id"))


def close_subprocess(sub: etree._Element, *, start: bool = True) -> None:
    """An embedded subprocess without a start (end) event starts (ends) where flows do.

    An event subprocess (start=False) has the start event that triggers it; one without an
    end event ends where its flows do, as Camunda 7 runs it (SpiffWorkflow refused it)."""
    sub_id = sub.get("id") or "subprocess"
    flows = list(sub.iterchildren(f"{B}sequenceFlow"))
    targets = {f.get("targetRef") for f in flows}
    sources = {f.get("sourceRef") for f in flows}
    nodes = _flow_nodes(sub)
    if start and sub.find(f"{B}startEvent") is None and nodes:
        implicit = etree.SubElement(sub, f"{B}startEvent")
        implicit.set("id", f"{sub_id}_implicitStart")
        for node in nodes:
            if node.get("id") not in targets:
                _flow(sub, implicit.get("id"), node.get("id"))
    if sub.find(f"{B}endEvent") is None and nodes:
        end = etree.SubElement(sub, f"{B}endEvent")
        end.set("id", f"{sub_id}_implicitEnd")
        for node in nodes:
            if node.get("id") not in sources and etree.QName(node).localname != "startEvent":
                _flow(sub, node.get("id"), end.get("id"))


def compensation_subprocesses_as_handlers(root: etree._Element) -> None:
    """A compensation event subprocess of a subprocess is that subprocess's handler.

    Camunda runs it, instead of the handlers inside, when the subprocess is compensated:
    it becomes an isForCompensation subprocess beside it, attached by a compensation
    boundary event, so that it runs as any handler does (engine.bpmn.compensation).
    One at process level stays where it is (and is refused by the checks).
    """
    for sub in list(root.iter(f"{B}subProcess")):
        start = sub.find(f"{B}startEvent")
        owner = sub.getparent()
        if (sub.get("triggeredByEvent", "false").lower() != "true" or start is None
                or start.find(f"{B}compensateEventDefinition") is None or owner is None
                or owner.tag not in (f"{B}subProcess", f"{B}transaction")
                or owner.getparent() is None):
            continue
        start.remove(start.find(f"{B}compensateEventDefinition"))
        del sub.attrib["triggeredByEvent"]
        sub.set("isForCompensation", "true")
        sub.set(COMPENSATES, owner.get("id") or "")  # a throw inside compensates the owner
        owner.remove(sub)
        scope = owner.getparent()
        artifacts = [n for n in scope if n.tag in (f"{B}association", f"{B}textAnnotation",
                                                   f"{B}group")]
        at = scope.index(artifacts[0]) if artifacts else len(scope)  # flow elements first
        event = etree.Element(f"{B}boundaryEvent")
        scope.insert(at, event)
        scope.insert(at, sub)
        event.set("id", f"{sub.get('id')}_boundary")
        event.set("attachedToRef", owner.get("id") or "")
        etree.SubElement(event, f"{B}compensateEventDefinition")
        link = etree.SubElement(scope, f"{B}association")
        link.set("id", f"{sub.get('id')}_association")
        link.set("sourceRef", event.get("id"))
        link.set("targetRef", sub.get("id") or "")


def _throws_compensation(root: etree._Element) -> bool:
    """A compensation throw event, or a cancel end event (cancelling a transaction
    compensates what it completed)."""
    return any(definition.getparent().tag in (f"{B}intermediateThrowEvent", f"{B}endEvent")
               for definition in root.iter(f"{B}compensateEventDefinition")) or any(
        definition.getparent().tag == f"{B}endEvent"
        for definition in root.iter(f"{B}cancelEventDefinition"))


def drop_idle_compensation(root: etree._Element) -> None:
    """Compensation boundary events and handlers of a file that never throws compensation.

    Camunda runs them only when compensation is thrown; without a throw they never run, so
    they are left out. A file that throws compensation keeps them (engine.bpmn.compensation
    runs them).
    """
    if _throws_compensation(root):
        return
    dropped = set()
    for definition in list(root.iter(f"{B}compensateEventDefinition")):
        event = definition.getparent()
        if event.tag == f"{B}boundaryEvent":
            dropped.add(event.get("id"))
    for handler in root.iter():
        if isinstance(handler.tag, str) and handler.get("isForCompensation") == "true":
            dropped.add(handler.get("id"))
    for node in list(root.iter(f"{B}boundaryEvent", f"{B}association", f"{B}task",
                               f"{B}serviceTask", f"{B}userTask", f"{B}scriptTask",
                               f"{B}sendTask", f"{B}manualTask", f"{B}subProcess",
                               f"{B}callActivity", f"{B}businessRuleTask")):
        if node.get("id") in dropped or node.get("sourceRef") in dropped:
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)


_MESSAGE_IMPLEMENTATIONS = ("type", "topic", "class", "delegateExpression", "taskPriority")
_THROW_TYPES = {f"{B}intermediateThrowEvent": "intermediateMessageThrowEvent",
                f"{B}endEvent": "messageEndEvent"}


def message_throws_as_service_tasks(root: etree._Element) -> None:
    """A message throw or end event implemented like a service task (camunda:type="external"
    and a topic, or a delegate) runs as one in Camunda 7: read it as a service task that
    keeps the event's id and activity type. Ending with no outgoing flow, the end event's
    token ends there, as at the end event. camunda:expression alone stays the payload."""
    for definition in list(root.iter(f"{B}messageEventDefinition")):
        event = definition.getparent()
        if event is None or event.tag not in _THROW_TYPES:
            continue
        moved = {a: definition.get(f"{{{CAMUNDA_NS}}}{a}") for a in _MESSAGE_IMPLEMENTATIONS}
        if not any(moved.get(a) for a in ("type", "class", "delegateExpression")):
            continue
        for name, value in moved.items():
            if value is not None:
                event.set(f"{{{CAMUNDA_NS}}}{name}", value)
        event.set(juel_scripts.ELEMENT_TYPE_ATTR, _THROW_TYPES[event.tag])
        for child in list(definition):  # camunda:field and the like go with the delegate
            _extensions_of(event).extend(list(child) if etree.QName(child).localname
                                         == "extensionElements" else [child])
        event.remove(definition)
        event.tag = f"{B}serviceTask"


def _extensions_of(node: etree._Element) -> etree._Element:
    found = node.find(f"{B}extensionElements")
    if found is None:
        found = etree.Element(f"{B}extensionElements")
        node.insert(0, found)
    return found


def delegates_as_service_tasks(root: etree._Element) -> None:
    """A send task, or a business rule task without a decision, implemented by a delegate or
    an external worker behaves as a service task in Camunda 7: read it as one."""
    for node in list(root.iter(f"{B}sendTask", f"{B}businessRuleTask")):
        if node.tag == f"{B}businessRuleTask" and node.get(f"{{{CAMUNDA_NS}}}decisionRef"):
            continue
        if delegate_of(node) is not None or node.get(f"{{{CAMUNDA_NS}}}type") == "external":
            node.set(juel_scripts.ELEMENT_TYPE_ATTR, etree.QName(node).localname)
            node.tag = f"{B}serviceTask"
