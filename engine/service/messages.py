"""Messages and signals between instances: correlate, start by message, broadcast signals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.errors import MessageNotCorrelated
from engine.models import ProcessInstance
from engine.service.actors import SYSTEM, SYSTEM_ACTOR, Actor
from engine.service.instances import start_instance
from engine.service.runtime import (
    advance_and_save,
    load_workflow,
    lock_instance,
    on_save,
    open_incident,
    record,
)
from engine.uow import UnitOfWork


def _matches(uow: UnitOfWork, instance: ProcessInstance, business_key: str | None,
             correlation_keys: dict[str, Any] | None) -> bool:
    if business_key is not None and instance.business_key != business_key:
        return False
    if correlation_keys:
        values = bpmn.variables(load_workflow(uow, instance))
        return all(values.get(k) == v for k, v in correlation_keys.items())
    return True


def _actor(actor: Actor | str, kind: str) -> Actor:
    """The engine routes its own events as "system"; anyone else needs the permission."""
    who = SYSTEM_ACTOR if actor == SYSTEM else actor
    if not isinstance(who, Actor):
        raise TypeError("actor must be an Actor or 'system'")
    authz.require_correlate(who, kind)
    return who


def _candidates(uow: UnitOfWork, kind: str, name: str, exclude: str | None,
                actor: Actor) -> list[str]:
    """Waiting instances the actor may reach, in ascending id order (the lock order)."""
    ids = [i for i in uow.events.waiting_for(kind, name) if i != exclude]
    if authz.is_ops(actor):
        return ids
    return [i for i in ids
            if (row := uow.instances.get(i)) is not None and authz.sees_instance(actor, row)]


def _deliver(uow: UnitOfWork, instance: ProcessInstance, kind: str, name: str,
             variables: dict[str, Any] | None, actor: str, now: datetime,
             task_id: str | None = None) -> bool:
    workflow = load_workflow(uow, instance)
    if not bpmn.deliver(workflow, kind, name, dict(variables or {}), task_id):
        return False
    if variables:
        bpmn.update_active_data(workflow, dict(variables))
    record(uow, instance.id, actor, f"{kind}_received", now,
           data={"name": name, "variables": variables or {}})
    advance_and_save(uow, instance, workflow, actor, now)
    return True


def correlate_message(
    uow: UnitOfWork, name: str, actor: Actor | str, now: datetime, *,
    business_key: str | None = None, correlation_keys: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None, process_instance_id: str | None = None,
    exclude_instance: str | None = None, every: bool = False, one_catch: bool = True,
    catch_task: str | None = None,
) -> list[str]:
    """Deliver a message to the one catch waiting for it, or start one by message.

    Camunda's correlate is for exactly one execution: MessageNotCorrelated when none waits
    and no definition starts on it, or when more than one catch matches (in several
    instances, or two in one instance). Not `one_catch` (a message an instance threw):
    every catch of the one matching instance is reached, as a message flow reaches its
    participant. With `catch_task` (one waiting catch's task id) the message goes there
    alone, when that task waits for it. With `every` (Camunda's correlateAll, REST
    "all": true) it reaches each matching instance, every catch in it, and starts an
    instance of each process with a message start event for it; none at all is no error.
    """
    starter = _actor(actor, "message")
    who = starter.username
    ids = _candidates(uow, "message", name, exclude_instance, starter)
    if process_instance_id is not None:
        ids = [i for i in ids if i == process_instance_id]
    matching = []
    for instance_id in ids:  # ascending: the lock order for several instances
        instance = lock_instance(uow, instance_id)
        if instance.status == "running" and _matches(uow, instance, business_key,
                                                     correlation_keys):
            matching.append(instance)
    if every:
        reached = [i.id for i in matching
                   if _deliver(uow, i, "message", name, variables, who, now)]
        if process_instance_id is None:
            reached += _start_by_message(uow, name, starter, now, business_key, variables,
                                         every=True)
        return reached
    catches = (sum(_catches(uow, i.id, name) for i in matching)
               if one_catch and catch_task is None else len(matching))
    if catches > 1:
        raise MessageNotCorrelated(
            f"Cannot correlate a message with name '{name}' to a single execution. "
            f"{catches} executions match the correlation keys"
            + (f" (in {len(matching)} instances)" if len(matching) > 1 else
               f" (instance {matching[0].id})")
            + "; give a business key, correlation keys or a process instance id, or "
            "correlate to all of them (\"all\": true)",
            details={"instances": [i.id for i in matching], "executions": catches})
    if matching and _deliver(uow, matching[0], "message", name, variables, who, now,
                             catch_task):
        return [matching[0].id]
    if process_instance_id is None:
        started = _start_by_message(uow, name, starter, now, business_key, variables)
        if started:
            return started[:1]
    raise MessageNotCorrelated(
        f"no instance waits for message '{name}'"
        + (f" with business key '{business_key}'" if business_key else "")
        + " and no deployed process starts on it",
        details={"message": name, "business_key": business_key})


def _catches(uow: UnitOfWork, instance_id: str, name: str) -> int:
    """How many waiting catches of this message an instance has (Camunda: executions)."""
    return max(1, len(uow.events.subscriptions(instance_id, "message", name, 100)))


def _start_by_message(uow: UnitOfWork, name: str, actor: Actor, now: datetime,
                      business_key: str | None, variables: dict[str, Any] | None,
                      every: bool = False) -> list[str]:
    """Start by message with the same checks as a direct start (start_instance's): the
    first process that starts on it, or (every) each of them."""
    started = []
    for definition in uow.definitions.list(kind="process", latest_only=True):
        if name not in (definition.message_starts or []) or definition.suspended:
            continue
        starts = bpmn.event_start_ids(definition.source_xml, definition.key, "message", name)
        instance = start_instance(uow, definition.id, actor, now,
                                  variables=dict(variables or {}), business_key=business_key,
                                  past_start_event=False,
                                  start_event=starts[0] if starts else None)
        if _deliver(uow, instance, "message", name, variables, actor.username, now):
            started.append(instance.id)
            if not every:
                break
    return started


def broadcast_signal(uow: UnitOfWork, name: str, actor: Actor | str, now: datetime, *,
                     variables: dict[str, Any] | None = None,
                     exclude_instance: str | None = None) -> list[str]:
    """Deliver a signal to every running instance in reach waiting for it (none is fine),
    and start an instance of each process with a signal start event for it (Camunda's)."""
    sender = _actor(actor, "signal")
    who = sender.username
    reached = []
    for instance_id in _candidates(uow, "signal", name, exclude_instance, sender):
        instance = lock_instance(uow, instance_id)
        if instance.status == "running" and _deliver(uow, instance, "signal", name,
                                                     variables, who, now):
            reached.append(instance.id)
    return reached + _start_by_signal(uow, name, sender, now, variables)


def _start_by_signal(uow: UnitOfWork, name: str, actor: Actor, now: datetime,
                     variables: dict[str, Any] | None) -> list[str]:
    """Start by signal with the same checks as a direct start (start_instance's)."""
    started = []
    for definition in uow.definitions.list(kind="process", latest_only=True):
        if definition.suspended or name not in bpmn.signal_starts(definition.source_xml,
                                                                  definition.key):
            continue
        starts = bpmn.event_start_ids(definition.source_xml, definition.key, "signal", name)
        instance = start_instance(uow, definition.id, actor, now,
                                  variables=dict(variables or {}), past_start_event=False,
                                  start_event=starts[0] if starts else None)
        if _deliver(uow, instance, "signal", name, variables, actor.username, now):
            started.append(instance.id)
    return started


@on_save
def route_thrown_events(uow: UnitOfWork, instance: ProcessInstance,
                        events: list[bpmn.ThrownEvent], now: datetime) -> None:
    """Route what an instance threw and could not catch itself to other instances.

    A message nobody waits for opens an incident on the thrower: ops see it, nothing drops.
    """
    for event in events:
        payload = event.payload if isinstance(event.payload, dict) else (
            {} if event.payload is None else {"message_payload": event.payload})
        if event.kind == "signal":
            broadcast_signal(uow, event.name, "system", now, exclude_instance=instance.id)
            continue
        try:
            correlate_message(uow, event.name, "system", now,
                              business_key=instance.business_key, variables=payload,
                              exclude_instance=instance.id, one_catch=False)
        except MessageNotCorrelated as exc:
            open_incident(uow, instance, "message_not_correlated", exc.message, now,
                          element_id=event.element_id)
