"""Repairs of one workflow: retry a failed task, skip one, move a token back."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.workflow import DEEP, RESTART, find_task
from engine.errors import InvalidState

_ENDED = TaskState.COMPLETED | TaskState.CANCELLED


def retry_task(workflow: BpmnWorkflow, task_id: str) -> None:
    """Run a task in ERROR again (after its data or the diagram's input was fixed)."""
    task = find_task(workflow, task_id)
    if task.state != TaskState.ERROR:
        raise InvalidState(f"task {task_id} has not failed")
    if (isinstance(task.task_spec, SubWorkflowTask)
            and workflow.top_workflow.subprocesses.get(task.id) is None):
        # A call activity that could not start its callee: starting it is its update, not
        # its run (a READY call activity would complete without calling anything).
        task._set_state(TaskState.WAITING)
        workflow.__dict__.setdefault(RESTART, []).append(task)
        return
    task._set_state(TaskState.READY)  # private API; what spiff-arena does for a retry


def skip_task(workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
    """Mark a failed or waiting task done without running it, then go on."""
    task = find_task(workflow, task_id)
    if task.state not in (TaskState.ERROR, TaskState.STARTED, TaskState.READY):
        raise InvalidState(f"task {task_id} cannot be skipped in state {task.state}")
    task.data.update(data)
    if task.state == TaskState.ERROR:
        task._set_state(TaskState.READY)
    task.complete()


def move_token(workflow: BpmnWorkflow, from_task_id: str, to_element_id: str,
               ran_before: bool = False) -> str:
    """Cancel one activity and start another that already ran on this path (a rewind).

    The target's last run still in the tree is reset (it gets the data it had then). If
    the pruned past held it (`ran_before`: the activity records say it ran), the element
    starts afresh in the source token's place, with the source token's data.
    """
    source = find_task(workflow, from_task_id)
    if source.has_state(_ENDED):  # a task in ERROR is where its token stopped: movable
        raise InvalidState(f"task {from_task_id} is not active")
    targets = [
        t for t in workflow.get_tasks(spec_name=to_element_id, max_depth=DEEP)
        if t.has_state(TaskState.COMPLETED) and t.parent is not None
    ]
    if targets:
        target = max(targets, key=lambda t: t.last_state_change)
        workflow.reset_from_task_id(target.id)
        return str(target.id)
    if not ran_before and not _ran_at_root(workflow, to_element_id):
        raise InvalidState(
            f"element {to_element_id} has not run on this instance; a token can only be "
            "moved back to an activity that ran before"
        )
    return _restart_at(workflow, source, to_element_id)


def _ran_at_root(workflow: BpmnWorkflow, element_id: str) -> bool:
    roots = [workflow.task_tree, *(sp.task_tree for sp in workflow.subprocesses.values())]
    return any(t.task_spec.name == element_id and t.has_state(TaskState.COMPLETED)
               for t in roots)


def _restart_at(workflow: BpmnWorkflow, source: Task, element_id: str) -> str:
    """Replace the source token (and its boundary events) by a new task of the element."""
    sub = source.workflow
    specs = sub.spec.task_specs
    spec = specs.get(f"{element_id}.BoundaryEventSplit") or specs.get(element_id)
    token = source.parent if isinstance(source.parent.task_spec, BoundaryEventSplit) else source
    anchor = token.parent
    if spec is None or anchor is None:
        raise InvalidState(f"element {element_id} cannot be started where task "
                           f"{source.id} is")
    data = deepcopy(source.data)
    workflow.reset_from_task_id(token.id)  # drops its descendants and their subprocesses
    for task in list(token):
        workflow.event_manager.tasks.pop(task.id, None)
    sub._remove_task(token.id)
    task = Task(sub, spec, parent=anchor, state=TaskState.FUTURE)
    spec._predict(task, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)  # as reset_branch
    spec._update(task)
    task.data = data
    sub.last_task = anchor
    return str(task.id)
