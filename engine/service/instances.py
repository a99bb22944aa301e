"""Use cases on whole instances: start, show, suspend, resume, terminate, set variables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.bpmn.snapshot import snapshot
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import HistoryEvent, HumanTask, Incident, Job, ProcessDefinition, ProcessInstance
from engine.service import task_events
from engine.service.activity_runs import record_runs
from engine.service.actors import Actor
from engine.service.call_binding import bind_calls, late_binder
from engine.service.runtime import (
    DEFAULT_RETRIES,
    advance_and_save,
    load_workflow,
    lock_instance,
    past_activities,
    reason_data,
    record,
    require_active,
    workflow_specs,
)
from engine.uow import UnitOfWork

RESERVED_VARIABLES = ("initiator",)


def resolve_definition(uow: UnitOfWork, key_or_id: str) -> ProcessDefinition:
    """A definition id (key:version:uuid) or a key, which means its newest version."""
    definition = uow.definitions.get(key_or_id) if ":" in key_or_id else None
    if definition is None:
        definition = uow.definitions.latest(key_or_id)
    if definition is None or definition.kind != "process":
        raise NotFound(f"no process definition '{key_or_id}' is deployed")
    return definition


def start_instance(
    uow: UnitOfWork, key_or_id: str, actor: Actor, now: datetime, *,
    variables: dict[str, Any] | None = None, business_key: str | None = None,
    retries: int = DEFAULT_RETRIES, past_start_event: bool = True,
    start_event: str | None = None,
) -> ProcessInstance:
    """Create an instance and run it to its first wait state.

    Without a none start event, the instance starts past its first start event, as Camunda
    does (`past_start_event=False` when a correlated message is about to start it);
    `start_event` starts it at that start event alone: past it (a conditional start that
    holds), or waiting there with `past_start_event=False` (a start by message or signal).
    """
    definition = resolve_definition(uow, key_or_id)
    if definition.suspended:
        raise InvalidState(f"process definition {definition.id} is suspended")
    variables = dict(variables or {})
    bad = [k for k in variables if not str(k).isidentifier() or str(k).startswith("_")]
    if bad:
        raise ValidationFailed(f"invalid variable names: {', '.join(map(str, bad))}",
                               details={"variables": bad})
    unit_id = variables.get("unit_id") or (actor.unit_ids[0] if len(actor.unit_ids) == 1
                                            else None)
    unit = uow.product.unit(str(unit_id)) if unit_id else None
    authz.start_scope(actor, variables, unit.province_code if unit else None)
    variables["initiator"] = actor.username
    if business_key is not None:
        variables.setdefault("business_key", business_key)
    bindings = bind_calls(uow, definition)
    spec, subprocesses = workflow_specs(uow, definition, bindings)
    workflow = bpmn.new_workflow(spec, subprocesses)
    for name in bpmn.initiator_names(workflow, start_event):  # camunda:initiator="name"
        variables[name] = actor.username  # who started it: not a value the caller chooses
    bpmn.bind_late(workflow, late_binder(uow, definition.id, bindings))
    bpmn.set_start_variables(workflow, variables)
    if start_event is not None:
        bpmn.pass_rest_start(workflow, start_event, fire=past_start_event)
    elif past_start_event:
        bpmn.pass_rest_start(workflow)
    instance = ProcessInstance(
        id=str(uuid.uuid4()), definition_id=definition.id, process_key=definition.key,
        business_key=business_key, status="running", serializer_version="",
        state_json="", bindings=bindings, started_by=actor.username, started_at=now,
    )
    uow.instances.add(instance)
    record(uow, instance.id, actor, "instance_started", now,
           data={"definition_id": definition.id, "variables": variables,
                 "business_key": business_key})
    uow.flush()
    advance_and_save(uow, instance, workflow, actor, now, retries=retries)
    return instance


def get_instance(uow: UnitOfWork, instance_id: str, actor: Actor) -> ProcessInstance:
    """An instance in the actor's scope; NotFound otherwise (nothing leaks)."""
    instance = uow.instances.get_scoped(instance_id, authz.scope_filter(actor))
    if instance is None:
        raise NotFound(f"process instance {instance_id} does not exist")
    return instance


@dataclass(frozen=True)
class InstanceDetail:
    instance: ProcessInstance
    variables: dict[str, Any]
    tasks: list[HumanTask]
    jobs: list[Job]
    incidents: list[Incident]
    history: list[HistoryEvent]
    activities: list[dict[str, Any]]


def show_instance(uow: UnitOfWork, instance_id: str, actor: Actor) -> InstanceDetail:
    """An instance in scope with its variables, tasks, jobs, incidents and history."""
    instance = get_instance(uow, instance_id, actor)
    workflow = load_workflow(uow, instance)
    return InstanceDetail(
        instance=instance,
        variables=bpmn.variables(workflow),
        tasks=list(uow.tasks.for_instance(instance_id)),
        jobs=list(uow.jobs.for_instance(instance_id)),
        incidents=list(uow.incidents.list(open_only=False, instance_id=instance_id)),
        history=list(uow.history.for_instance(instance_id)),
        activities=[*past_activities(uow, instance_id, workflow),
                    *bpmn.activity_states(workflow)],
    )


def suspend_instance(uow: UnitOfWork, instance_id: str, actor: Actor, now: datetime,
                     reason: str | None = None) -> ProcessInstance:
    """Nothing advances while suspended: tasks cannot be completed, jobs are not run."""
    _require_ops_or_starter(uow, instance_id, actor)
    instance = lock_instance(uow, instance_id)
    require_active(instance)
    instance.status = "suspended"
    record(uow, instance.id, actor, "instance_suspended", now, data=reason_data(reason))
    uow.flush()
    return instance


def resume_instance(uow: UnitOfWork, instance_id: str, actor: Actor, now: datetime,
                    reason: str | None = None) -> ProcessInstance:
    _require_ops_or_starter(uow, instance_id, actor)
    instance = lock_instance(uow, instance_id)
    if instance.status != "suspended":
        raise InvalidState(f"process instance {instance_id} is not suspended")
    instance.status = "running"
    record(uow, instance.id, actor, "instance_resumed", now, data=reason_data(reason))
    uow.flush()
    return instance


def terminate_instance(uow: UnitOfWork, instance_id: str, actor: Actor, now: datetime,
                       reason: str | None = None, *,
                       run_listeners: bool = True) -> ProcessInstance:
    _require_ops_or_starter(uow, instance_id, actor)
    instance = lock_instance(uow, instance_id)
    if instance.status in ("completed", "terminated"):
        raise InvalidState(f"process instance {instance_id} has already ended")
    workflow = load_workflow(uow, instance)
    tasks = uow.tasks.for_instance(instance.id)
    if run_listeners:  # the open tasks' delete listeners (Camunda: unless skipped)
        task_events.before_cancel(uow, instance, workflow, tasks)
    workflow.cancel()
    uow.task_history.ended([task.id for task in tasks], now, "deleted")
    for task in tasks:
        uow.tasks.delete(task)
    for job in uow.jobs.for_instance(instance.id):
        uow.jobs.delete(job)
    instance.open_task_ids, instance.has_jobs = [], False  # what the projection now holds
    record_runs(uow, instance, workflow, snapshot(workflow).tasks, now)  # all canceled
    instance.state_json = bpmn.dump_state(workflow)
    instance.status = "terminated"
    instance.ended_at = now
    record(uow, instance.id, actor, "instance_terminated", now, data=reason_data(reason))
    uow.flush()
    return instance


def set_variables(uow: UnitOfWork, instance_id: str, values: dict[str, Any], actor: Actor,
                  now: datetime, reason: str | None = None) -> dict[str, Any]:
    """Ops edit of process variables (on every active token), recorded with a reason."""
    get_instance(uow, instance_id, actor)
    authz.require_ops(actor, "edit variables")
    instance = lock_instance(uow, instance_id)
    if instance.status in ("completed", "terminated"):
        raise InvalidState(f"process instance {instance_id} has ended")
    workflow = load_workflow(uow, instance)
    bpmn.update_active_data(workflow, values)
    record(uow, instance.id, actor, "variables_set", now,
           data={"values": values, **reason_data(reason)})
    if bpmn.has_waiting_conditions(workflow):  # a conditional event may hold now: run on
        advance_and_save(uow, instance, workflow, actor, now)
    else:
        record_runs(uow, instance, workflow, snapshot(workflow).tasks, now)  # seeded (old)
        instance.state_json = bpmn.dump_state(workflow)
    uow.flush()
    return bpmn.variables(workflow)


def instance_history(uow: UnitOfWork, instance_id: str, actor: Actor
                     ) -> Sequence[HistoryEvent]:
    """Who did what and when on an instance in scope, oldest first."""
    get_instance(uow, instance_id, actor)
    return uow.history.for_instance(instance_id)


def instance_variables(uow: UnitOfWork, instance_id: str, actor: Actor) -> dict[str, Any]:
    """The variables of an instance in scope (active tokens merged)."""
    return bpmn.variables(load_workflow(uow, get_instance(uow, instance_id, actor)))


def _require_ops_or_starter(uow: UnitOfWork, instance_id: str, actor: Actor) -> None:
    authz.require_manage_instance(actor, get_instance(uow, instance_id, actor))
