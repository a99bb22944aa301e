"""Task listeners that run when a user task's assignee changes or the task is deleted.

Camunda fires `assignment` after `create` whenever the assignee is set or changed (an
assignee expression at creation, claim, unclaim, setAssignee, delegate) and `delete` when
the task ends without completion (an interrupting boundary event, a cancelled instance,
a modification). VocFlow keeps the assignee in its task table, so these listeners are
kept on the task spec (extensions["taskListeners"]) and run by the service that changes
the task, on the loaded workflow, before it is saved. A listener sees the task's
variables and `task` (engine.expressions.DelegateTask); what it sets goes to the open
task's data (assignment) or to every active token (delete: the task is gone).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import javascript
from engine.bpmn.listener_specs import RUNTIME_EVENTS
from engine.bpmn.task_views import ASSIGNED
from engine.bpmn.workflow import DEEP, find_task, update_active_data, variables
from engine.errors import NotFound, ScriptError
from engine.expressions import DelegateTask

__all__ = ["RUNTIME_EVENTS", "fire", "listeners_of", "placed_listener"]


def _specs(spec_pair: Any) -> Iterator[Any]:
    """The process spec and every subprocess spec of a workflow (or a (spec, subs) pair)."""
    if isinstance(spec_pair, BpmnWorkflow):
        spec, subs = spec_pair.spec, spec_pair.subprocess_specs
    else:
        spec, subs = spec_pair
    yield spec
    yield from (subs or {}).values()


def _task_spec(spec_pair: Any, element_id: str) -> TaskSpec | None:
    for spec in _specs(spec_pair):
        found = spec.task_specs.get(element_id)
        if found is not None:
            return found
    return None


def listeners_of(spec_pair: Any, element_id: str | None, event: str) -> list[dict[str, Any]]:
    """The listeners of this event on the element (on any element when element_id is None)."""
    if element_id is None:
        return [item for spec in _specs(spec_pair) for item in _all_of(spec, event)]
    found = _task_spec(spec_pair, element_id)
    return _own(found, event) if found is not None else []


_ALL: weakref.WeakKeyDictionary[Any, dict[str, list[dict[str, Any]]]] = (
    weakref.WeakKeyDictionary())  # process spec -> event -> its listeners (specs never change)


def _all_of(spec: Any, event: str) -> list[dict[str, Any]]:
    """Every listener of `event` in one process spec, computed once per spec (every save
    asks whether there are delete listeners at all)."""
    found = _ALL.get(spec)
    if found is None:
        found = {}
        for task_spec in spec.task_specs.values():
            for item in (getattr(task_spec, "extensions", None) or {}).get("taskListeners", ()):
                found.setdefault(item.get("event"), []).append(item)
        _ALL[spec] = found
    return found.get(event, [])


def _own(spec: TaskSpec, event: str) -> list[dict[str, Any]]:
    ext = getattr(spec, "extensions", None) or {}
    return [item for item in ext.get("taskListeners", ()) if item.get("event") == event]


def fire(workflow: BpmnWorkflow, facts: Mapping[str, Any], event: str) -> None:
    """Run the element's listeners of `event` for one task (facts: id, element id, name,
    assignee, owner, instance id, business key). Raises ScriptError naming the element."""
    element_id = str(facts["taskDefinitionKey"])
    found = listeners_of(workflow, element_id, event)
    if not found:
        return
    task = None
    try:
        task = find_task(workflow, str(facts["id"]))
    except NotFound:
        pass
    open_task = task is not None and task.state == TaskState.READY
    data: dict[str, Any] = task.data if open_task and task is not None else dict(
        task.data if task is not None else variables(workflow))
    before = dict(data)
    for n, listener in enumerate(found):
        delegate = DelegateTask({**facts, "eventName": event}, data)
        try:
            _run(workflow, listener, data, delegate, facts)
            if delegate.assigned()[0]:
                raise ValueError("task.setAssignee() is honoured only in a create listener")
        except Exception as exc:  # designer code: any failure names the listener
            raise ScriptError(
                f"task listener '{event}' #{n + 1} of user task '{element_id}' failed: {exc}",
                details={"element_id": element_id, "event": event}) from exc
        data.update(delegate.changes())
    if not open_task:
        changed = {k: v for k, v in data.items() if k not in before or before[k] is not v}
        if changed:
            update_active_data(workflow, changed)


def _run(workflow: BpmnWorkflow, listener: Mapping[str, Any], data: dict[str, Any],
         delegate: DelegateTask, facts: Mapping[str, Any]) -> None:
    env = workflow.script_engine.environment
    source = listener.get("source") or ""
    if listener.get("kind") == "expression":
        changes: dict[str, Any] = {}
        env.evaluate(source, data, {"task": delegate, "_vf_set": changes,
                                    "_vf_event": delegate.eventName,
                                    "_vf_instance_id": facts.get("processInstanceId")})
        data.update(changes)
    elif (listener.get("format") or "python") in javascript.FORMATS:
        javascript.execute(source, data, task=task_props(delegate))
    else:
        env.execute(source, data, {"task": delegate})


def task_props(delegate: DelegateTask) -> dict[str, Any]:
    """What a JavaScript listener's `task` shows (plain values only: it goes in as JSON)."""
    names = ("id", "name", "assignee", "owner", "eventName", "taskDefinitionKey",
             "processInstanceId", "businessKey", "priority", "dueDate")
    return {name: _plain(getattr(delegate, name)) for name in names}


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def open_user_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """The READY user tasks (for the delete listeners of an instance being cancelled)."""
    return list(workflow.get_tasks(state=TaskState.READY, manual=True, max_depth=DEEP))


def _find_listened(task: Task, element_id: str) -> Task | None:
    """The user task a placed listener script belongs to: just after it (create), before
    it (complete), or beside it under its boundary split (timeout)."""
    below = list(task.children)
    for _ in range(2):  # the task itself, or under its boundary event split
        for child in below:
            if child.task_spec.bpmn_id == element_id:
                return child
        below = [grandchild for child in below for grandchild in child.children]
    current = task.parent
    while current is not None:
        if current.task_spec.bpmn_id == element_id:
            return current
        for child in current.children:
            if child.task_spec.bpmn_id == element_id:
                return child
        current = current.parent
    return None


def placed_listener(task: Task) -> tuple[DelegateTask, Task | None] | None:
    """`task` for a placed create/complete/timeout listener script, and its user task."""
    marker = (getattr(task.task_spec, "extensions", None) or {}).get("taskListener")
    if not marker:
        return None
    event, _, element_id = str(marker).partition(":")
    listened = _find_listened(task, element_id)
    spec = _task_spec(task.workflow.top_workflow, element_id)
    facts = {"id": str(listened.id) if listened is not None else None,
             "name": getattr(spec, "bpmn_name", None), "taskDefinitionKey": element_id,
             "eventName": event, "businessKey": task.data.get("business_key")}
    return DelegateTask(facts, task.data), listened


def after_placed(task: Task, delegate: DelegateTask, listened: Task | None,
                 before: Mapping[str, Any]) -> None:
    """Apply what a placed listener script set: setVariable() writes to its own data, and,
    for a timeout listener, everything it changed to the still open user task as well."""
    task.data.update(delegate.changes())
    assigned, assignee = delegate.assigned()
    if assigned:
        if (listened is None or listened is task
                or listened.has_state(TaskState.FINISHED_MASK | TaskState.READY)):
            raise ValueError("task.setAssignee() is honoured only in a create listener")
        listened.internal_data[ASSIGNED] = assignee  # a create listener: the task to be
    if listened is not None and listened is not task and listened.state == TaskState.READY:
        listened.data.update({k: v for k, v in task.data.items()
                              if k not in before or before[k] is not v})
