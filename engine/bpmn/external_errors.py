"""A BPMN error thrown by an external task's worker: caught by an error boundary or subprocess."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.task import TaskState

from engine.bpmn.event_subprocess_starts import scope_chain_starts
from engine.bpmn.workflow import find_task
from engine.errors import InvalidState


def _catcher(workflow: BpmnWorkflow, scope: Any, code: str) -> ErrorEventDefinition | None:
    """A waiting catch for this code, or a catch-all one: a boundary event, or the start of
    an event subprocess in the thrower's scope or one around it."""
    specs = [t.task_spec for t in workflow.get_tasks(state=TaskState.WAITING)]
    for spec in [*specs, *scope_chain_starts(scope)]:
        definition = getattr(spec, "event_definition", None)
        if isinstance(definition, ErrorEventDefinition) and definition.code in (None, code):
            return definition
    return None


def throw_bpmn_error(workflow: BpmnWorkflow, task_id: str, code: str, message: str | None,
                     variables: dict[str, Any]) -> None:
    """Throw the error from the started external task with these variables as payload.

    Camunda's handleBpmnError: the nearest error boundary event or error event subprocess
    that catches the code takes over and the task is cancelled. No catch is an InvalidState
    (the task keeps its lock, nothing is lost) rather than a silent end.
    """
    task = find_task(workflow, task_id)
    if task.state != TaskState.STARTED or not isinstance(task.task_spec, ServiceTask):
        raise InvalidState(f"external task {task_id} is not waiting for completion")
    catcher = _catcher(workflow, task.workflow, code)
    if catcher is None:
        raise InvalidState(f"no error boundary event or event subprocess catches the BPMN "
                           f"error '{code}' thrown at {task.task_spec.bpmn_id}")
    payload = {**task.data, **variables}
    if message is not None:
        payload.setdefault("errorMessage", message)
    payload["errorCode"] = code
    thrown = ErrorEventDefinition(catcher.name, code=code)
    task.workflow.top_workflow.catch(BpmnEvent(thrown, payload=payload, target=task.workflow))
