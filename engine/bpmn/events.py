"""Events that cross an instance's boundary: thrown messages/signals, waits, timer starts."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import StartEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import (
    MessageEventDefinition as BpmnMessageEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.catches import event_catches
from engine.bpmn.conditional_events import pass_start
from engine.bpmn.event_subprocess_starts import trigger_starts
from engine.bpmn.event_subprocesses import INITIATOR
from engine.bpmn.workflow import DEEP, find_task

_PAST = "2000-01-01T00:00:00+00:00"


@dataclass(frozen=True)
class ThrownEvent:
    """A message or signal the instance threw and nothing inside it caught."""

    kind: str
    name: str
    payload: Any = None
    correlations: dict[str, Any] = field(default_factory=dict)
    element_id: str | None = None  # the throw event or send task, where it is known


@dataclass(frozen=True)
class Subscription:
    """A WAITING catch of a message, signal or condition (intermediate, boundary or event
    subprocess start); a conditional one has no name ("")."""

    kind: str
    name: str
    element_id: str | None
    correlations: dict[str, Any] = field(default_factory=dict)


def _kind(definition: Any) -> str | None:
    if isinstance(definition, BpmnMessageEventDefinition):
        return "message"
    if isinstance(definition, SignalEventDefinition):
        return "signal"
    return None


def take_thrown_events(workflow: BpmnWorkflow) -> list[ThrownEvent]:
    """Messages and signals thrown but not caught inside; reading clears SpiffWorkflow's list."""
    result = []
    for event in workflow.get_events():
        kind = _kind(event.event_definition)
        if kind is None:
            continue
        payload = event.payload
        if isinstance(payload, dict) and "payload" in payload and "result_var" in payload:
            payload = payload["payload"]  # the Camunda flavour wraps camunda:expression
        result.append(ThrownEvent(kind, event.event_definition.name, payload,
                                  dict(event.correlations or {}),
                                  _thrower(workflow, event.event_definition)))
    return result


def _thrower(workflow: BpmnWorkflow, definition: Any) -> str | None:
    """The element that threw this event: the one whose spec holds this very definition
    (SpiffWorkflow's event does not say which task threw it; a throw passes its own)."""
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "event_definition", None) is definition:
                return str(task_spec.bpmn_id) if task_spec.bpmn_id else None
    return None


def waiting_subscriptions(workflow: BpmnWorkflow) -> list[Subscription]:
    """What the instance waits on: its waiting catches (an armed conditional event
    subprocess start among them) and the message and signal event subprocesses' starts."""
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING, max_depth=DEEP):
        found.extend(subscriptions_of(task.task_spec, workflow.correlations, conditional=True))
    for start in trigger_starts(workflow):
        found.extend(subscriptions_of(start, workflow.correlations))
    return found


def subscriptions_of(spec: Any, correlations: dict[str, Any] | None, *,
                     conditional: bool = False) -> list[Subscription]:
    """The message and signal subscriptions of a waiting task (one per catch event), and
    with `conditional` its conditional ones (Camunda lists them, with no event name)."""
    found = []
    for definition, element_id in event_catches(spec):
        kind = _kind(definition)
        if kind is not None:
            found.append(Subscription(kind, definition.name, element_id,
                                      dict(correlations or {})))
        elif conditional and isinstance(definition, ConditionalEventDefinition):
            found.append(Subscription("conditional", "", element_id))
    return found


def deliver(workflow: BpmnWorkflow, kind: str, name: str, payload: Any = None,
            task_id: str | None = None) -> bool:
    """Hand a message or signal to a workflow; False when nothing in it waits for that.
    A message with `task_id` goes to that waiting catch alone when it catches it (Camunda's
    messageEventReceived on one execution), else to every catch of it."""
    definition: Any
    if kind == "message":
        definition = MessageEventDefinition(name)
        # The Camunda flavour wraps the payload; a correlation property's messagePath is
        # evaluated on the wrapper, so the variables are also there at its top level.
        top = dict(payload) if isinstance(payload, dict) else {}
        return _send(workflow, definition, {**top, "payload": payload, "result_var": None},
                     task_id)
    definition = SignalEventDefinition(name)
    try:
        workflow.send_event(BpmnEvent(definition, payload=payload))
    except WorkflowException:
        return False
    return True


def _send(workflow: BpmnWorkflow, definition: Any, wrapper: dict[str, Any],
          task_id: str | None = None) -> bool:
    """Send a message. Camunda correlates by name and ignores BPMN correlation properties:
    a property the message's variables lack is read as null (tried again with it), so the
    message still reaches its catch; one that fails otherwise does not correlate (False)."""
    for _ in range(_MISSING_PROPERTIES):
        try:
            # The instance was chosen by name (and business key): its own correlation
            # values go with the message, so SpiffWorkflow's key check agrees.
            event = BpmnEvent(definition, payload=dict(wrapper),
                              correlations=deepcopy(workflow.correlations or {}))
            if task_id is None or not _catch_at(workflow, event, task_id):
                workflow.send_event(event)
        except WorkflowException:
            return False
        except NameError as exc:  # engine.expressions.UnknownProperty: which one
            if not exc.name or exc.name in wrapper:
                return False
            wrapper[exc.name] = _Absent()
            continue
        except (AttributeError, KeyError, TypeError, ValueError):
            return False
        return True
    return False


_MISSING_PROPERTIES = 8  # correlation properties one message may lack


def _catch_at(workflow: BpmnWorkflow, event: BpmnEvent, task_id: str) -> bool:
    """The event caught by that waiting task alone (SpiffWorkflow's EventManager.catch,
    for one task); False if it does not wait for it."""
    for task in list(workflow.event_manager.tasks.values()):
        if str(task.id) == task_id and task.task_spec.catches(task, event):
            task.task_spec.catch(task, event)
            task.task_spec._update(task)
            return True
    return False


class _Absent(dict[str, Any]):
    """A variable the message lacks, as a correlation property reads it: null, and so is
    any property of it (`order.id`). Stored, it is an empty dict."""

    def __getattr__(self, name: str) -> None:
        return None


def pass_start_timer(workflow: BpmnWorkflow) -> None:
    """Let a timer start event go at once: our timer_start job already decided it is due.

    Without this the start event would evaluate its own timer (a Quartz cron cannot be read
    by SpiffWorkflow, and a cycle would repeat inside the one instance).
    """
    for task in workflow.get_tasks(state=TaskState.ANY_MASK, max_depth=DEEP):
        spec = task.task_spec
        event = getattr(spec, "event_definition", None)
        if isinstance(spec, StartEvent) and isinstance(event, TimerEventDefinition):
            if isinstance(event, CycleTimerEventDefinition):
                # One cycle left, already due: Spiff adds the outgoing path once, then
                # marks the event fired (event_fired alone would end without a path).
                task._set_internal_data(event_value={"cycles": 1, "next": _PAST,
                                                     "duration": 0})
            else:
                task._set_internal_data(event_value=_PAST, event_fired=True)


def initiator_names(workflow: BpmnWorkflow, element_id: str | None = None) -> list[str]:
    """The camunda:initiator variables of the process's start events (of `element_id`
    alone, when given): Camunda sets each to the user who starts the instance."""
    names = []
    for spec in workflow.spec.task_specs.values():
        name = (getattr(spec, "extensions", None) or {}).get(INITIATOR)
        if name and isinstance(spec, StartEvent) and element_id in (None, spec.bpmn_id):
            names.append(str(name))
    return sorted(set(names))


def pass_rest_start(workflow: BpmnWorkflow, element_id: str | None = None, *,
                    fire: bool = True) -> bool:
    """A start over REST of a process without a none start event: go past its first start event.

    Camunda starts such a process at its (message, timer, signal, conditional) start event
    as if it had fired; SpiffWorkflow would wait for the event. With `element_id`, the
    instance starts at that start event, whatever the others are (POST /condition's start
    at the conditional start event that holds); with `fire=False` as well, the others are
    cancelled and that one waits for the event about to be delivered (a start by message or
    signal). True if a start event was passed.
    """
    starts = [t for t in workflow.get_tasks(state=TaskState.ANY_MASK, max_depth=DEEP)
              if t.workflow is workflow and isinstance(t.task_spec, StartEvent)
              and t.parent is not None
              and (t.parent.task_spec.name == "Start" or isinstance(t.parent.task_spec,
                                                                    StartEventSplit))]
    if element_id is not None:
        starts = sorted(starts, key=lambda t: t.task_spec.bpmn_id != element_id)
        if not starts or starts[0].task_spec.bpmn_id != element_id:
            raise WorkflowException(f"no start event '{element_id}' in the process")
        if not fire:
            for other in starts[1:]:
                other.cancel()
            return False
    else:
        plain = [t for t in starts if isinstance(t.task_spec.event_definition,
                                                 NoneEventDefinition)]
        if plain:  # Camunda starts there alone: the other start events start other instances
            for other in starts:
                if other is not plain[0]:
                    other.cancel()
            return False
        if not starts:
            return False
    first = starts[0]
    _fire(first, first.task_spec.event_definition)
    for other in starts[1:]:
        other.cancel()
    return True


def _fire(task: Any, event: Any) -> None:
    """Mark a waiting start event as caught, with no payload (what a REST start carries)."""
    if isinstance(event, CycleTimerEventDefinition):
        task._set_internal_data(event_value={"cycles": 1, "next": _PAST, "duration": 0})
    elif isinstance(event, TimerEventDefinition):
        task._set_internal_data(event_value=_PAST, event_fired=True)
    elif isinstance(event, MultipleEventDefinition):
        for sub in event.event_definitions:
            event.catch(task, BpmnEvent(sub, payload=_empty_payload(sub)))
    elif isinstance(event, BpmnMessageEventDefinition | SignalEventDefinition):
        event.catch(task, BpmnEvent(event, payload=_empty_payload(event)))
    elif isinstance(event, ConditionalEventDefinition):
        pass_start(task)  # it reads its condition again as it is reached: holds, this once
    else:
        task._set_internal_data(event_fired=True)


def _empty_payload(event: Any) -> Any:
    if isinstance(event, MessageEventDefinition):  # Camunda's: stored under its result var
        return {"payload": None, "result_var": "_rest_start"}
    return None


def parse_duration(text: str) -> dict[str, float]:
    """An ISO-8601 duration as {years, months, weeks, days, hours, minutes, seconds} parts."""
    parsed: dict[str, float] = TimerEventDefinition.parse_iso_duration(text)
    return parsed


def task_variables(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
    """A copy of one task's data (what an external-task handler gets to read)."""
    return dict(find_task(workflow, task_id).data)
