"""Event subprocesses that start on a message, signal, error or escalation, in any scope.

SpiffWorkflow 3.2 keeps such an event subprocess as a trigger of its scope's start task
and starts it only for an event that reaches the top of the process with no target: one
inside an embedded subprocess (or a called process) never starts, and an error thrown
inside a scope never reaches the process's own one through SpiffWorkflow's search up the
scopes. `ScopedEventManager` starts it in the scope where Camunda 7 would: an event from
outside (a message, a signal) in every running scope that has one; an error or escalation
thrown inside, in the nearest enclosing scope that catches it.

Conditional starts are put in place eagerly (`arm_conditional_starts`): each running
scope with a conditional event subprocess keeps its start waiting, whose condition
conditional_events.refresh_conditions reads after each step and variable change, as
Camunda evaluates it when the scope starts and on each variable event.

`trigger_starts` lists these start events for a running instance, so that it can be found
by a message's or signal's name, except in a scope that an interrupting event subprocess
has taken over. `prepare_triggers` wires such an event subprocess to its scope's end once,
as the spec is restored: SpiffWorkflow would connect it on the first trigger, changing the
spec that every instance of the definition shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.util.event import EventManager
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.conditional_events import arming, mark_armed_start
from engine.bpmn.event_subprocesses import NON_INTERRUPTING, interrupted

_THROWN_INSIDE = "_vocflow_thrown_inside"  # on a BpmnEvent thrown with a target scope


class ScopedEventManager(EventManager):  # type: ignore[misc]
    """SpiffWorkflow's event manager, with event subprocesses started in every scope."""

    def catch(self, event: BpmnEvent, internal: bool = True) -> int:
        target = event.target
        if target is None:
            if not getattr(event, _THROWN_INSIDE, False):
                # from outside, or thrown to all: every running scope hears it
                for scope in _scopes(self.workflow, nested_only=True):
                    _instance(scope, event)  # its start now waits; the catch below finds it
        else:
            setattr(event, _THROWN_INSIDE, True)  # as it climbs, it stays on its way out
            if (target is not self.workflow and not self._waits_in(target, event)
                    and not interrupted(target)):
                start = _instance(target, event)
                if start is not None:
                    start.task_spec.catch(start, event)
                    start.task_spec._update(start)
                    return 1
        count: int = super().catch(event, internal)
        return count

    def _waits_in(self, workflow: Any, event: BpmnEvent) -> bool:
        return any(t.workflow == workflow and t.task_spec.event_definition.catches(t, event)
                   for t in self.tasks.values())


def use_scoped_events(workflow: BpmnWorkflow) -> None:
    """Give a new or restored workflow the scoped event manager (before its tasks load)."""
    manager = ScopedEventManager(workflow)
    manager.tasks = workflow.event_manager.tasks
    workflow.event_manager = manager


def _scopes(workflow: BpmnWorkflow, nested_only: bool = False) -> Iterator[Any]:
    """Running scopes (the process, its subprocesses) with event subprocesses by trigger."""
    candidates = [] if nested_only else [workflow]
    candidates += list(workflow.subprocesses.values())
    for scope in candidates:
        if scope.spec.start.trigger_specs and not scope.is_completed() and not interrupted(scope):
            yield scope


def _starts(scope: Any) -> Iterator[tuple[str, Any]]:
    top = scope.top_workflow
    for name in scope.spec.start.trigger_specs:
        sp_spec = top.subprocess_specs.get(name)
        if sp_spec is not None:
            for start in sp_spec.bpmn_start_events:
                yield name, start


def _instance(scope: Any, event: BpmnEvent) -> Task | None:
    """The waiting start event, in `scope`, of an event subprocess that starts on this event:
    one already waiting, else one started for it; None if no event subprocess there does."""
    for name, start in _starts(scope):
        if start.event_definition != event.event_definition:
            continue
        waiting = _waiting_start(scope, start.name)
        if waiting is not None:
            return waiting
        child_id = scope.spec.start.trigger_wf(scope.task_tree, name)
        owner = scope.get_task_from_id(child_id)
        owner.task_spec._predict(owner, mask=TaskState.NOT_FINISHED_MASK)  # its path to the end
        sub = scope.top_workflow.subprocesses.get(child_id)
        if sub is not None:
            return _waiting_start(sub, start.name, own=True)
    return None


def _waiting_start(scope: Any, spec_name: str, own: bool = False) -> Task | None:
    subs = [scope] if own else [
        sp for sp in scope.top_workflow.subprocesses.values()
        if sp.parent_task_id is not None and sp.parent_task_id in scope.tasks]
    for sp in subs:
        task = sp.get_next_task(state=TaskState.WAITING, spec_name=spec_name)
        if task is not None:
            return task
    return None


def trigger_starts(workflow: BpmnWorkflow) -> list[Any]:
    """Start event specs of the event subprocesses, in every running scope, that start by
    trigger and are not waiting already (none in a scope that was interrupted)."""
    if workflow.is_completed():
        return []
    found = []
    for scope in _scopes(workflow):
        for _name, start in _starts(scope):
            if _waiting_start(scope, start.name) is None:
                found.append(start)
    return found


def scope_chain_starts(workflow: Any) -> list[Any]:
    """Start event specs by trigger of this scope and the scopes around it, nearest first."""
    found: list[Any] = []
    scope = workflow
    while scope is not None:
        if scope.spec.start.trigger_specs and not interrupted(scope):
            found += [start for _name, start in _starts(scope)]
        scope = getattr(scope, "parent_workflow", None)
    return found


def prepare_triggers(spec: Any) -> None:
    """Wire each event subprocess that starts by trigger into its scope's end (once)."""
    start, end = spec.start, spec.end
    for name in start.trigger_specs:
        esp = spec.task_specs.get(name)
        if esp is None or start.name in esp._inputs:
            continue
        esp._inputs.append(start.name)  # what trigger_wf checks, without a path from start
        if end.name not in esp._outputs:
            esp._outputs.append(end.name)
            end._inputs.append(esp.name)


def _conditional_starts(workflow: BpmnWorkflow) -> bool:
    """Any subprocess of the definition starts on a condition (a look at specs, not tasks)."""
    return any(isinstance(start.event_definition, ConditionalEventDefinition)
               for spec in workflow.subprocess_specs.values()
               for start in spec.bpmn_start_events)


_ARMED = "vocflow_armed_conditional_starts"  # on a scope's root task: start names armed


def arm_conditional_starts(workflow: BpmnWorkflow,
                           variables: Callable[[], dict[str, Any]]) -> None:
    """Put the start of each conditional event subprocess in place, waiting, in every
    running scope that has none waiting: the first time as the scope runs, then again
    after a non-interrupting one fired (an interrupting one ends its scope's other work)."""
    if not _conditional_starts(workflow) or workflow.is_completed():
        return
    values: dict[str, Any] | None = None
    for scope in list(_scopes(workflow)):
        for name, start in _starts(scope):
            if (not isinstance(start.event_definition, ConditionalEventDefinition)
                    or _waiting_start(scope, start.name) is not None):
                continue
            armed = scope.task_tree.internal_data.setdefault(_ARMED, [])
            again = start.name in armed
            if again and not (start.extensions or {}).get(NON_INTERRUPTING):
                continue  # an interrupting one fires once in its scope
            # read before the start is put in place: its new tokens hold older data
            values = variables() if values is None else values
            with arming():
                child_id = scope.spec.start.trigger_wf(scope.task_tree, name)
                owner = scope.get_task_from_id(child_id)
                owner.task_spec._predict(owner, mask=TaskState.NOT_FINISHED_MASK)
            sub = scope.top_workflow.subprocesses.get(child_id)
            waiting = _waiting_start(sub, start.name, own=True) if sub is not None else None
            if waiting is None:
                continue
            if not again:
                armed.append(start.name)
            mark_armed_start(waiting, values, again)
