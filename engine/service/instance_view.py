"""The instance picture: its diagrams with a state per element, the timeline, my actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.models import HistoryEvent, HumanTask, Incident, Job, ProcessDefinition
from engine.service.actors import Actor
from engine.service.diagrams import element_names, elements_of
from engine.service.runtime import load_workflow, past_activities
from engine.service.scopes import visible_instance
from engine.service.tasks import may_act
from engine.uow import UnitOfWork

# The strongest state wins when an element ran more than once (a loop, a retried task).
_RANK = {"incident": 6, "active": 5, "waiting_timer": 4, "waiting_message": 3, "waiting": 2,
         "done": 1}
_SPIFF = {"COMPLETED": "done", "READY": "active", "STARTED": "active", "ERROR": "incident",
          "WAITING": "waiting"}
_OUTCOME_KEYS = ("decision", "recommended", "rating", "acknowledged", "ranking")
_COMMENT_KEYS = ("reason", "override_reason", "remarks", "comment", "message")


@dataclass(frozen=True)
class ElementState:
    """state: done / active / waiting_timer (due_at, UTC) / waiting_message (message:
    'message:<name>') / waiting / incident (message: the incident's error); times: how
    many of the element's tokens reached a definite state; overdue: a timer past due."""

    element_id: str
    state: str
    due_at: datetime | None = None
    message: str | None = None
    times: int = 1
    overdue: bool = False


@dataclass(frozen=True)
class Diagram:
    """One BPMN diagram of the instance: the top process first, then each called one."""

    definition_id: str
    process_key: str
    xml: str
    states: Mapping[str, ElementState]


@dataclass(frozen=True)
class TimelineEntry:
    """One history event: who did what, when, on which element, with opinion / comment;
    reason: why an operator repaired, suspended or changed it (ops actions record one)."""

    at: datetime
    actor: str | None
    action: str
    element_id: str | None
    element_name: str | None
    task_id: str | None
    opinion: str | None
    comment: str | None
    outcome: Mapping[str, Any]
    reason: str | None = None


@dataclass(frozen=True)
class InstanceView:
    """instance_view's answer. xml / states: the top diagram (also diagrams[0]); actions:
    names of what the actor may do (claim, complete, unclaim, suspend, resume, terminate,
    retry_incident, resolve_incident, skip_task, move_token, set_variables, set_job_due_date,
    migrate); completable / claimable: task ids; variables only for ops (else None)."""

    instance_id: str
    process_key: str
    status: str
    definition_id: str
    xml: str
    states: Mapping[str, ElementState]
    diagrams: tuple[Diagram, ...]
    timeline: tuple[TimelineEntry, ...]
    tasks: tuple[HumanTask, ...]
    incidents: tuple[Incident, ...]
    actions: tuple[str, ...]
    completable: tuple[str, ...]
    claimable: tuple[str, ...]
    variables: Mapping[str, Any] | None


def _state(activity: dict[str, Any], timers: dict[str, Job], messages: dict[str, str],
           incidents: dict[str, Incident]) -> ElementState | None:
    element, state = activity["element_id"], _SPIFF.get(activity["state"])
    if state is None:
        return None
    if state == "incident" or (state == "active" and element in incidents):
        incident = incidents.get(element)
        return ElementState(element, "incident", message=incident.message if incident else None)
    if state == "waiting" and element in timers:
        return ElementState(element, "waiting_timer", due_at=timers[element].due_at)
    if state == "waiting" and element in messages:
        return ElementState(element, "waiting_message", message=messages[element])
    if state == "waiting" and activity["type"] == "CallActivity":
        return ElementState(element, "active")
    return ElementState(element, state)


def element_states(activities: list[dict[str, Any]], jobs: list[Job],
                   messages: dict[str, str], incidents: list[Incident], now: datetime
                   ) -> dict[str, ElementState]:
    """One state per element id from bpmn.activity_states and the instance's projections."""
    timers = {j.element_id: j for j in jobs if j.kind == "timer" and j.element_id}
    failing = {i.element_id: i for i in incidents if i.element_id and i.resolved_at is None}
    result: dict[str, ElementState] = {}
    for activity in activities:
        found = _state(activity, timers, messages, failing)
        if found is None:
            continue
        old = result.get(found.element_id)
        times = old.times + 1 if old else 1
        best = found if old is None or _RANK[found.state] >= _RANK[old.state] else old
        overdue = best.due_at is not None and best.due_at < now
        result[found.element_id] = ElementState(best.element_id, best.state, best.due_at,
                                                best.message, times, overdue)
    return result


def _entry(event: HistoryEvent, names: dict[str, str]) -> TimelineEntry:
    data = event.data or {}
    comment = next((str(data[k]) for k in _COMMENT_KEYS if data.get(k)), None)
    return TimelineEntry(
        at=event.at, actor=event.actor, action=event.action, element_id=event.element_id,
        element_name=names.get(event.element_id or ""), task_id=event.task_id,
        opinion=str(data["opinion"]) if data.get("opinion") else None, comment=comment,
        outcome={k: data[k] for k in _OUTCOME_KEYS if k in data},
        reason=str(data["reason"]) if data.get("reason") else None)


def _actions(actor: Actor, status: str, started_by: str | None, tasks: list[HumanTask],
             incidents: list[Incident], jobs: list[Job]) -> list[str]:
    names: list[str] = []
    if any(t.assignee is None and _claimable(actor, t) for t in tasks):
        names.append("claim")
    if any(may_act(actor, t) for t in tasks):
        names.append("complete")
    if any(t.assignee == actor.username for t in tasks):
        names.append("unclaim")
    ended = status in ("completed", "terminated")
    if not ended and (authz.is_ops(actor) or actor.username == started_by):
        names += ["resume"] if status == "suspended" else ["suspend"]
        names.append("terminate")
    if authz.is_ops(actor) and not ended:
        if incidents:
            names += ["retry_incident", "resolve_incident", "skip_task"]
        names += ["move_token", "set_variables", "migrate"]
        if any(j.kind == "timer" for j in jobs):
            names.append("set_job_due_date")
    return names


def _claimable(actor: Actor, task: HumanTask) -> bool:
    """What authz.require_claim lets through, for an unassigned task."""
    return authz.is_admin(actor) or authz.offered(actor, task)


def _definitions(uow: UnitOfWork, definition_id: str,
                 bindings: dict[str, str]) -> list[ProcessDefinition]:
    found = []
    for def_id in [definition_id, *sorted(bindings.values())]:
        definition = uow.definitions.get(def_id)
        if definition is not None and definition not in found:
            found.append(definition)
    return found


def _diagrams(definitions: list[ProcessDefinition],
              states: dict[str, ElementState]) -> tuple[Diagram, ...]:
    """The top diagram always; a called one when any of its elements has a state."""
    result: list[Diagram] = []
    claimed: set[str] = set()
    for index, definition in enumerate(definitions):
        ids = set(elements_of(definition)) - claimed
        mine = {k: v for k, v in states.items() if k in ids}
        claimed |= set(mine)
        if index == 0 or mine:
            result.append(Diagram(definition.id, definition.key, definition.source_xml, mine))
    return tuple(result)


def instance_view(uow: UnitOfWork, instance_id: str, actor: Actor,
                  now: datetime) -> InstanceView:
    """Everything the instance page draws, for an instance in the actor's scope (NotFound
    otherwise): diagrams with element states, the history timeline, the actor's actions."""
    instance = visible_instance(uow, instance_id, actor)
    workflow = load_workflow(uow, instance)
    tasks = list(uow.tasks.for_instance(instance.id))
    jobs = list(uow.jobs.for_instance(instance.id))
    incidents = list(uow.incidents.open_for(instance.id))
    # The pruned past first (activity records), then the live tree: later states win.
    activities = [*past_activities(uow, instance.id, workflow), *bpmn.activity_states(workflow)]
    states = element_states(activities, jobs,
                            uow.facts.subscribed_elements(instance.id), incidents, now)
    definitions = _definitions(uow, instance.definition_id, instance.bindings or {})
    names = element_names(definitions)
    diagrams = _diagrams(definitions, states)
    return InstanceView(
        instance_id=instance.id, process_key=instance.process_key, status=instance.status,
        definition_id=instance.definition_id, xml=diagrams[0].xml, states=diagrams[0].states,
        diagrams=diagrams,
        timeline=tuple(_entry(e, names) for e in uow.history.for_instance(instance.id)),
        tasks=tuple(tasks), incidents=tuple(incidents),
        actions=tuple(_actions(actor, instance.status, instance.started_by, tasks, incidents,
                               jobs)),
        completable=tuple(t.id for t in tasks if may_act(actor, t)),
        claimable=tuple(t.id for t in tasks if t.assignee is None and _claimable(actor, t)),
        variables=bpmn.variables(workflow) if authz.is_ops(actor) else None)
