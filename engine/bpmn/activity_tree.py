"""The active activities of a workflow as a tree of scopes (Camunda's activity instances).

Every waiting, ready, running or failed task of a BPMN element is a leaf; a subprocess (or a
call activity, which runs inside the same workflow here) is a node whose children are the
active tasks of its sub-workflow. Boundary events, gateways waiting for other branches and
SpiffWorkflow's own control tasks are left out, as Camunda's tree leaves them out; but a
gateway or event that failed (a condition that cannot be evaluated) is where the token
stopped, so it is shown, as Camunda shows the failed activity carrying the incident.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compensation import THROW
from engine.bpmn.event_subprocesses import armed_only
from engine.bpmn.events import _kind
from engine.bpmn.juel_scripts import ELEMENT_TYPE, placed_for

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
DEEP = 10**7
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_LEFT_OUT = ("BoundaryEvent", "ParallelGateway", "InclusiveGateway", "ExclusiveGateway")
# SpiffWorkflow spec classes -> Camunda's activityType
_TYPES = {
    "UserTask": "userTask", "ServiceTask": "serviceTask", "ScriptTask": "scriptTask",
    "BusinessRuleTask": "businessRuleTask", "DmnBusinessRuleTask": "businessRuleTask",
    "ManualTask": "manualTask",
    "SendTask": "sendTask", "ReceiveTask": "receiveTask", "NoneTask": "task",
    "SubWorkflowTask": "subProcess", "CallActivity": "callActivity",
    "TransactionSubprocess": "transaction", "StartEvent": "startEvent",
    "EndEvent": "noneEndEvent", "EventBasedGateway": "eventBasedGateway",
    "IntermediateThrowEvent": "intermediateThrowEvent",
    "CompensateThrowEvent": "intermediateCompensationThrowEvent",
}
_CATCHES = {"timer": "intermediateTimer", "message": "intermediateMessageCatch",
            "signal": "intermediateSignalCatch"}


@dataclass
class ActivityNode:
    """One active run of a BPMN element; `children` only for subprocesses."""

    task_id: str
    element_id: str
    name: str | None
    type: str
    state: str
    children: list[ActivityNode] = field(default_factory=list)


_BODIES = ("ParallelMultiInstanceTask", "SequentialMultiInstanceTask", "StandardLoopTask")


def is_body(spec: Any) -> bool:
    """A multi-instance (or loop) task: Camunda's multiInstanceBody around its instances."""
    return type(spec).__name__ in _BODIES


def element_of(spec: Any) -> str:
    """Camunda's activityId: a multi-instance body is `{elementId}#multiInstanceBody`."""
    return f"{spec.bpmn_id}#multiInstanceBody" if is_body(spec) else str(spec.bpmn_id)


def activity_type(spec: Any) -> str:
    """Camunda's activityType of a SpiffWorkflow task spec."""
    name = type(spec).__name__
    if name in _BODIES:
        return "multiInstanceBody"
    kept = (getattr(spec, "extensions", None) or {}).get(ELEMENT_TYPE)
    if kept:
        return str(kept)
    if name == "IntermediateCatchEvent":
        event = getattr(spec, "event_definition", None)
        kind = _kind(event)
        if kind is None and type(event).__name__.startswith(("Time", "Duration", "Cycle")):
            kind = "timer"
        return _CATCHES.get(kind or "", "intermediateCatchEvent")
    if name == "CompensateEndEvent":  # a transaction's cancel end event, or a compensation one
        cancel = (spec.extensions.get(THROW) or {}).get("cancel")
        return "cancelEndEvent" if cancel else "compensationEndEvent"
    if name == "CallActivity" and getattr(spec, "description", None) == "Subprocess":
        return "subProcess"  # the Camunda parser gives embedded subprocesses this class
    return _TYPES.get(name, name[:1].lower() + name[1:])


def _shown(task: Task, failed: Collection[str]) -> bool:
    spec = task.task_spec
    if spec.bpmn_id is None:
        return False
    if task.state == TaskState.ERROR or str(task.id) in failed:
        return True
    return (type(spec).__name__ not in _LEFT_OUT and not armed_only(task)
            and placed_for(spec) is None)


def _node(task: Task) -> ActivityNode:
    spec = task.task_spec
    owner = placed_for(spec)
    if owner is not None:  # a failed placed script: Camunda shows the element it serves
        spec = next((s for s in task.workflow.spec.task_specs.values()
                     if s.bpmn_id == owner), spec)
    return ActivityNode(str(task.id), element_of(spec), spec.bpmn_name, activity_type(spec),
                        TaskState.get_name(task.state))


def scope_task(task: Task) -> Task | None:
    """The task whose activity instance holds this one: a multi-instance body, or the task
    of the subprocess (or call activity) the task runs in; None at the process's top."""
    parent = task.parent
    if parent is not None and is_body(parent.task_spec):
        return parent
    parent_id = getattr(task.workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    found: Task | None = task.workflow.top_workflow.tasks.get(parent_id)
    if found is None:
        for sub in task.workflow.top_workflow.subprocesses.values():
            found = sub.tasks.get(parent_id)
            if found is not None:
                break
    return found


def activity_tree(workflow: BpmnWorkflow, failed: Collection[str] = ()) -> list[ActivityNode]:
    """The top-level active activities, each subprocess with its own active children.

    `failed`: ids of tasks an open incident names; they are shown whatever their kind.
    """
    nodes: dict[str, ActivityNode] = {}
    roots: list[ActivityNode] = []
    for task in workflow.get_tasks(state=ACTIVE, max_depth=DEEP):
        if _shown(task, failed):
            _place(workflow, task, nodes, roots)
    for task_id in sorted(set(failed) - nodes.keys()):
        # A timer whose expression failed stays FUTURE: the token is there all the same.
        task = _failed_task(workflow, task_id)
        if task is not None and task.task_spec.bpmn_id is not None:
            _place(workflow, task, nodes, roots)
    return roots


def _failed_task(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    try:
        task: Task | None = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, TaskNotFoundException):
        return None
    if task is None or task.has_state(TaskState.COMPLETED | TaskState.CANCELLED):
        return None
    return task


def _place(workflow: BpmnWorkflow, task: Task, nodes: dict[str, ActivityNode],
           roots: list[ActivityNode]) -> ActivityNode:
    key = str(task.id)
    if key in nodes:
        return nodes[key]
    node = nodes[key] = _node(task)
    parent = scope_task(task)
    if parent is None:
        roots.append(node)
    else:
        _place(workflow, parent, nodes, roots).children.append(node)
    return node


def outgoing_targets(workflow: BpmnWorkflow, element_id: str) -> list[str]:
    """The elements the sequence flows out of an element lead to (for startAfterActivity)."""
    for spec in _specs(workflow):
        task_spec = spec.task_specs.get(element_id)
        if task_spec is not None:
            return [s.bpmn_id for s in _bpmn_outputs(task_spec)]
    return []


def flow_target(source_xml: str, flow_id: str) -> str | None:
    """The element a sequence flow leads to (for startTransition), read from the diagram:
    SpiffWorkflow's specs do not keep sequence flow ids."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(source_xml.encode(), parser)
    for node in root.iter(f"{{{BPMN}}}sequenceFlow"):
        if node.get("id") == flow_id:
            return str(node.get("targetRef") or "") or None
    return None


def _bpmn_outputs(task_spec: Any) -> list[Any]:
    """The BPMN elements after a spec, through SpiffWorkflow's own control tasks."""
    found, pending, seen = [], list(task_spec.outputs), set()
    while pending:
        spec = pending.pop(0)
        if spec.name in seen:
            continue
        seen.add(spec.name)
        if spec.bpmn_id is not None and type(spec).__name__ != "BoundaryEvent":
            found.append(spec)
        elif spec.bpmn_id is None:
            pending.extend(spec.outputs)
    return found


def _specs(workflow: BpmnWorkflow) -> list[Any]:
    return [workflow.spec, *workflow.subprocess_specs.values()]
