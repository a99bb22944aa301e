"""Load an instance's workflow under its row lock, advance it, and save it with projections."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine import bpmn, specs
from engine.bpmn.snapshot import snapshot
from engine.errors import InvalidState, NotFound
from engine.models import Incident, ProcessDefinition, ProcessInstance
from engine.service import task_events
from engine.service.activity_runs import record_runs
from engine.service.actors import Actor
from engine.service.call_binding import late_binder
from engine.service.decision_log import record_step
from engine.service.projection import (
    TaskChanges,
    scope_values,
    sync_jobs,
    sync_subscriptions,
    sync_user_tasks,
)
from engine.uow import UnitOfWork

DEFAULT_RETRIES = 3
RECORD_BATCH = 16  # pruned activities kept in the state before one INSERT writes them
SaveHook = Callable[[UnitOfWork, ProcessInstance, list[bpmn.ThrownEvent], datetime], None]
_SAVE_HOOKS: list[SaveHook] = []


def on_save(hook: SaveHook) -> SaveHook:
    """Register work that follows every save: routing of thrown messages and signals."""
    if hook not in _SAVE_HOOKS:
        _SAVE_HOOKS.append(hook)
    return hook


def record(
    uow: UnitOfWork, instance_id: str | None, actor: Actor | str | None, action: str,
    now: datetime, *, element_id: str | None = None, task_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append one history event."""
    name = actor.username if isinstance(actor, Actor) else actor
    uow.history.append(
        instance_id=instance_id, at=now, actor=name, action=action,
        element_id=element_id, task_id=task_id, data=_jsonable(data or {}),
    )


def reason_data(reason: str | None) -> dict[str, str]:
    """{"reason": ...} when the operator gave one: the history keeps who, what and why."""
    text = (reason or "").strip()
    return {"reason": text} if text else {}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def past_activities(uow: UnitOfWork, instance_id: str, workflow: Any) -> list[dict[str, Any]]:
    """Activities pruned from the tree, oldest first: the table's, then the state's."""
    return [*uow.history.activities_for(instance_id), *bpmn.shown(bpmn.pending(workflow))]


def lock_instance(uow: UnitOfWork, instance_id: str) -> ProcessInstance:
    instance = uow.instances.get_for_update(instance_id)
    if instance is None:
        raise NotFound(f"process instance {instance_id} does not exist")
    return instance


def require_active(instance: ProcessInstance) -> None:
    if instance.status == "suspended":
        raise InvalidState(f"process instance {instance.id} is suspended")
    if instance.status in ("completed", "terminated"):
        raise InvalidState(f"process instance {instance.id} has ended ({instance.status})")


def _definition_lookup(uow: UnitOfWork) -> Any:
    def lookup(definition_id: str) -> ProcessDefinition:
        row = uow.definitions.get(definition_id)
        if row is None:
            raise NotFound(f"process definition {definition_id} does not exist")
        return row
    return lookup


def workflow_specs(uow: UnitOfWork, definition: ProcessDefinition,
                   bindings: dict[str, str]) -> specs.SpecPair:
    return specs.specs_for(definition, bindings, _definition_lookup(uow))


def instance_specs(uow: UnitOfWork, instance: ProcessInstance) -> specs.SpecPair:
    """The (cached) specs an instance runs on, without loading its state."""
    bindings = instance.bindings or {}
    pair = specs.cached(instance.definition_id, bindings)
    if pair is None:
        pair = workflow_specs(uow, _definition_lookup(uow)(instance.definition_id), bindings)
    return pair


def load_workflow(uow: UnitOfWork, instance: ProcessInstance) -> Any:
    bindings = instance.bindings or {}
    pair = specs.cached(instance.definition_id, bindings)  # definitions never change
    if pair is None:
        definition = _definition_lookup(uow)(instance.definition_id)
        pair = workflow_specs(uow, definition, bindings)
    spec, subprocesses = pair
    workflow = bpmn.WORKFLOWS.take(instance.id, instance.version, instance.state_json)
    if workflow is None or workflow.spec is not spec:
        workflow = bpmn.load_state(instance.state_json, spec, subprocesses)
    bpmn.bind_late(workflow, late_binder(uow, instance.definition_id, bindings))
    return workflow


def advance_and_save(
    uow: UnitOfWork, instance: ProcessInstance, workflow: Any, actor: Actor | str,
    now: datetime, *, retries: int = DEFAULT_RETRIES,
) -> bpmn.StepFailure | None:
    """Run engine steps; a failure leaves its task in ERROR and opens an incident."""
    failure = bpmn.advance(workflow)
    save(uow, instance, workflow, actor, now, retries=retries)
    if failure is not None:
        open_incident(uow, instance, "failed_task", failure.message, now,
                      element_id=failure.element_id, task_id=failure.task_id,
                      line=failure.line, error_line=failure.error_line,
                      traceback=failure.traceback)
    return failure


def save(
    uow: UnitOfWork, instance: ProcessInstance, workflow: Any, actor: Actor | str,
    now: datetime, *, retries: int = DEFAULT_RETRIES,
) -> None:
    records = bpmn.pending(workflow)
    records += [activity.as_record() for activity in bpmn.prune(workflow)]
    snap = snapshot(workflow)  # one walk of the task tree serves every projection
    row: dict[str, Any] = {}  # instance columns to write
    changes = TaskChanges(keep_gone_rows=task_events.has(workflow, None, "delete"))
    problems = sync_user_tasks(uow, instance, snap, now, row, changes)
    task_events.after_sync(uow, instance, workflow, changes)
    sync_jobs(uow, instance, snap, now, retries, row)
    for element_id, message in problems:
        open_incident(uow, instance, "assignment", message, now, element_id=element_id)
    sync_subscriptions(uow, instance, snap, row)
    record_runs(uow, instance, workflow, snap.tasks, now)
    record_step(uow, instance, workflow, actor, now)
    thrown = bpmn.take_thrown_events(workflow)  # taken before dump: routed once, not stored
    row["state_json"] = state = bpmn.dump_state(workflow)
    row["serializer_version"] = bpmn.SERIALIZER_VERSION
    row.update(scope_values(snap.variables()))
    if snap.is_completed() and instance.status != "completed":
        row.update(status="completed", ended_at=now)
        record(uow, instance.id, actor, "instance_completed", now)
    if len(records) >= RECORD_BATCH or (records and row.get("status") == "completed"):
        uow.history.append_activities(instance.id, records)
        records.clear()
    row["stall_reason"] = snap.stall_reason()
    if late := bpmn.late_bound(workflow):  # callees bound when their call activity was reached
        row["bindings"] = {**(instance.bindings or {}), **late}
    uow.instances.update_columns(
        instance, {k: v for k, v in row.items() if getattr(instance, k) != v}, uow.history)
    uow.flush()  # anything else: jobs, subscriptions, incidents, a new instance
    uow.after_commit(lambda: _keep(instance, state, workflow))
    for hook in _SAVE_HOOKS:
        hook(uow, instance, thrown, now)


def _keep(instance: ProcessInstance, state: str, workflow: Any) -> None:
    """After the commit: hold the workflow for the next step, if the row still has its state."""
    if instance.state_json == state:
        bpmn.WORKFLOWS.put(instance.id, instance.version, state, workflow)


def open_incident(
    uow: UnitOfWork, instance: ProcessInstance, kind: str, message: str, now: datetime,
    **fields: Any,
) -> Incident:
    incident = Incident(id=str(uuid.uuid4()), instance_id=instance.id, kind=kind,
                        message=message, created_at=now, **fields)
    uow.incidents.add(incident)
    record(uow, instance.id, "system", "incident_opened", now,
           element_id=fields.get("element_id"), data={"incident_id": incident.id,
                                                      "message": message})
    return incident
