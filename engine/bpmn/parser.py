"""The Camunda 7 parser we run on: reads the camunda: attributes SpiffWorkflow ignores."""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs import UserTask

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


def _io_parameters(parser: CamundaTaskParser, kind: str) -> dict[str, str]:
    """camunda:inputOutput parameters as name -> text (expressions evaluated at run time)."""
    params: dict[str, str] = {}
    for node in parser.xpath(f"./bpmn:extensionElements/camunda:inputOutput/camunda:{kind}"):
        params[node.get("name")] = (node.text or "").strip()
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
        return ext


class ExternalServiceTaskParser(CamundaTaskParser):  # type: ignore[misc]
    """Service tasks: camunda:type="external" + camunda:topic; run by workers as jobs."""

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        for name in SERVICE_ATTRS:
            value = self.attribute(name, "camunda")
            if value is not None:
                ext[name] = value
        _add_io(self, ext)
        return ext


class VocFlowParser(CamundaParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (AssignmentUserTaskParser, UserTask),
        full_tag("serviceTask"): (ExternalServiceTaskParser, ServiceTask),
    }


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
