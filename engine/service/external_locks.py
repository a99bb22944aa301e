"""Which external task an actor may touch, and whether they hold its lock."""

from __future__ import annotations

from datetime import datetime

from engine import authz
from engine.errors import InvalidState, NotFound
from engine.models import Job, ProcessInstance
from engine.service.actors import Actor
from engine.service.runtime import lock_instance
from engine.uow import UnitOfWork


def external_job(uow: UnitOfWork, job_id: str, actor: Actor) -> Job:
    """An external task of a topic the actor may work; NotFound otherwise (nothing leaks)."""
    job = uow.jobs.get(job_id)
    if job is None or job.kind != "external" or not (
            authz.works_topic(actor, job.topic or "") or authz.is_ops(actor)):
        raise NotFound(f"external task {job_id} does not exist")
    return job


def require_lock_owner(job: Job, actor: Actor, worker_id: str, now: datetime) -> None:
    """Only the lock's owner (the same signed-in user and worker id) may act on it."""
    authz.require_topics(actor, [job.topic or ""])
    if job.lock_owner != authz.lock_owner(actor, worker_id):
        raise InvalidState(f"external task {job.id} is locked by another worker, not "
                           f"'{worker_id}'")
    if job.lock_expires_at is None or job.lock_expires_at < now:
        raise InvalidState(f"the lock of external task {job.id} has expired")


def held_job(uow: UnitOfWork, job_id: str, actor: Actor, worker_id: str,
             now: datetime) -> tuple[Job, ProcessInstance]:
    """The job and its instance, locked in that order, once the actor is shown to hold the
    job's lock; the job is read again under the instance lock (it may have moved on)."""
    job = external_job(uow, job_id, actor)
    instance = lock_instance(uow, job.instance_id or "")
    job = external_job(uow, job_id, actor)
    require_lock_owner(job, actor, worker_id, now)
    return job, instance
