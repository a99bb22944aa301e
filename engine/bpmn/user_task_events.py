"""A user task's BPMN error or escalation (Camunda's TaskService.handleBpmnError/Escalation),
and writes of its data before completion."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    CodeEventDefinition,
    ErrorEventDefinition,
    EscalationEventDefinition,
)
from SpiffWorkflow.task import Task, TaskState

from engine.bpmn.workflow import find_task
from engine.errors import InvalidState

KINDS: dict[str, type[CodeEventDefinition]] = {
    "error": ErrorEventDefinition, "escalation": EscalationEventDefinition}


def _open_user_task(workflow: BpmnWorkflow, task_id: str) -> Task:
    task = find_task(workflow, task_id)
    if task.state != TaskState.READY or not task.task_spec.manual:
        raise InvalidState(f"task {task_id} is not an open user task")
    return task


def _catcher(workflow: BpmnWorkflow, kind: type[CodeEventDefinition],
             code: str) -> CodeEventDefinition | None:
    """A waiting catch of this kind for the code, or a catch-all one (boundary or event
    subprocess start)."""
    for waiting in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(waiting.task_spec, "event_definition", None)
        if isinstance(definition, kind) and definition.code in (None, code):
            return definition
    return None


def throw_from_user_task(workflow: BpmnWorkflow, task_id: str, kind: str, code: str,
                         message: str | None, variables: dict[str, Any]) -> None:
    """Throw a BPMN error or escalation from an open user task, variables as its payload.

    An interrupting catch (every error catch) cancels the task; a non-interrupting
    escalation keeps it open. Nothing catching it is an InvalidState: nothing changes.
    """
    task = _open_user_task(workflow, task_id)
    catcher = _catcher(workflow, KINDS[kind], code)
    if catcher is None:
        raise InvalidState(f"no boundary event or event subprocess catches the BPMN {kind} "
                           f"'{code}' thrown at {task.task_spec.bpmn_id}")
    payload = {**task.data, **variables}
    if kind == "error":
        if message is not None:
            payload.setdefault("errorMessage", message)
        payload["errorCode"] = code
    else:
        payload["escalationCode"] = code
    thrown = KINDS[kind](catcher.name, code=code)
    task.workflow.top_workflow.catch(BpmnEvent(thrown, payload=payload, target=task.workflow))


def user_task_data(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
    """The data an open user task sees (and will hand on when it completes)."""
    return dict(_open_user_task(workflow, task_id).data)


def set_user_task_data(workflow: BpmnWorkflow, task_id: str, values: dict[str, Any],
                       deletions: list[str]) -> None:
    """Set and remove variables of an open user task; the process gets them on completion."""
    task = _open_user_task(workflow, task_id)
    task.data.update(values)
    for name in deletions:
        task.data.pop(name, None)
