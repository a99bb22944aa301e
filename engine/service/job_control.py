"""Ops control of jobs, the Camunda way: execute now, set a due date, set retries.

Each records who did it and the operator's `reason` (optional: Camunda's REST sends none).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from engine import authz
from engine.bpmn.timer_control import set_timer_due
from engine.errors import NotFound, ValidationFailed
from engine.models import Job
from engine.service.actors import Actor
from engine.service.runtime import (
    load_workflow,
    lock_instance,
    reason_data,
    record,
    require_active,
    save,
)
from engine.service.timers import fire_timer, fire_timer_start
from engine.uow import UnitOfWork


def _job(uow: UnitOfWork, job_id: str, actor: Actor) -> Job:
    authz.require_ops(actor, "change jobs")
    job = uow.jobs.get(job_id)
    if job is None:
        raise NotFound(f"job {job_id} does not exist")
    return job


def set_job_due_date(uow: UnitOfWork, job_id: str, due: datetime, actor: Actor,
                     now: datetime, reason: str | None = None) -> Job:
    """A timer's due date is moved in the workflow itself, so the job mirrors it on save."""
    job = _job(uow, job_id, actor)
    if job.kind == "timer" and job.instance_id:
        instance = lock_instance(uow, job.instance_id)
        require_active(instance)
        workflow = load_workflow(uow, instance)
        set_timer_due(workflow, job.task_id or "", due)
        save(uow, instance, workflow, actor, now)
    job = _job(uow, job_id, actor)
    job.due_at = due
    record(uow, job.instance_id, actor, "job_due_date_set", now, element_id=job.element_id,
           data={"job_id": job.id, "due_at": due.isoformat(), **reason_data(reason)})
    uow.flush()
    return job


def execute_job(uow: UnitOfWork, job_id: str, actor: Actor, now: datetime,
                reason: str | None = None) -> str:
    """Fire a timer (or a timer start) now instead of at its due time."""
    job = _job(uow, job_id, actor)
    if job.kind == "timer":
        set_job_due_date(uow, job_id, now - timedelta(seconds=1), actor, now, reason=reason)
        return fire_timer(uow, job_id, None, now)
    if job.kind == "timer_start":
        started = fire_timer_start(uow, job_id, None, now)
        return f"started {started.id}" if started else "nothing started"
    raise ValidationFailed(f"job {job_id} is an external task: a worker completes it")


def set_job_retries(uow: UnitOfWork, job_id: str, retries: int, actor: Actor,
                    now: datetime, reason: str | None = None) -> Job:
    """New retries make a failed external task fetchable again and close its incident."""
    if retries < 0:
        raise ValidationFailed("retries must not be negative")
    job = _job(uow, job_id, actor)
    job.retries = retries
    if retries > 0 and job.instance_id:
        for incident in uow.incidents.open_for(job.instance_id):
            if incident.job_id == job.id:
                incident.resolved_at, incident.resolved_by = now, actor.username
                incident.resolution = "retries_set"
        job.due_at = min(job.due_at or now, now)
    record(uow, job.instance_id, actor, "job_retries_set", now, element_id=job.element_id,
           data={"job_id": job.id, "retries": retries, **reason_data(reason)})
    uow.flush()
    return job
