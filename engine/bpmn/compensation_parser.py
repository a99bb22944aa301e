"""Parser hooks for compensation: handlers, compensable activities and throw events."""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaEndEventParser,
    CamundaIntermediateThrowEventParser,
)

from engine.bpmn import data_objects
from engine.bpmn.compensation import (
    EMBEDDED,
    EVENT_SUBPROCESS,
    HANDLER,
    THROW,
    CompensateEndEvent,
    CompensateThrowEvent,
)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
B = f"{{{BPMN_NS}}}"
COMPENSATE = f"{B}compensateEventDefinition"
SCOPES = (f"{B}process", f"{B}subProcess", f"{B}transaction")
# On a compensation event subprocess made a handler (engine.bpmn.normalize): the id of the
# subprocess it compensates, whose completed work a throw inside it compensates.
COMPENSATES = "{http://vocflow.example/bpmn}compensates"


def is_compensation_boundary(node: etree._Element) -> bool:
    return bool(node.tag == f"{B}boundaryEvent" and node.find(COMPENSATE) is not None)


def is_handler(node: etree._Element) -> bool:
    return isinstance(node.tag, str) and node.get("isForCompensation", "false").lower() == "true"


def scope_of(node: etree._Element) -> etree._Element | None:
    """The process or subprocess a flow node belongs to."""
    for ancestor in node.iterancestors(*SCOPES):
        return ancestor
    return None


def handlers(root: etree._Element) -> dict[str, str]:
    """Compensable activity id -> its handler's id, from boundary events and associations."""
    targets: dict[str | None, str | None] = {}
    for assoc in root.iter(f"{B}association"):
        targets.setdefault(assoc.get("sourceRef"), assoc.get("targetRef"))
    found: dict[str, str] = {}
    for event in root.iter(f"{B}boundaryEvent"):
        handler = targets.get(event.get("id"))
        if is_compensation_boundary(event) and handler and event.get("attachedToRef"):
            found[event.get("attachedToRef")] = handler
    return found


class CompensationProcessParser(ProcessParser):  # type: ignore[misc]
    """A (sub)process whose compensation boundary events are not boundary events to Spiff.

    Its handlers are parsed as specs no flow reaches (those of nested subprocesses too, so
    that compensating a completed subprocess from here can run them), and each compensable
    activity's spec names its handler.
    """

    def parse_data_object(self, obj: etree._Element) -> Any:
        return self.create_data_spec(obj, data_objects.DataObject)  # Camunda ignores them

    def get_boundary_events(self, attached_to_ref: str) -> list[etree._Element]:
        return [n for n in super().get_boundary_events(attached_to_ref)
                if not is_compensation_boundary(n)]

    def add_tasks(self) -> None:
        super().add_tasks()
        own = self.node
        for node in self._handler_nodes(own):
            if not is_handler(node) or scope_of(node) is None:
                continue
            if node.tag in SCOPES[1:] and scope_of(node) is not own:
                continue  # a subprocess handler is a process of its own: parsed once
            handler = self.parse_node(node)
            if not handler.inputs:  # Spiff refuses to ready a task with no input at all
                handler._inputs = [self.spec.start.name]  # a name only: no flow leads there
        specs = self.spec.task_specs
        for activity, handler in handlers(self.document_root).items():
            spec = specs.get(activity)
            if spec is None or handler not in specs:
                continue
            if isinstance(spec, MultiInstanceTask):
                spec = specs[spec.task_spec]  # each instance is compensated
            spec.extensions = {**(spec.extensions or {}), HANDLER: handler}
        for node in own:
            if node.tag in SCOPES[1:] and node.get("id") in specs:
                spec = specs[node.get("id")]
                if isinstance(spec, MultiInstanceTask):
                    spec = specs[spec.task_spec]
                if is_handler(node):
                    continue  # what is left in a handler is never compensated later
                mark = EVENT_SUBPROCESS if node.get("triggeredByEvent") == "true" else EMBEDDED
                spec.extensions = {**(spec.extensions or {}), mark: True}

    def _handler_nodes(self, own: etree._Element) -> list[etree._Element]:
        """Where the handlers this scope may run are: in it, and in the scope it compensates
        (an event subprocess compensates the scope it is in, a compensation event
        subprocess the subprocess it belongs to)."""
        nodes = list(own.iter())
        outer = scope_of(own)
        if own.get("triggeredByEvent", "false").lower() == "true" and outer is not None:
            nodes = list(outer.iter())
        compensated = own.get(COMPENSATES)
        if compensated:
            found = self.document_root.xpath(".//*[@id=$id]", id=compensated)
            seen = set(nodes)
            nodes += [n for n in found[0].iter() if n not in seen] if found else []
        return nodes


def _definition(parser: Any) -> etree._Element | None:
    found = parser.xpath("./bpmn:compensateEventDefinition")
    return found[0] if found else None


def _settings(definition: etree._Element) -> dict[str, Any]:
    return {"activity": definition.get("activityRef") or None, "cancel": False}


class CompensateThrowEventParser(CamundaIntermediateThrowEventParser):  # type: ignore[misc]
    """An intermediate throw event with a compensateEventDefinition compensates."""

    def create_task(self) -> Any:
        if _definition(self) is not None:
            self.spec_class = CompensateThrowEvent
        return super().create_task()

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        definition = _definition(self)
        if definition is not None:
            ext[THROW] = _settings(definition)
        return ext


def _cancel_compensates(node: etree._Element) -> bool:
    """A cancel end event of a transaction that holds compensable work."""
    if node.find(f"{B}cancelEventDefinition") is None:
        return False
    transaction = scope_of(node)
    if transaction is None or transaction.tag != f"{B}transaction":
        return False
    return any(is_compensation_boundary(n) for n in transaction.iter(f"{B}boundaryEvent"))


class CompensateEndEventParser(CamundaEndEventParser):  # type: ignore[misc]
    """A compensation end event, or a cancel end event whose transaction compensates."""

    def create_task(self) -> Any:
        if _definition(self) is not None or _cancel_compensates(self.node):
            self.spec_class = CompensateEndEvent
        return super().create_task()

    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        ext: dict[str, Any] = super().parse_extensions(node)
        definition = _definition(self)
        if definition is not None:
            ext[THROW] = _settings(definition)
        elif _cancel_compensates(self.node):
            ext[THROW] = {"activity": None, "cancel": True}
        return ext
