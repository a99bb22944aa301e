"""External tasks: complete, fail, fetch-and-lock, extend and unlock (Camunda 7 semantics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine import authz, bpmn
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import Job
from engine.service import work_notice
from engine.service.actors import SYSTEM_ACTOR, Actor
from engine.service.external_locks import external_job, held_job, require_lock_owner
from engine.service.external_protocol import topic_filters
from engine.service.runtime import (
    advance_and_save,
    load_workflow,
    lock_instance,
    open_incident,
    record,
    require_active,
    save,
)
from engine.uow import UnitOfWork
from engine.work_bell import topic_notes

BACKOFF_BASE_SECONDS = 10


@dataclass(frozen=True)
class LockedTask:
    """One fetched external task, as a Camunda client expects to see it."""

    id: str
    topic_name: str
    worker_id: str
    lock_expiration_time: datetime
    process_instance_id: str | None
    process_definition_id: str | None
    business_key: str | None
    activity_id: str | None
    retries: int | None
    error_message: str | None
    variables: dict[str, Any]
    priority: int = 0


def task_variables(uow: UnitOfWork, job: Job) -> dict[str, Any]:
    """The task's data plus its evaluated camunda:inputParameters (inputs win)."""
    instance = uow.instances.get(job.instance_id or "")
    if instance is None:
        raise NotFound(f"process instance {job.instance_id} does not exist")
    workflow = load_workflow(uow, instance)
    values = bpmn.task_variables(workflow, job.task_id or "")
    values.update(job.payload.get("inputs") or {})
    return values


def complete_external_task(uow: UnitOfWork, job_id: str, worker_id: str,
                           variables: dict[str, Any] | None, now: datetime, *,
                           actor: Actor) -> None:
    """Complete the task with these variables and advance the instance."""
    job, instance = held_job(uow, job_id, actor, worker_id, now)
    require_active(instance)
    workflow = load_workflow(uow, instance)
    bpmn.complete_external_task(workflow, job.task_id or "", dict(variables or {}))
    record(uow, instance.id, worker_id, "external_task_completed", now,
           element_id=job.element_id, task_id=job.task_id,
           data={"job_id": job.id, "topic": job.topic, "variables": variables or {}})
    advance_and_save(uow, instance, workflow, worker_id, now)


def handle_failure(uow: UnitOfWork, job_id: str, worker_id: str, error_message: str,
                   error_details: str | None, retries: int, retry_timeout_ms: int,
                   now: datetime, *, actor: Actor,
                   variables: dict[str, Any] | None = None) -> None:
    """Camunda's handleFailure: the worker says how many retries are left and when; its
    variables (Camunda 7.18's) are set on the instance before the failure is recorded."""
    job, instance = held_job(uow, job_id, actor, worker_id, now)
    if variables:
        require_active(instance)
        workflow = load_workflow(uow, instance)
        bpmn.update_active_data(workflow, dict(variables))
        save(uow, instance, workflow, worker_id, now)
    _fail(uow, job, instance.id, error_message, error_details, max(retries, 0),
          now + timedelta(milliseconds=max(retry_timeout_ms, 0)), now, variables)


def record_handler_failure(uow: UnitOfWork, job_id: str, worker_id: str, error: str,
                           details: str | None, now: datetime) -> int:
    """A registered handler raised: one retry fewer, backoff 2**attempts * 10 s."""
    job = external_job(uow, job_id, SYSTEM_ACTOR)
    instance = lock_instance(uow, job.instance_id or "")
    job = external_job(uow, job_id, SYSTEM_ACTOR)
    if job.lock_owner != worker_id:
        return job.retries or 0
    left = max((job.retries if job.retries is not None else 1) - 1, 0)
    delay = timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** (job.attempts + 1))
    _fail(uow, job, instance.id, error, details, left, now + delay, now)
    return left


def _fail(uow: UnitOfWork, job: Job, instance_id: str, error: str, details: str | None,
          retries: int, due: datetime, now: datetime,
          variables: dict[str, Any] | None = None) -> None:
    job.attempts = (job.attempts or 0) + 1
    job.retries = retries
    job.last_error = error
    job.due_at = due
    job.lock_owner = None
    job.lock_expires_at = None
    job.payload = {**job.payload, "error_details": details}
    record(uow, instance_id, "system", "external_task_failed", now, element_id=job.element_id,
           task_id=job.task_id, data={"job_id": job.id, "topic": job.topic, "error": error,
                                      "retries": retries, "details": details,
                                      **({"variables": variables} if variables else {})})
    if retries == 0:
        instance = lock_instance(uow, instance_id)
        open_incident(uow, instance, "external_task", error, now, element_id=job.element_id,
                      task_id=job.task_id, job_id=job.id, traceback=details)
    elif due <= now:  # fetchable again at once (later ones: the bell's periodic re-check)
        work_notice.announce(uow, topic_notes([job.topic or ""]))
    uow.flush()


def fetch_and_lock(uow: UnitOfWork, worker_id: str, topics: list[dict[str, Any]],
                   max_tasks: int, now: datetime, *, actor: Actor,
                   use_priority: bool = False) -> list[LockedTask]:
    """Lock up to max_tasks due tasks of the given topics for this worker (use_priority:
    the highest priority first, as Camunda's usePriority).

    Every topic asked for needs the actor's worker permission (engine.authz.works_topic).
    """
    if not worker_id:
        raise ValidationFailed("workerId is required")
    authz.require_topics(actor, [str(t.get("topicName") or "") for t in topics])
    owner = authz.lock_owner(actor, worker_id)
    locked: list[LockedTask] = []
    for topic in topics:
        name, duration = topic.get("topicName"), topic.get("lockDuration")
        if not name or not isinstance(duration, int) or duration <= 0:
            raise ValidationFailed("every topic needs topicName and a positive lockDuration")
        until = now + timedelta(milliseconds=duration)
        for job_id in uow.events.due_external([name], now, max_tasks - len(locked),
                                              by_priority=use_priority,
                                              **topic_filters(topic)):
            if uow.jobs.lease(job_id, owner, now, until):
                locked.append(_locked(uow, job_id, worker_id, until, actor))
        if len(locked) >= max_tasks:
            break
    uow.flush()
    return locked


def _locked(uow: UnitOfWork, job_id: str, worker_id: str, until: datetime,
            actor: Actor) -> LockedTask:
    job = external_job(uow, job_id, actor)
    instance = uow.instances.get(job.instance_id or "")
    return LockedTask(
        id=job.id, topic_name=job.topic or "", worker_id=worker_id, lock_expiration_time=until,
        process_instance_id=job.instance_id,
        process_definition_id=instance.definition_id if instance else None,
        business_key=instance.business_key if instance else None, activity_id=job.element_id,
        retries=job.retries, error_message=job.last_error,
        variables=task_variables(uow, job), priority=job.priority or 0,
    )


def extend_lock(uow: UnitOfWork, job_id: str, worker_id: str, new_duration_ms: int,
                now: datetime, *, actor: Actor) -> None:
    job = external_job(uow, job_id, actor)
    require_lock_owner(job, actor, worker_id, now)
    job.lock_expires_at = now + timedelta(milliseconds=new_duration_ms)
    uow.flush()


def unlock(uow: UnitOfWork, job_id: str, now: datetime, *, actor: Actor) -> None:
    """Release a lock: its owner (the user who locked it), or ops."""
    job = external_job(uow, job_id, actor)
    if not authz.holds_lock(actor, job.lock_owner):
        raise InvalidState(f"external task {job_id} is not locked by {actor.username}")
    job.lock_owner = None
    job.lock_expires_at = None
    uow.flush()
    work_notice.announce(uow, topic_notes([job.topic or ""]))
