"""Operations on one in-memory BpmnWorkflow: advance, list what waits, complete, repair."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.prune import prune_in_run
from engine.errors import InvalidState, NotFound, ScriptError

DEEP = 10**7  # TaskIterator's default max_depth of 1000 hides tasks in long loops
PRUNE_AT = 200  # tasks in a workflow before a running advance() prunes it
PRUNED_PASSES = 5000  # engine passes of one advance() that may prune (a long loop's rounds)


@dataclass(frozen=True)
class UserTaskView:
    id: str
    element_id: str
    name: str | None
    form_key: str | None
    extensions: dict[str, Any]
    data: dict[str, Any]
    documentation: str | None = None


@dataclass(frozen=True)
class ExternalTaskView:
    id: str
    element_id: str
    name: str | None
    topic: str | None
    extensions: dict[str, Any]
    data: dict[str, Any]


@dataclass(frozen=True)
class TimerView:
    id: str
    element_id: str
    name: str | None
    kind: str
    due_at: datetime


@dataclass
class StepFailure:
    """A script, condition or timer expression failed; the task is left in ERROR."""

    element_id: str | None
    task_id: str | None
    message: str
    line: int | None = None
    error_line: str | None = None
    traceback: str = ""
    notes: list[str] = field(default_factory=list)


def set_start_variables(workflow: BpmnWorkflow, variables: dict[str, Any]) -> None:
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(variables)


def advance(workflow: BpmnWorkflow, *, prune: bool = True) -> StepFailure | None:
    """Run every automatic task until only user input, timers or external work remain.

    As do_engine_steps(), but a long automatic run prunes its finished past between
    passes: each pass walks the whole tree, so a loop of n rounds costs n, not n squared,
    and it does not sink below SpiffWorkflow's 1000-task iteration depth. Past
    PRUNED_PASSES passes it stops pruning: a loop that never ends then stalls at that
    depth (stall_reason says so) instead of holding the instance's lock for ever.
    """
    try:
        for task in workflow.__dict__.pop(RESTART, []):
            task.task_spec._update(task)  # a retried call activity starts its callee again
        limit, passes = PRUNE_AT, 0
        while workflow._do_engine_steps():
            passes += 1  # a loop without end stops at the depth limit, stalled, as before
            if prune and passes <= PRUNED_PASSES and _size(workflow) > limit:
                prune_in_run(workflow)
                limit = max(PRUNE_AT, 2 * _size(workflow))
        workflow.refresh_timers()
    except WorkflowTaskException as exc:
        return _failure(exc, exc.task)
    except SpiffWorkflowException as exc:
        return _failure(exc, getattr(exc, "task", None))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # Raised by a spec itself (e.g. multi-instance over a missing collection): the task
        # is in ERROR; an incident there, as Camunda opens one, never a 500 from the step.
        task = _task_in_traceback(exc)
        if task is not None and task.state != TaskState.ERROR:
            task.error()
        if task is not None and isinstance(task.task_spec, MultiInstanceTask):
            exc.add_note(f"the multi-instance input of '{task.task_spec.bpmn_id}' is missing "
                         "or not a collection")
        return _failure(exc, task)
    return None


def _size(workflow: BpmnWorkflow) -> int:
    return len(workflow.tasks) + sum(len(sp.tasks) for sp in workflow.subprocesses.values())


def _task_in_traceback(exc: BaseException) -> Task | None:
    """The innermost SpiffWorkflow task being worked on when exc was raised."""
    found, tb = None, exc.__traceback__
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("my_task")
        if isinstance(candidate, Task):
            found = candidate
        tb = tb.tb_next
    return found


def _failure(exc: Exception, task: Task | None) -> StepFailure:
    notes = list(getattr(exc, "notes", None) or getattr(exc, "__notes__", None) or [])
    message = str(exc)
    extra = [n for n in notes if n.strip() not in message]
    if extra:
        message = f"{message} ({'; '.join(extra)})"
    line = getattr(exc, "line_number", None) or None
    return StepFailure(
        element_id=task.task_spec.bpmn_id if task is not None else None,
        task_id=str(task.id) if task is not None else None,
        message=message,
        line=int(line) if line else None,
        error_line=getattr(exc, "error_line", None) or None,
        traceback="".join(traceback.format_exception(exc)),
        notes=notes,
    )


def _visible(workflow: BpmnWorkflow, state: TaskState) -> Iterator[Task]:
    for task in workflow.get_tasks(state=state, max_depth=DEEP):
        if task.task_spec.bpmn_id is not None:
            yield task


def user_task_view(task: Task) -> UserTaskView:
    spec = task.task_spec
    form = getattr(spec, "form", None)
    return UserTaskView(
        id=str(task.id),
        element_id=spec.bpmn_id,
        name=spec.bpmn_name,
        form_key=getattr(form, "key", None),
        extensions=dict(getattr(spec, "extensions", {}) or {}),
        data=task.data,
        documentation=getattr(spec, "documentation", None),
    )


def ready_user_tasks(workflow: BpmnWorkflow) -> list[UserTaskView]:
    tasks = workflow.get_tasks(state=TaskState.READY, manual=True, max_depth=DEEP)
    return [user_task_view(task) for task in tasks]


def external_task_view(task: Task) -> ExternalTaskView:
    spec = task.task_spec
    ext = dict(getattr(spec, "extensions", {}) or {})
    return ExternalTaskView(
        id=str(task.id), element_id=spec.bpmn_id, name=spec.bpmn_name,
        topic=ext.get("topic"), extensions=ext, data=task.data,
    )


def started_external_tasks(workflow: BpmnWorkflow) -> list[ExternalTaskView]:
    return [external_task_view(task) for task in _visible(workflow, TaskState.STARTED)
            if isinstance(task.task_spec, ServiceTask)]


def timer_view(task: Task) -> TimerView | None:
    """The due time of a WAITING timer event task, or None if it is no (armed) timer."""
    event = getattr(task.task_spec, "event_definition", None)
    if not isinstance(event, TimerEventDefinition):
        return None
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not value:
        return None
    return TimerView(
        id=str(task.id), element_id=task.task_spec.bpmn_id, name=task.task_spec.bpmn_name,
        kind=type(event).__name__, due_at=TimerEventDefinition.get_datetime(value),
    )


def waiting_timers(workflow: BpmnWorkflow) -> list[TimerView]:
    views = [timer_view(task) for task in _visible(workflow, TaskState.WAITING)]
    return [view for view in views if view is not None]


def find_task(workflow: BpmnWorkflow, task_id: str) -> Task:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError, TypeError, TaskNotFoundException):
        task = None
    if task is None:
        raise NotFound(f"task {task_id} is not part of this instance")
    return task


def complete_user_task(workflow: BpmnWorkflow, task_id: str, data: dict[str, Any]) -> None:
    task = find_task(workflow, task_id)
    if task.state != TaskState.READY or not task.task_spec.manual:
        raise InvalidState(f"task {task_id} is not an open user task")
    task.data.update(data)
    task.run()
    workflow.__dict__.setdefault(COMPLETED, set()).add(task_id)


COMPLETED = "_vocflow_completed"  # user tasks completed since the last save


def take_completed(workflow: BpmnWorkflow) -> set[str]:
    """The user tasks completed since the last call (the others that end were deleted)."""
    found: set[str] = workflow.__dict__.pop(COMPLETED, set())
    return found


def complete_external_task(workflow: BpmnWorkflow, task_id: str, result: dict[str, Any]) -> None:
    task = find_task(workflow, task_id)
    if task.state != TaskState.STARTED or not isinstance(task.task_spec, ServiceTask):
        raise InvalidState(f"external task {task_id} is not waiting for completion")
    task.data.update(result)
    task.complete()


def refresh_timers(workflow: BpmnWorkflow) -> None:
    workflow.refresh_timers()


def errored_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return list(_visible(workflow, TaskState.ERROR))


RESTART = "_vocflow_restart"  # call activities to start again on the next advance


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
    if source.has_state(TaskState.FINISHED_MASK):
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


def stall_reason(workflow: BpmnWorkflow) -> str | None:
    """Why a workflow that is not finished can make no progress, or None if it can."""
    waiting = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    if workflow.get_tasks(state=waiting):
        return None
    # is_completed() only looks 1000 tasks deep: a long loop's live token looks "done".
    hidden = workflow.get_tasks(state=TaskState.READY, max_depth=DEEP)
    if not hidden and workflow.is_completed():
        return None
    if hidden:
        return (
            f"task {hidden[0].task_spec.bpmn_id or hidden[0].task_spec.name} is ready but lies "
            "deeper than SpiffWorkflow's 1000-task iteration limit (a loop ran too many rounds)"
        )
    return "no task is ready, waiting or running, and the process has not ended"


def variables(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The process variables as a reviewer would see them, plus wf.data.

    SpiffWorkflow keeps data per token. Waiting event tokens (boundary timers, catches) hold
    older copies, so they are merged first and the tokens that do work (ready, running,
    failed) override them; a finished instance shows its last task's data.
    """
    waiting = workflow.get_tasks(state=TaskState.WAITING, max_depth=DEEP)
    working = workflow.get_tasks(
        state=TaskState.READY | TaskState.STARTED | TaskState.ERROR, max_depth=DEEP)
    return merge_token_data(workflow, waiting, working)


def merge_token_data(workflow: BpmnWorkflow, waiting: list[Task],
                     working: list[Task]) -> dict[str, Any]:
    """Merge waiting tokens' data first, then working tokens' (newest last), then wf.data."""
    data: dict[str, Any] = {}
    if not waiting and not working and workflow.last_task is not None:
        data.update(workflow.last_task.data)
    for task in sorted(waiting, key=lambda t: t.last_state_change):
        data.update(task.data)
    for task in sorted(working, key=lambda t: t.last_state_change):
        data.update(task.data)
    data.update({k: v for k, v in workflow.data.items() if k != "data_objects"})
    return data


def is_completed(workflow: BpmnWorkflow) -> bool:
    if not workflow.is_completed():
        return False
    return not workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK, max_depth=DEEP)


def now_utc() -> datetime:
    return datetime.now(UTC)


def raise_failure(failure: StepFailure) -> None:
    raise ScriptError(failure.message, details=failure.__dict__)


def update_active_data(workflow: BpmnWorkflow, values: dict[str, Any]) -> None:
    """Set variables on every active token, so that what runs next sees them."""
    active = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
    tasks = workflow.get_tasks(state=active, max_depth=DEEP)
    if not tasks and workflow.last_task is not None:
        tasks = [workflow.last_task]
    for task in tasks:
        task.data.update(values)


def activity_states(workflow: BpmnWorkflow) -> list[dict[str, Any]]:
    """State of every BPMN activity that has a task (predicted branches left out)."""
    result = []
    definite = TaskState.DEFINITE_MASK | TaskState.FINISHED_MASK
    for task in workflow.get_tasks(state=definite, max_depth=DEEP):
        spec = task.task_spec
        if spec.bpmn_id is None:
            continue
        result.append({
            "task_id": str(task.id), "element_id": spec.bpmn_id, "name": spec.bpmn_name,
            "type": type(spec).__name__, "state": TaskState.get_name(task.state),
        })
    return result
