"""Ops repair: retry or resolve an incident, skip a failed task, move a token.

Each takes the operator's `reason` and records it in the history event (who, what, reason),
which the instance timeline shows. The pages require one; /api/v1 and /engine-rest pass it
when the caller sends one (Camunda's REST API has no field for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import authz, bpmn
from engine.errors import InvalidState
from engine.models import Incident, ProcessInstance
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.runtime import (
    DEFAULT_RETRIES,
    advance_and_save,
    load_workflow,
    lock_instance,
    past_activities,
    reason_data,
    record,
    require_active,
)
from engine.uow import UnitOfWork


def _require_ops(actor: Actor) -> None:
    authz.require_ops(actor, "repair instances")


def list_incidents(uow: UnitOfWork, actor: Actor, *, open_only: bool = True,
                   instance_id: str | None = None) -> Sequence[Incident]:
    """Incidents of instances in the actor's scope."""
    return scopes.list_incidents(uow, actor, open_only=open_only, instance_id=instance_id)


def get_incident(uow: UnitOfWork, incident_id: str, actor: Actor) -> Incident:
    """An incident of an instance in the actor's scope; NotFound otherwise."""
    return scopes.visible_incident(uow, incident_id, actor)


def _close(incident: Incident, actor: Actor, now: datetime, resolution: str) -> None:
    incident.resolved_at = now
    incident.resolved_by = actor.username
    incident.resolution = resolution


def retry_incident(uow: UnitOfWork, incident_id: str, actor: Actor, now: datetime,
                   retries: int = DEFAULT_RETRIES, reason: str | None = None
                   ) -> Incident | None:
    """Run the failed task again; returns the new incident when it fails again."""
    incident = get_incident(uow, incident_id, actor)  # out of scope: NotFound first
    _require_ops(actor)
    if incident.resolved_at is not None:
        raise InvalidState(f"incident {incident_id} is already resolved")
    instance = lock_instance(uow, incident.instance_id)
    require_active(instance)
    if incident.job_id:
        job = uow.jobs.get(incident.job_id)
        if job is not None:
            job.retries = max(retries, 1)
            job.due_at = now
            job.last_error = None
            job.lock_expires_at = None
        _close(incident, actor, now, "retried")
        record(uow, instance.id, actor, "incident_retried", now, element_id=incident.element_id,
               data={"incident_id": incident.id, **reason_data(reason)})
        uow.flush()
        return None
    workflow = load_workflow(uow, instance)
    if incident.task_id and incident.kind == "failed_task":
        bpmn.retry_task(workflow, incident.task_id)
    _close(incident, actor, now, "retried")
    record(uow, instance.id, actor, "incident_retried", now, element_id=incident.element_id,
           data={"incident_id": incident.id, **reason_data(reason)})
    uow.flush()
    before = {i.id for i in uow.incidents.open_for(instance.id)}
    failure = advance_and_save(uow, instance, workflow, actor, now, retries=retries)
    if failure is None:
        return None
    uow.flush()  # the session does not autoflush: the new incident must be in the query
    opened = [i for i in uow.incidents.open_for(instance.id) if i.id not in before]
    same_task = [i for i in opened if i.task_id == failure.task_id]
    return (same_task or opened or [incident])[-1]


def retry_and_report(uow: UnitOfWork, incident_id: str, actor: Actor, now: datetime,
                     reason: str | None = None) -> Incident:
    """retry_incident, answering with the new incident when the step fails again, else this
    (now resolved) one."""
    again = retry_incident(uow, incident_id, actor, now, reason=reason)
    return again or get_incident(uow, incident_id, actor)


def resolve_incident(uow: UnitOfWork, incident_id: str, actor: Actor, now: datetime,
                     note: str | None = None, reason: str | None = None) -> Incident:
    """Mark an incident handled without running anything (it was fixed some other way)."""
    incident = get_incident(uow, incident_id, actor)  # out of scope: NotFound first
    _require_ops(actor)
    if incident.resolved_at is not None:
        raise InvalidState(f"incident {incident_id} is already resolved")
    lock_instance(uow, incident.instance_id)
    _close(incident, actor, now, "resolved")
    record(uow, incident.instance_id, actor, "incident_resolved", now,
           element_id=incident.element_id,
           data={"incident_id": incident.id, "note": note, **reason_data(reason or note)})
    uow.flush()
    return incident


def skip_task(uow: UnitOfWork, instance_id: str, task_id: str, actor: Actor, now: datetime,
              data: dict[str, Any] | None = None, reason: str | None = None) -> None:
    """Complete a failed (or waiting) task without running it, then go on."""
    scopes.visible_instance(uow, instance_id, actor)  # out of scope: NotFound first
    _require_ops(actor)
    instance = lock_instance(uow, instance_id)
    require_active(instance)
    workflow = load_workflow(uow, instance)
    bpmn.skip_task(workflow, task_id, data or {})
    uow.task_history.ended([task_id], now, "skipped")
    for incident in uow.incidents.open_for(instance.id):
        if incident.task_id == task_id:
            _close(incident, actor, now, "skipped")
    record(uow, instance.id, actor, "task_skipped", now, task_id=task_id,
           data={**(data or {}), **reason_data(reason)} or None)
    advance_and_save(uow, instance, workflow, actor, now)


def move_token(uow: UnitOfWork, instance_id: str, from_task_id: str, to_element_id: str,
               actor: Actor, now: datetime, reason: str | None = None) -> ProcessInstance:
    """Cancel an active activity and restart the instance at an earlier one."""
    scopes.visible_instance(uow, instance_id, actor)  # out of scope: NotFound first
    _require_ops(actor)
    instance = lock_instance(uow, instance_id)
    require_active(instance)
    workflow = load_workflow(uow, instance)
    ran = any(a["element_id"] == to_element_id
              for a in past_activities(uow, instance_id, workflow))
    bpmn.move_token(workflow, from_task_id, to_element_id, ran_before=ran)
    for incident in uow.incidents.open_for(instance.id):
        _close(incident, actor, now, "token_moved")
    record(uow, instance.id, actor, "token_moved", now, element_id=to_element_id,
           data={"from_task_id": from_task_id, **reason_data(reason)})
    advance_and_save(uow, instance, workflow, actor, now)
    return instance
