"""Event subprocesses as Camunda 7 runs them.

SpiffWorkflow 3.2 starts an event subprocess beside the rest of its scope whether its
start event is interrupting or not. Camunda 7 interrupts: once an interrupting event
subprocess starts, every other activity of its scope is cancelled (its waiting events and
the other event subprocesses too), and the scope ends when the event subprocess ends.

A message or signal event subprocess of the process is not a waiting task until its event
arrives (SpiffWorkflow keeps it as a trigger of the start task): `trigger_subscriptions`
lists it so that the instance can be found by the message's or signal's name, until an
interrupting event subprocess has taken over.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.compensation import EVENT_SUBPROCESS

NON_INTERRUPTING = "nonInterrupting"  # spec extension of a start event with isInterrupting=false


def _is_event_subprocess(spec: Any) -> bool:
    # restored as a CallActivity; the compensation parser marks it (engine.bpmn.compensation)
    return bool((getattr(spec, "extensions", None) or {}).get(EVENT_SUBPROCESS))


def _interrupting(start_spec: Any) -> bool:
    return not (getattr(start_spec, "extensions", None) or {}).get(NON_INTERRUPTING)


def _event_subprocess_task(task: Task) -> Task | None:
    """The event subprocess task whose start event `task` is, else None."""
    if not isinstance(task.task_spec, StartEvent):
        return None
    workflow = task.workflow
    parent_id = getattr(workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    owner = workflow.top_workflow.get_task_from_id(parent_id)
    return owner if _is_event_subprocess(owner.task_spec) else None


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
        if other.has_state(TaskState.PREDICTED_MASK):
            continue
        if not other.has_state(TaskState.FINISHED_MASK):
            other.cancel()
    for other in others:
        if (other.id in owner.workflow.tasks and other.has_state(TaskState.PREDICTED_MASK)
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


def interrupted(workflow: BpmnWorkflow) -> bool:
    """An interrupting event subprocess of the process has started: no other may start."""
    for task in workflow.tasks.values():
        if _is_event_subprocess(task.task_spec) and not task.has_state(
                TaskState.PREDICTED_MASK):
            sub = workflow.subprocesses.get(task.id)
            if sub is not None and any(
                    isinstance(t.task_spec, StartEvent) and _interrupting(t.task_spec)
                    and t.has_state(TaskState.COMPLETED) for t in sub.tasks.values()):
                return True
    return False


def trigger_starts(workflow: BpmnWorkflow) -> list[Any]:
    """Start event specs of the process's message and signal event subprocesses that are
    not running now and may still start (none when the instance ended or was interrupted)."""
    if (not workflow.spec.start.trigger_specs or workflow.is_completed()
            or interrupted(workflow)):
        return []
    starts = []
    for name in workflow.spec.start.trigger_specs:
        sp_spec = workflow.subprocess_specs.get(name)
        if sp_spec is None:
            continue
        for start in sp_spec.bpmn_start_events:
            if _waiting_in_running(workflow, start.name):
                continue  # its running instance already waits and lists it
            starts.append(start)
    return starts


def _waiting_in_running(workflow: BpmnWorkflow, spec_name: str) -> bool:
    return any(sp.get_next_task(state=TaskState.WAITING, spec_name=spec_name) is not None
               for sp in workflow.subprocesses.values())
