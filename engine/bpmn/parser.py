"""The Camunda 7 parser we run on: reads the camunda: attributes SpiffWorkflow ignores."""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    ReceiveTaskParser,
    SendTaskParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    ReceiveTask,
    ScriptTask,
    SendTask,
    ServiceTask,
    StartEvent,
)
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEventDefinitionParser,
    CamundaIntermediateCatchEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import (
    CamundaTaskParser,
    ScriptTaskParser,
    UserTaskParser,
)
from SpiffWorkflow.camunda.specs import UserTask

from engine.bpmn import (
    delegates,
    dmn,
    io_values,
    javascript,
    juel_scripts,
    listener_specs,
    pass_through,
    receive_wait,
)
from engine.bpmn.call_mappings import CallActivity as MappingCallActivity
from engine.bpmn.call_mappings import MappingCallActivityParser
from engine.bpmn.compensation_parser import (
    CompensateEndEventParser,
    CompensateThrowEventParser,
    CompensationProcessParser,
)
from engine.bpmn.conditional_events import VARIABLE_EVENTS, VARIABLE_NAME
from engine.bpmn.event_subprocesses import INITIATOR, NON_INTERRUPTING
from engine.bpmn.listener_tasks import LISTENER_ATTR
from engine.bpmn.script_results import store_last_value

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ASSIGNMENT_ATTRS = (
    "assignee",
    "candidateGroups",
    "candidateUsers",
    "dueDate",
    "followUpDate",
    "priority",
    "formRef",
)
SERVICE_ATTRS = ("type", "topic", "class", "expression", "delegateExpression", "taskPriority")


def _io_parameters(parser: CamundaTaskParser, kind: str) -> dict[str, Any]:
    """camunda:inputOutput parameters as name -> text, list or map (engine.bpmn.io_values;
    expressions evaluated at run time)."""
    params: dict[str, Any] = {}
    for node in parser.xpath(f"./bpmn:extensionElements/camunda:inputOutput/camunda:{kind}"):
        params[node.get("name")] = io_values.parameter_value(node)
    return params


def _add_io(parser: CamundaTaskParser, ext: dict[str, Any]) -> None:
    inputs = _io_parameters(parser, "inputParameter")
    outputs = _io_parameters(parser, "outputParameter")
    if inputs:
        ext["inputParameters"] = inputs
    if outputs:
        ext["outputParameters"] = outputs


class AssignmentUserTaskParser(UserTaskParser):  # type: ignore[misc]
    """User tasks: keep assignment, dates, priority and I/O in task_spec.extensions."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        for name in ASSIGNMENT_ATTRS:
            value = self.attribute(name, "camunda")
            if value is not None:
                ext[name] = value
        _add_io(self, ext)
        found = listener_specs.runtime_listeners(self.node)
        if found:
            ext["taskListeners"] = found
        return ext


def _keep_element_type(parser: Any, ext: dict[str, Any]) -> None:
    kind = parser.node.get(juel_scripts.ELEMENT_TYPE_ATTR)
    if kind:
        ext[juel_scripts.ELEMENT_TYPE] = kind


class ExternalServiceTaskParser(CamundaTaskParser):  # type: ignore[misc]
    """Service tasks: camunda:type="external" + camunda:topic; run by workers as jobs.

    A Java delegate (camunda:class, camunda:delegateExpression, camunda:expression) or a
    camunda:connector becomes an external task whose topic is the delegate's name
    (see engine.bpmn.delegates): a registered Python handler or any Camunda client runs it.
    """

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        for name in SERVICE_ATTRS:
            value = self.attribute(name, "camunda")
            if value is not None:
                ext[name] = value
        _add_io(self, ext)
        _keep_element_type(self, ext)
        delegate = delegates.delegate_of(self.node)
        if delegate is not None:
            ext.update(type="external", topic=delegate.topic, delegate=delegate.kind)
            if delegate.connector is not None:
                ext["connector"] = delegate.connector
        return ext


# Camunda 7 leaves a task with several outgoing flows by all of them (an implicit parallel
# split); SpiffWorkflow's task specs do the same, only its parser refuses them.
TaskParser.handles_multiple_outgoing = lambda self: True


class ExclusiveGatewayParser(ConditionalGatewayParser):  # type: ignore[misc]
    """Camunda takes an outgoing flow without a condition as `true` (checks warn about it).

    Camunda also tries the flows in the order of the XML; SpiffWorkflow sorts them by their
    y coordinate in the diagram, so the order is put back after parsing.
    """

    def parse_node(self) -> Any:
        result = super().parse_node()
        order = [f.get("targetRef") for f in
                 self.process_parser.get_outgoing_sequence_flows(self.bpmn_id)]

        def position(item: tuple[Any, str]) -> int:
            name = item[1]
            hits = [i for i, t in enumerate(order) if name == t or name.startswith(f"{t}.")]
            return hits[0] if hits else len(order)

        self.task.cond_task_specs.sort(key=position)
        return result

    def connect_outgoing(self, outgoing_task: Any, sequence_flow_node: Any,
                         is_default: bool) -> None:
        if not is_default and self.parse_condition(sequence_flow_node) is None:
            self.task.connect_outgoing_if("True", outgoing_task)
            return
        super().connect_outgoing(outgoing_task, sequence_flow_node, is_default)


class CamundaSendTaskParser(CamundaEventDefinitionParser, SendTaskParser):  # type: ignore[misc]
    """A send task's messageRef read the Camunda way (a serializable message definition)."""

    _add_multiinstance_task = CamundaTaskParser._add_multiinstance_task  # Camunda's MI specs


class CamundaReceiveTaskParser(CamundaEventDefinitionParser, ReceiveTaskParser):  # type: ignore[misc]
    """A receive task's messageRef read the Camunda way (a serializable message definition);
    without a message it waits to be signalled, as in Camunda (engine.bpmn.receive_wait)."""

    def _create_task(self, event_definition: Any, *args: Any, **kwargs: Any) -> Any:
        return super()._create_task(receive_wait.wait_definition(event_definition), *args,
                                    **kwargs)

    _add_multiinstance_task = CamundaTaskParser._add_multiinstance_task  # Camunda's MI specs


class FormatScriptTaskParser(ScriptTaskParser):  # type: ignore[misc]
    """Script tasks: JavaScript is marked so that the script engine runs it in V8, juel so
    that it evaluates one expression; a placed task listener keeps whose it is."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        listened = self.node.get(LISTENER_ATTR)
        if listened:
            ext["taskListener"] = listened
        placed = self.node.get(juel_scripts.PLACED_FOR_ATTR)
        if placed:
            ext[juel_scripts.PLACED_FOR] = placed
        _keep_element_type(self, ext)
        return ext

    _add_multiinstance_task = CamundaTaskParser._add_multiinstance_task  # Camunda's MI specs

    def get_script(self) -> str:
        script: str = super().get_script()
        fmt = (self.node.get("scriptFormat") or "").lower()
        result_variable = self.attribute("resultVariable", "camunda")
        if fmt in javascript.FORMATS:
            return javascript.mark(script or "", result_variable)
        if fmt in juel_scripts.FORMATS:
            structure = self.node.get(juel_scripts.STRUCTURE_ATTR) == "true"
            return juel_scripts.mark(script or "", result_variable, structure)
        return store_last_value(script, result_variable) if result_variable else script


class InterruptingStartEventParser(CamundaStartEventParser):  # type: ignore[misc]
    """Start events keep isInterrupting="false", which SpiffWorkflow drops: a cron cycle on
    an event subprocess's start repeats only then (engine.bpmn.cron_cycles). The start of an
    event subprocess may also catch an error or an escalation, which SpiffWorkflow 3.2 reads
    as a none start (the handler would run as the process starts)."""

    def create_task(self) -> Any:
        paths = [MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, TIMER_EVENT_XPATH,
                 CONDITIONAL_EVENT_XPATH]
        parent = self.node.getparent()
        if (parent is not None and etree.QName(parent).localname == "subProcess"
                and parent.get("triggeredByEvent", "false").lower() == "true"):
            paths += [ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH]
        task = self._create_task(self.get_event_definition(paths))
        self.spec.start.connect(task)
        return task

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        if (self.node.get("isInterrupting") or "true").strip().lower() == "false":
            ext[NON_INTERRUPTING] = True
        initiator = (self.node.get(f"{{{CAMUNDA_NS}}}initiator") or "").strip()
        if initiator:  # the variable that holds who started the instance
            ext[INITIATOR] = initiator
        _keep_condition_variable(self.node, ext)
        return ext


class ConditionBoundaryEventParser(CamundaBoundaryEventParser):  # type: ignore[misc]
    """A conditional boundary event (as an event subprocess's conditional start) keeps its
    camunda:variableName, which SpiffWorkflow drops: re-armed, it is looked at again only
    when that variable changes (conditional_events)."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        _keep_condition_variable(self.node, ext)
        return ext


def _keep_condition_variable(node: etree._Element, ext: dict[str, Any]) -> None:
    """camunda:variableName and camunda:variableEvents of a conditional event definition,
    as spec extensions (the events a list: create, update, delete)."""
    for definition in node.iterchildren(f"{{{BPMN_NS}}}conditionalEventDefinition"):
        name = (definition.get(f"{{{CAMUNDA_NS}}}variableName") or "").strip()
        if name:
            ext[VARIABLE_NAME] = name
        events = [e.strip().lower() for e in
                  (definition.get(f"{{{CAMUNDA_NS}}}variableEvents") or "").split(",")]
        if any(events):
            ext[VARIABLE_EVENTS] = sorted({e for e in events if e})


class ConditionCatchEventParser(CamundaIntermediateCatchEventParser):  # type: ignore[misc]
    """An intermediate conditional catch keeps camunda:variableName and variableEvents."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        _keep_condition_variable(self.node, ext)
        return ext


class VocFlowParser(CamundaParser):  # type: ignore[misc]
    PROCESS_PARSER_CLASS = CompensationProcessParser
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("intermediateThrowEvent"): (CompensateThrowEventParser, IntermediateThrowEvent),
        full_tag("endEvent"): (CompensateEndEventParser, EndEvent),
        full_tag("userTask"): (AssignmentUserTaskParser, UserTask),
        full_tag("callActivity"): (MappingCallActivityParser, MappingCallActivity),
        full_tag("startEvent"): (InterruptingStartEventParser, StartEvent),
        full_tag("boundaryEvent"): (ConditionBoundaryEventParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (ConditionCatchEventParser,
                                             IntermediateCatchEvent),
        full_tag("task"): (CamundaTaskParser, pass_through.NoneTask),
        full_tag("manualTask"): (CamundaTaskParser, pass_through.ManualTask),
        full_tag("serviceTask"): (ExternalServiceTaskParser, ServiceTask),
        full_tag("scriptTask"): (FormatScriptTaskParser, ScriptTask),
        full_tag("sendTask"): (CamundaSendTaskParser, SendTask),
        full_tag("receiveTask"): (CamundaReceiveTaskParser, ReceiveTask),
        full_tag("exclusiveGateway"): (ExclusiveGatewayParser, ExclusiveGateway),
        full_tag("inclusiveGateway"): (ExclusiveGatewayParser, InclusiveGateway),
        full_tag("businessRuleTask"): (dmn.DmnBusinessRuleTaskParser, dmn.DmnBusinessRuleTask),
    }

    def add_dmn_xml(self, node: etree._Element, filename: str | None = None) -> None:
        super().add_dmn_xml(node, filename=filename)
        dmn.register_decisions(self, node, filename)  # FEEL tables, every hit policy


_VALIDATOR: BpmnValidator | None = None


def xsd_errors(tree: etree._Element) -> list[tuple[int, str]]:
    """Validate against the BPMN 2.0 XSD that SpiffWorkflow ships; (line, message) per error."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = BpmnValidator()
    schema = _VALIDATOR.validator
    copy = etree.fromstring(etree.tostring(tree))
    _VALIDATOR.preprocess(copy)
    if schema.validate(copy):
        return []
    # The copy starts at the root element: shift lines back to the file's own numbering.
    offset = (tree.sourceline or 1) - 1
    return [(err.line + offset, err.message) for err in schema.error_log]


def safe_xml(content: bytes) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network. Raises ValueError with the line."""
    for marker in (b"<!DOCTYPE", b"<!ENTITY"):
        at = content.find(marker)
        if at >= 0:  # refused before parsing: no entity is ever declared, let alone expanded
            line = content[:at].count(b"\n") + 1
            raise ValueError(f"line {line}: a DOCTYPE or entity declaration is not allowed")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"line {exc.lineno}: malformed XML: {exc.msg}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        line = content[: max(content.find(b"<!DOCTYPE"), 0)].count(b"\n") + 1
        raise ValueError(f"line {line}: a DOCTYPE or entity declaration is not allowed")
    return root
