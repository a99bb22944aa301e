"""Event subprocesses as Camunda 7 runs them.

SpiffWorkflow 3.2 starts an event subprocess beside the rest of its scope whether its
start event is interrupting or not. Camunda 7 interrupts: once an interrupting event
subprocess starts, every other activity of its scope is cancelled (its waiting events and
the other event subprocesses too), and the scope ends when the event subprocess ends.

A scope also ends once all that is left in it is event subprocesses waiting for their
start (a non-interrupting timer, a cycle between occurrences): Camunda removes their
subscriptions as the scope ends; SpiffWorkflow would wait for them for ever.

Which event subprocesses start on a message, signal, error or escalation, and where:
engine.bpmn.event_subprocess_starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compensation import EVENT_SUBPROCESS

NON_INTERRUPTING = "nonInterrupting"  # spec extension of a start event with isInterrupting=false
INITIATOR = "initiator"  # spec extension of a start event: its camunda:initiator variable


def _is_event_subprocess(spec: Any) -> bool:
    # restored as a CallActivity; the compensation parser marks it (engine.bpmn.compensation)
    return bool((getattr(spec, "extensions", None) or {}).get(EVENT_SUBPROCESS))


_PENDING = TaskState.PREDICTED_MASK | TaskState.FUTURE  # not reached yet


def _interrupting(start_spec: Any) -> bool:
    return not (getattr(start_spec, "extensions", None) or {}).get(NON_INTERRUPTING)


def _event_subprocess_task(task: Task) -> Task | None:
    """The event subprocess task whose start event `task` is, else None."""
    if not isinstance(task.task_spec, StartEvent):
        return None
    owner = _owner(task.workflow)
    return owner if owner is not None and _is_event_subprocess(owner.task_spec) else None


def completed(task: Task) -> None:
    """Called by advance() as each task completes."""
    interrupt_scope(task)
    end_idle_scope(task)


def interrupt_scope(task: Task) -> None:
    """Called as each task completes: an interrupting event subprocess's start event that
    has just run cancels everything else in the scope the event subprocess is in (a cycle
    timer start, which adds its path while it waits, calls it as it fires)."""
    owner = _event_subprocess_task(task)
    if owner is None or not _interrupting(task.task_spec):
        return
    keep = {id(t) for t in _ancestors(owner)} | {id(owner)}
    others = [t for t in owner.workflow.tasks.values()
              if id(t) not in keep and not t.has_state(TaskState.FINISHED_MASK)
              and not _descends_from(t, owner)]
    # Deepest first, so each live task is cancelled itself (a subprocess's workflow too);
    # what is only predicted goes from the tree, as SpiffWorkflow drops it on a cancel.
    for other in sorted(others, key=lambda t: t.depth, reverse=True):
        if other.has_state(_PENDING):
            continue
        if not other.has_state(TaskState.FINISHED_MASK):
            other.cancel()
    for other in others:
        if (other.id in owner.workflow.tasks and other.has_state(_PENDING)
                and (other.parent is None or other.parent.has_state(TaskState.FINISHED_MASK))):
            owner.workflow._remove_task(other.id)


def interrupt_by_cycle(task: Task) -> None:
    """A cycle timer's occurrence on an interrupting event subprocess start: it interrupts
    once, as in Camunda (the cycle is over; the start event completes at its next look)."""
    if _event_subprocess_task(task) is None or not _interrupting(task.task_spec):
        return
    task.internal_data.pop("event_value", None)
    task.internal_data["event_fired"] = True
    interrupt_scope(task)


def _ancestors(task: Task) -> Iterator[Task]:
    parent = task.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _descends_from(task: Task, ancestor: Task) -> bool:
    return any(a is ancestor for a in _ancestors(task))


def end_idle_scope(task: Task) -> None:
    """A path that reaches the end of its scope (or of an event subprocess in it): when all
    else left in the scope is event subprocesses waiting for their start, they are cancelled
    and the scope ends."""
    workflow = task.workflow
    if not any(isinstance(child.task_spec, _EndJoin) for child in task.children):
        return
    _end_if_idle(workflow)
    owner = _owner(workflow)
    if owner is not None and _is_event_subprocess(owner.task_spec):
        _end_if_idle(owner.workflow)


def _owner(workflow: Any) -> Task | None:
    parent_id = getattr(workflow, "parent_task_id", None)
    return None if parent_id is None else workflow.top_workflow.get_task_from_id(parent_id)


def _end_if_idle(workflow: Any) -> None:
    idle, ends = [], []
    for other in workflow.tasks.values():
        if other.has_state(TaskState.FINISHED_MASK) or other.has_state(_PENDING):
            continue
        if isinstance(other.task_spec, _EndJoin):
            ends.append(other)
        elif _is_event_subprocess(other.task_spec) and _waits_to_start(other):
            idle.append(other)
        elif other.parent is not None:  # Root and Start are the scope's own, not work
            return
    if not idle or not ends:
        return
    for waiting in idle:
        waiting.cancel()
    for join in ends:
        if not join.has_state(TaskState.FINISHED_MASK):
            join.task_spec._update(join)


def armed_only(task: Task) -> bool:
    """An event subprocess that has not started (only its start events wait), or such a
    waiting start event: Camunda shows neither as an activity instance, only as the
    scope's event subscription or job, until the event comes."""
    if _is_event_subprocess(task.task_spec):
        return task.state == TaskState.STARTED and _waits_to_start(task)
    if isinstance(task.task_spec, StartEvent) and task.state == TaskState.WAITING:
        owner = _event_subprocess_task(task)
        return owner is not None and _waits_to_start(owner)
    return False


def _waits_to_start(owner: Task) -> bool:
    """Nothing runs in the event subprocess: only its start events wait (and its end)."""
    sub = owner.workflow.top_workflow.subprocesses.get(owner.id)
    if sub is None:
        return True
    for task in sub.tasks.values():
        if task.has_state(TaskState.FINISHED_MASK) or task.has_state(_PENDING):
            continue
        if isinstance(task.task_spec, _EndJoin) or task.parent is None:
            continue
        if not (isinstance(task.task_spec, StartEvent) and task.state == TaskState.WAITING):
            return False
    return True


def interrupted(scope: Any) -> bool:
    """An interrupting event subprocess of this scope has started: no other may start."""
    subprocesses = scope.top_workflow.subprocesses
    for task in scope.tasks.values():
        if _is_event_subprocess(task.task_spec) and not task.has_state(_PENDING):
            sub = subprocesses.get(task.id)
            if sub is not None and any(
                    isinstance(t.task_spec, StartEvent) and _interrupting(t.task_spec)
                    and t.has_state(TaskState.COMPLETED) for t in sub.tasks.values()):
                return True
    return False
