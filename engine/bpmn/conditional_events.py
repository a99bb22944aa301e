"""Conditional events, as Camunda 7 runs them: a waiting conditional catch (intermediate or
boundary) fires as soon as its condition holds, whatever changed the variables.

SpiffWorkflow 3.2 evaluates a conditional event's condition only when the event is
reached: one that does not hold then waits for ever. Here every waiting conditional event
is looked at again after each step and after an edit of the variables. A condition that
fails to evaluate on a later look (a variable it reads is gone) counts as not holding: it
was already checked when the event was reached, where a failure is an incident.

A non-interrupting conditional boundary event stays armed while its activity runs
(boundary_rearm): each re-armed copy is looked at again only when a later change of the
variables reaches it (a task's completion values, an external task's result, an edit of
the variables; with camunda:variableName, a change of that variable), as Camunda
evaluates it on each variable event, so a condition that keeps holding fires once per
change, never on its own.

camunda:variableName and camunda:variableEvents ("create", "update", "delete", comma
separated) limit the changes that make any waiting conditional event look again, as in
Camunda: once looked at where it was reached, it is looked at again only after a change
of that variable, of one of those kinds (a value set that the waiting token did not hold
is a create, one it held an update, a deleted one a delete).

Conditional start events: Camunda evaluates them on POST /condition only, with the
variables it is given, and starts an instance at each one that holds; a start by id or key
goes past such a start event without looking at its condition (events.pass_rest_start).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.errors import ValidationFailed
from engine.expressions import UnknownProperty


def _waiting(workflow: BpmnWorkflow) -> list[Any]:
    return [task for task in workflow.event_manager.tasks.values()
            if task.state == TaskState.WAITING
            and isinstance(getattr(task.task_spec, "event_definition", None),
                           ConditionalEventDefinition)]


def has_waiting_conditions(workflow: BpmnWorkflow) -> bool:
    return bool(_waiting(workflow))


def share_with_conditions(workflow: BpmnWorkflow, values: dict[str, Any]) -> None:
    """Values a task completes with are process variables in Camunda: the waiting
    conditional events see them too. SpiffWorkflow keeps data per token and, as any task
    completes, has each waiting task inherit its parent's data again: the values are kept
    beside the token (internal data) and laid over its data at each look."""
    if values:
        for task in _waiting(workflow):
            shared = task.internal_data.get(_SHARED, {})
            _note_changes(task, [(name, "update" if name in task.data or name in shared
                                  else "create") for name in values])
            task.internal_data[_SHARED] = {**shared, **values}


def forget_in_conditions(workflow: BpmnWorkflow, names: list[str]) -> None:
    """Variables deleted (Camunda's variable event 'delete'): the waiting conditional
    events no longer see them, and look at their condition again as after a change."""
    for task in _waiting(workflow):
        shared = task.internal_data.get(_SHARED)
        for name in names:
            if shared:
                shared.pop(name, None)
            task.data.pop(name, None)
        _note_changes(task, [(name, "delete") for name in names])


def _note_changes(task: Any, changes: list[tuple[str, str]]) -> None:
    """Remember what changed since the event was last looked at: the names, and each
    change's kind (Camunda's variable events)."""
    task.internal_data[_CHANGED] = sorted({*task.internal_data.get(_CHANGED, ()),
                                           *(name for name, _ in changes)})
    task.internal_data[_KINDS] = sorted({*task.internal_data.get(_KINDS, ()),
                                         *(f"{name}:{kind}" for name, kind in changes)})


def refresh_conditions(workflow: BpmnWorkflow) -> bool:
    """Fire the waiting conditional events whose condition now holds; True if any did."""
    fired = False
    for task in _waiting(workflow):
        task.data.update(task.internal_data.get(_SHARED, {}))
        try:
            holds = task.task_spec.event_definition.has_fired(task)
        except (SpiffWorkflowException, NameError, TypeError, ValueError, KeyError,
                AttributeError):
            continue  # see the module docstring
        finally:
            task.internal_data.pop(_CHANGED, None)  # looked at: the change is used up
            task.internal_data.pop(_KINDS, None)
            task.internal_data[_LOOKED] = True
        if holds:  # ready as it is: an update would inherit its parent's older data first
            task.internal_data.pop(_SHARED, None)
            task._ready()
            fired = True
    return fired


_SHARED = "vocflow_shared_variables"
_CHANGED = "vocflow_changed_variables"  # names set since the event was last looked at
_KINDS = "vocflow_changed_kinds"  # "name:create" / ":update" / ":delete" since then
_LOOKED = "vocflow_condition_looked_at"  # looked at once since it was reached
_REARMED = "vocflow_rearmed_condition"
VARIABLE_NAME = "conditionVariableName"  # spec extension: camunda:variableName
VARIABLE_EVENTS = "conditionVariableEvents"  # spec extension: camunda:variableEvents, a list


def mark_rearmed(task: Any, fired: Any) -> None:
    """A fresh copy of a fired non-interrupting conditional boundary event (boundary_rearm):
    it waits for a variable change before its condition is read again, and reads the
    variables the fired one saw (its parent's data is older), as shared values."""
    task.internal_data[_REARMED] = True
    task.internal_data[_SHARED] = dict(fired.data)


_ARMING: ContextVar[bool] = ContextVar("vocflow_arming_conditions", default=False)


@contextmanager
def arming() -> Iterator[None]:
    """While a conditional start is put in place (event_subprocess_starts), its condition
    is not read: the variables it reads are laid over it afterwards (mark_armed_start)."""
    token = _ARMING.set(True)
    try:
        yield
    finally:
        _ARMING.reset(token)


def mark_armed_start(task: Any, variables: dict[str, Any], again: bool) -> None:
    """A conditional event subprocess's start, just put in place in its scope: it reads the
    process variables; armed `again` (a non-interrupting one has fired there), it waits for
    a variable change as a re-armed boundary event does."""
    task.internal_data[_SHARED] = dict(variables)
    if again:
        task.internal_data[_REARMED] = True


def waits_for_change(task: Any, expression: str) -> bool:
    """True while evaluating the condition of a re-armed conditional boundary or event
    subprocess start that no variable change (of its camunda:variableName, when it has
    one) has reached since it was armed or last looked at, of a conditional event with
    camunda:variableName or camunda:variableEvents that no such change has reached since
    it was last looked at, or of a start being put in place: the condition counts as not
    holding."""
    event = getattr(task.task_spec, "event_definition", None)
    if not isinstance(event, ConditionalEventDefinition) or expression != event.expression:
        return False
    if _ARMING.get() and isinstance(task.task_spec, StartEvent):
        return True
    extensions = getattr(task.task_spec, "extensions", None) or {}
    wanted, kinds = extensions.get(VARIABLE_NAME), extensions.get(VARIABLE_EVENTS)
    if task.internal_data.get(_REARMED) is not True and not (
            task.internal_data.get(_LOOKED) is True and (wanted or kinds)):
        return False
    changed = task.internal_data.get(_CHANGED) or ()
    if not changed or (wanted is not None and wanted not in changed):
        return True
    if not kinds:
        return False
    seen = task.internal_data.get(_KINDS) or ()
    return not any(change.rpartition(":")[2] in kinds
                   and (wanted is None or change.rpartition(":")[0] == wanted)
                   for change in seen)


_PASSED = "vocflow_passed_start"


def pass_start(task: Any) -> None:
    """A conditional start event the instance starts at as if its condition held."""
    task.internal_data[_PASSED] = True


def passed_start(task: Any, expression: str) -> bool:
    """True while evaluating the condition of a start event passed by pass_start()."""
    event = getattr(task.task_spec, "event_definition", None)
    return (task.internal_data.get(_PASSED) is True
            and isinstance(event, ConditionalEventDefinition)
            and expression == event.expression)


def start_condition_holds(workflow: BpmnWorkflow, element_id: str,
                          values: dict[str, Any]) -> bool:
    """Whether the process's conditional start event `element_id` holds for `values`, in a
    workflow not yet started (it is used for the look only). A variable the condition reads
    and `values` lack makes it false, as in Camunda; any other failure is ValidationFailed
    naming the event."""
    task = next(t for t in workflow.get_tasks(state=TaskState.ANY_MASK)
                if t.workflow is workflow and isinstance(t.task_spec, StartEvent)
                and t.task_spec.bpmn_id == element_id)
    task.data = dict(values)
    try:
        return bool(task.task_spec.event_definition.has_fired(task))
    except SpiffWorkflowException as exc:
        if isinstance(exc.__cause__, UnknownProperty):
            return False
        cause = exc.__cause__
        why = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
        raise ValidationFailed(f"the condition of conditional start event '{element_id}' "
                               f"cannot be evaluated: {str(exc).strip()}{why}",
                               details={"activityId": element_id}) from exc
