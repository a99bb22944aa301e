"""Camunda 7 compensation on SpiffWorkflow: remember compensable work, run its handlers.

SpiffWorkflow 3.2 knows no compensation. Here:
- the parser (engine.bpmn.parser) marks each activity that has a compensation boundary
  event with its handler (`extensions[HANDLER]`), parses the handlers (isForCompensation
  activities, never reached by a flow) as unconnected specs of every enclosing scope, and
  makes compensation throw events (and cancel end events of a transaction that holds
  compensable work) CompensateThrowEvent / CompensateEndEvent;
- `arm` hooks the completion of marked activities (and of embedded subprocesses) when a
  spec is loaded: each completion is written to a ledger kept beside the task tree (the
  top workflow's `__dict__[LEDGER]`, stored with the state by engine.bpmn.codec), so
  pruning the tree (engine.bpmn.prune) loses none of it;
- a throw event waits while it runs the handlers of its scope one after the other, newest
  completion first (Camunda's waitForCompletion="true"), each as a child task of the
  throw event, with the event's data; then it goes on (a cancel end event then cancels the
  transaction, whose cancel boundary event is taken).
A completed embedded subprocess hands its ledger to its parent scope: compensating the
parent compensates it, inner work newest first. A subprocess with a compensation event
subprocess (normalized into a handler of the subprocess) is compensated by that handler.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.defaults import EndEvent, IntermediateThrowEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

HANDLER = "vocflow:compensationHandler"  # on a compensable activity's spec: its handler
EMBEDDED = "vocflow:embedded"  # on an embedded subprocess's spec (not a call activity)
EVENT_SUBPROCESS = "vocflow:eventSubprocess"  # on an event subprocess's spec
THROW = "vocflow:compensate"  # on a throw event's spec: {"activity": ref or None, "cancel"}
LEDGER = "_vocflow_compensation"  # {"seq": n, "scopes": {scope key: [entry, ...]}}
_QUEUE = "compensation_queue"  # on the throwing task: entries still to compensate
_RUNNING = "compensation_running"  # on the throwing task: the id of the running handler
_STARTED = "compensation_started"
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def ledger(workflow: Any) -> dict[str, Any]:
    """The compensation ledger of a top workflow (created empty)."""
    found: dict[str, Any] = workflow.__dict__.setdefault(LEDGER, {"seq": 0, "scopes": {}})
    return found


def restore_ledger(workflow: Any, stored: dict[str, Any] | None) -> None:
    if stored:
        workflow.__dict__[LEDGER] = stored


def stored_ledger(workflow: Any) -> dict[str, Any] | None:
    found: dict[str, Any] | None = workflow.__dict__.get(LEDGER)
    return found if found and (found["scopes"] or found["seq"]) else None


def _scope_key(workflow: Any) -> str:
    """"" for the top workflow, else the id of the task that runs the subprocess."""
    parent = getattr(workflow, "parent_task_id", None)
    return "" if parent is None else str(parent)


def _record(workflow: Any, task: Task) -> None:
    """A compensable activity (or one instance of it) completed: write it to the ledger."""
    spec = task.task_spec
    book = ledger(workflow.top_workflow)
    book["seq"] += 1
    entry: dict[str, Any] = {"seq": book["seq"], "element": spec.bpmn_id,
                             "handler": spec.extensions[HANDLER], "via": []}
    parent = task.parent
    if parent is not None and isinstance(parent.task_spec, MultiInstanceTask):
        item = parent.task_spec.input_item
        if item is not None and item.bpmn_id in task.data:
            entry["item"] = {item.bpmn_id: task.data[item.bpmn_id]}
    book["scopes"].setdefault(_scope_key(task.workflow), []).append(entry)


def _subprocess_done(workflow: Any, task: Task) -> None:
    """An embedded subprocess completed: its scope's entries now belong to the parent."""
    book = workflow.top_workflow.__dict__.get(LEDGER)
    if book is None:
        return
    inner = book["scopes"].pop(str(task.id), [])
    if not inner:
        return
    ext = getattr(task.task_spec, "extensions", None) or {}
    if not ext.get(EMBEDDED):
        return  # a called process, or a handler: never compensated from here
    target = book["scopes"].setdefault(_scope_key(task.workflow), [])
    for entry in inner:
        entry["via"] = [task.task_spec.bpmn_id, *entry["via"]]
    if HANDLER in ext and target:  # compensated as a whole by its own handler, which may
        target[-1]["inner"] = inner  # compensate the work inside by a throw of its own
        return
    target.extend(inner)


def arm(spec: Any) -> None:
    """Hook completions of the spec's compensable activities and embedded subprocesses."""
    for task_spec in spec.task_specs.values():
        ext = getattr(task_spec, "extensions", None) or {}
        if HANDLER in ext and not isinstance(task_spec, SubWorkflowTask):
            callback = _record
        elif isinstance(task_spec, SubWorkflowTask):
            callback = _subprocess_or_handled
        else:
            continue
        if not task_spec.completed_event.is_connected(callback):
            task_spec.completed_event.connect(callback)


def _subprocess_or_handled(workflow: Any, task: Task) -> None:
    if HANDLER in (getattr(task.task_spec, "extensions", None) or {}):
        _record(workflow, task)
    _subprocess_done(workflow, task)


def _interrupted(workflow: Any) -> Any | None:
    """The (sub)workflow an event subprocess runs in, if this workflow is one."""
    parent_id = getattr(workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    parent = workflow.top_workflow.get_task_from_id(parent_id)
    if parent is not None and (getattr(parent.task_spec, "extensions", None) or {}).get(
            EVENT_SUBPROCESS):
        return parent.workflow
    return None


def _scope_data(workflow: Any) -> dict[str, Any]:
    """What the tokens of a scope hold, newest last (else what its last task held)."""
    live = sorted(workflow.get_tasks(state=_LIVE), key=lambda t: t.last_state_change)
    if not live and workflow.last_task is not None:
        live = [workflow.last_task]
    data: dict[str, Any] = {}
    for token in live:
        data.update(deepcopy(token.data))
    return data


def _take(task: Task, activity: str | None) -> list[dict[str, Any]]:
    """The entries the throw compensates, newest first, taken out of the ledger.

    A throw in an event subprocess compensates the scope the event subprocess is in.
    """
    book = ledger(task.workflow.top_workflow)
    outer = _interrupted(task.workflow)
    key = _scope_key(task.workflow if outer is None else outer)
    scope = book["scopes"].get(key, [])
    chosen = [e for e in scope
              if activity is None or e["element"] == activity or activity in e["via"]]
    book["scopes"][key] = [e for e in scope if e not in chosen]
    return sorted(chosen, key=lambda e: e["seq"], reverse=True)


def _cancel_others(task: Task) -> None:
    """A cancel end event first ends what else runs in the transaction (Camunda does)."""
    ancestors = set()
    node = task.parent
    while node is not None:
        ancestors.add(node.id)
        node = node.parent
    for other in task.workflow.get_tasks(state=_LIVE):
        if other is not task and other.id not in ancestors and not other.has_state(
                TaskState.FINISHED_MASK):
            other.cancel()


class _Compensating:
    """Mixin for throw and end events: compensate first, then do what the event does."""

    extensions: dict[str, Any]

    def _update_hook(self, my_task: Task) -> bool | None:
        if not my_task.internal_data.get(_STARTED):
            if not super()._update_hook(my_task):  # type: ignore[misc]
                return None
            settings = self.extensions.get(THROW, {})
            if settings.get("cancel"):
                _cancel_others(my_task)
            my_task.internal_data[_STARTED] = True
            my_task.internal_data[_QUEUE] = _take(my_task, settings.get("activity"))
        return self._next_handler(my_task)

    def _next_handler(self, my_task: Task) -> bool | None:
        running = my_task.internal_data.get(_RUNNING)
        if running is not None:
            child = my_task.workflow.tasks.get(UUID(running))
            if child is not None and not child.has_state(TaskState.FINISHED_MASK):
                return self._wait(my_task)
            if child is not None and child.state == TaskState.COMPLETED:
                DeepMerge.merge(my_task.data, child.data)
            my_task.internal_data.pop(_RUNNING)
        queue: list[dict[str, Any]] = my_task.internal_data.get(_QUEUE, [])
        if not queue:
            return True
        entry = queue.pop(0)
        self._wait(my_task)
        handler = my_task.workflow.spec.task_specs[entry["handler"]]
        child = my_task._add_child(handler, TaskState.WAITING)
        child.triggered = True
        my_task.internal_data[_RUNNING] = str(child.id)
        if entry.get("inner"):  # what a throw inside this handler subprocess compensates
            ledger(my_task.workflow.top_workflow)["scopes"][str(child.id)] = entry["inner"]
        outer = _interrupted(my_task.workflow)
        if outer is not None:  # as Camunda's handler sees the variables of its scope
            my_task.data.update(_scope_data(outer))
        handler._update(child)  # inherits the event's data; READY, or it waits itself
        child.data.update(entry.get("item") or {})
        if child.has_state(TaskState.FINISHED_MASK):  # pragma: no cover - a handler ends
            return self._next_handler(my_task)  # only when run
        return None

    @staticmethod
    def _wait(my_task: Task) -> None:
        if my_task.state != TaskState.WAITING:
            my_task._set_state(TaskState.WAITING)


class CompensateThrowEvent(_Compensating, IntermediateThrowEvent):  # type: ignore[misc]
    """An intermediate compensation throw event (activityRef in extensions[THROW])."""


class CompensateEndEvent(_Compensating, EndEvent):  # type: ignore[misc]
    """A compensation end event, or a transaction's cancel end event that compensates."""
