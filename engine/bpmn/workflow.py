"""Operations on one in-memory BpmnWorkflow: advance it, complete tasks, read its state."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowDataException, WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import event_subprocesses
from engine.bpmn.boundary_rearm import rearm
from engine.bpmn.conditional_events import refresh_conditions, share_with_conditions
from engine.bpmn.event_subprocess_starts import arm_conditional_starts
from engine.bpmn.io_values import apply_outputs
from engine.bpmn.juel_scripts import placed_for
from engine.bpmn.pass_through import PASSING
from engine.bpmn.prune import prune_in_run
from engine.errors import InvalidState, NotFound, ScriptError, ValidationFailed

DEEP = 10**7  # TaskIterator's default max_depth of 1000 hides tasks in long loops
PRUNE_AT = 200  # tasks in a workflow before a running advance() prunes it
PRUNED_PASSES = 5000  # engine passes of one advance() that may prune (a long loop's rounds)


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
    pending: StepFailure | None = workflow.__dict__.pop(_FAILED, None)  # in a completion

    def run() -> None:
        for task in workflow.__dict__.pop(RESTART, []):
            task.task_spec._update(task)  # a retried call activity starts its callee again
        limit, passes = PRUNE_AT, 0
        while True:
            while workflow._do_engine_steps(did_complete_task=_completed):
                passes += 1  # a loop without end stops at the depth limit, stalled, as before
                if prune and passes <= PRUNED_PASSES and _size(workflow) > limit:
                    prune_in_run(workflow)
                    limit = max(PRUNE_AT, 2 * _size(workflow))
            workflow.refresh_timers()
            arm_conditional_starts(workflow, lambda: variables(workflow))
            if not refresh_conditions(workflow):  # what the steps changed may fire one
                break

    return _guarded(run) or pending


def _guarded(action: Callable[[], None]) -> StepFailure | None:
    """Run part of a step; what fails in it is a StepFailure (an incident), never a 500."""
    try:
        action()
    except WorkflowTaskException as exc:
        _name_missing_collection(exc)
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
            name = getattr(task.task_spec.data_input, "bpmn_id", None)
            if name and name not in task.data:  # as the sequential case says it
                unknown = _unknown_collection(name, task.task_spec.bpmn_id)
                unknown.__cause__ = exc  # the traceback shows where SpiffWorkflow failed
                return _failure(unknown, task)
            exc.add_note(f"the multi-instance input of '{task.task_spec.bpmn_id}' is missing "
                         "or not a collection")
        return _failure(exc, task)
    return None


_FAILED = "_vocflow_failed_in_completion"  # what the next advance() reports


def _complete_guarded(workflow: BpmnWorkflow, action: Callable[[], None]) -> None:
    """Complete a task: what fails as its successors are updated (a multi-instance over a
    missing collection after it) is reported by the advance that follows, as an incident."""
    failure = _guarded(action)
    if failure is not None:
        workflow.__dict__[_FAILED] = failure


def _completed(task: Task) -> None:
    """What Camunda does as a task completes that SpiffWorkflow does not."""
    event_subprocesses.completed(task)  # interrupt a scope, or end one left idle
    rearm(task)  # a non-interrupting boundary event stays armed


def _name_missing_collection(exc: WorkflowTaskException) -> None:
    """SpiffWorkflow says "Missing data input for multiinstance task"; say which variable,
    in Camunda's words for an unknown one."""
    task = exc.task
    data_input = getattr(exc, "data_input", None)
    if (isinstance(exc, WorkflowDataException) and data_input is not None and task is not None
            and isinstance(task.task_spec, MultiInstanceTask)
            and str(exc.args[0] if exc.args else "").startswith("Missing data input")):
        unknown = _unknown_collection(data_input.bpmn_id, task.task_spec.bpmn_id)
        exc.args = (str(unknown), *exc.args[1:])


def _unknown_collection(name: str, element_id: str) -> ValueError:
    return ValueError(f"Unknown property used in expression: ${{{name}}}. Cause: Cannot "
                      f"resolve identifier '{name}' (the multi-instance collection of "
                      f"'{element_id}')")


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
    if isinstance(exc, SpiffWorkflowException) and exc.args:
        message = str(exc.args[0])  # Spiff's str() adds ". " and its notes, joined by ". "
    extra = [n for n in notes if n.strip() not in message]
    if extra:
        message = f"{message} ({'; '.join(extra)})"
    line = getattr(exc, "line_number", None) or None
    return StepFailure(
        element_id=(placed_for(task.task_spec) or task.task_spec.bpmn_id
                    if task is not None else None),
        task_id=str(task.id) if task is not None else None,
        message=message,
        line=int(line) if line else None,
        error_line=getattr(exc, "error_line", None) or None,
        traceback="".join(traceback.format_exception(exc)),
        notes=notes,
    )


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
    human = task.task_spec.manual or isinstance(task.task_spec, PASSING)
    if task.state != TaskState.READY or not human:
        raise InvalidState(f"task {task_id} is not an open user task")
    task.data.update(data)
    outputs = _outputs(task)
    _complete_guarded(workflow, task.run)
    share_with_conditions(workflow, {**data, **outputs})
    workflow.__dict__.setdefault(COMPLETED, set()).add(task_id)


def _outputs(task: Task) -> dict[str, Any]:
    """The task's camunda:outputParameters, evaluated on what it completes with and set on
    its token; one that cannot be evaluated refuses the completion, naming it."""
    try:
        return apply_outputs(task.task_spec.extensions or {}, task.data)
    except Exception as exc:  # noqa: BLE001 - an expression's or a script's failure, named
        raise ValidationFailed(f"the output parameters of {task.task_spec.bpmn_id} cannot "
                               f"be evaluated: {exc}") from exc


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
    outputs = _outputs(task)
    _complete_guarded(workflow, task.complete)
    share_with_conditions(workflow, {**result, **outputs})


def refresh_timers(workflow: BpmnWorkflow) -> None:
    workflow.refresh_timers()


RESTART = "_vocflow_restart"  # call activities to start again on the next advance


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
    share_with_conditions(workflow, values)  # first: it tells a create from an update
    for task in tasks:
        task.data.update(values)

