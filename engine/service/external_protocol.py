"""The rest of Camunda's external-task protocol: bpmnError, lock, retries, error details."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from engine import authz, bpmn
from engine.errors import InvalidState, ValidationFailed
from engine.repository import Query
from engine.service import rest_queries, work_notice
from engine.service.actors import Actor
from engine.service.external_locks import external_job, held_job
from engine.service.job_control import set_job_retries
from engine.service.runtime import (
    advance_and_save,
    load_workflow,
    record,
    require_active,
)
from engine.uow import UnitOfWork
from engine.work_bell import BELL, topic_notes


def bpmn_error(uow: UnitOfWork, job_id: str, worker_id: str, code: str,
               message: str | None, variables: dict[str, Any], *, actor: Actor,
               now: datetime) -> None:
    """The worker reports a business error: the catching boundary or subprocess takes over."""
    job, instance = held_job(uow, job_id, actor, worker_id, now)
    require_active(instance)
    workflow = load_workflow(uow, instance)
    bpmn.throw_bpmn_error(workflow, job.task_id or "", code, message, variables)
    record(uow, instance.id, worker_id, "external_task_bpmn_error", now,
           element_id=job.element_id, task_id=job.task_id,
           data={"job_id": job.id, "error_code": code, "message": message,
                 "variables": variables})
    advance_and_save(uow, instance, workflow, worker_id, now)


def lock(uow: UnitOfWork, job_id: str, worker_id: str, duration_ms: int, *, actor: Actor,
         now: datetime) -> None:
    """Lock one task by id for a worker (it may already hold it: then the lock is renewed)."""
    job = external_job(uow, job_id, actor)
    authz.require_topics(actor, [job.topic or ""])
    if not worker_id:
        raise InvalidState("workerId is required")
    owner = authz.lock_owner(actor, worker_id)
    held = job.lock_expires_at is not None and job.lock_expires_at >= now
    if held and job.lock_owner != owner:
        raise InvalidState(f"External task {job.id} is already locked by another worker")
    job.lock_owner = owner
    job.lock_expires_at = now + timedelta(milliseconds=duration_ms)
    uow.flush()


def set_retries(uow: UnitOfWork, job_ids: Sequence[str], retries: int, *, actor: Actor,
                now: datetime) -> None:
    """Set the retries of external tasks (ops); retries > 0 closes their incidents."""
    topics = set()
    for job_id in job_ids:
        topics.add(external_job(uow, job_id, actor).topic or "")
        set_job_retries(uow, job_id, retries, actor, now)
    if retries > 0:
        work_notice.announce(uow, topic_notes(topics - {""}))


PRIORITY = 2**63 - 1


def set_priority(uow: UnitOfWork, job_id: str, priority: int, *, actor: Actor,
                 now: datetime) -> None:
    """An external task's priority (ops): fetchAndLock with usePriority takes the highest
    first."""
    if not -PRIORITY - 1 <= priority <= PRIORITY:
        raise ValidationFailed("priority must be a 64-bit integer")
    job = external_job(uow, job_id, actor)
    authz.require_ops(actor, "set the priority of external tasks")
    job.priority = priority
    record(uow, job.instance_id, actor, "external_task_priority_set", now,
           element_id=job.element_id, task_id=job.task_id,
           data={"job_id": job.id, "priority": priority})
    uow.flush()


def error_details(uow: UnitOfWork, job_id: str, *, actor: Actor) -> str | None:
    """The details (a stack trace) the worker sent with its last failure (ops)."""
    authz.require_ops(actor, "read error details")
    details = external_job(uow, job_id, actor).payload.get("error_details")
    return str(details) if details is not None else None


def topic_filters(topic: dict[str, Any]) -> dict[str, Any]:
    """A Camunda subscription's filters as EventRepository.due_external arguments."""
    def listed(*names: str) -> list[str] | None:
        values = [v for n in names for v in ([topic[n]] if isinstance(topic.get(n), str)
                                             else topic.get(n) or [])]
        return values if any(topic.get(n) is not None for n in names) else None

    tenants = listed("tenantIdIn")
    if topic.get("withoutTenantId"):
        tenants = tenants or []
    sorting = topic.get("_createTimeOrder")
    return {"definition_keys": listed("processDefinitionKey", "processDefinitionKeyIn"),
            "definition_ids": listed("processDefinitionId", "processDefinitionIdIn"),
            "business_key": topic.get("businessKey"), "tenant_ids": tenants,
            "newest_first": None if sorting is None else sorting == "desc"}


# Kept for the WSGI door's blocking long poll: rung after commits that create external work.
WORK = BELL


RETRIES_LIMIT = 10_000


def retries_many(uow: UnitOfWork, job_ids: Sequence[str], q: Any, instance_ids: Sequence[str],
                 instance_q: Any, retries: int, *, actor: Actor, now: datetime) -> int:
    """Set the retries of the listed external tasks, those an external-task query finds and
    those of the listed or queried process instances, at once; how many were set."""
    chosen = list(dict.fromkeys(job_ids))
    picked = list(instance_ids)
    if instance_q is not None:
        picked += [r.id for r in rest_queries.query(
            uow, "instance", Query(instance_q.filters, (), 0, RETRIES_LIMIT), actor=actor,
            now=now)]
    queries = [Query(q.filters, (), 0, RETRIES_LIMIT)] if q is not None else []
    if picked:
        queries.append(Query((("instance_id", "in", sorted(set(picked))),), (), 0,
                             RETRIES_LIMIT))
    for query in queries:
        rows = rest_queries.query(uow, "external_task", query, actor=actor, now=now)
        chosen += [row[0].id for row in rows if row[0].id not in chosen]
    if not chosen:
        raise ValidationFailed("give externalTaskIds, processInstanceIds or a query that finds "
                               "external tasks")
    if len(chosen) > RETRIES_LIMIT:
        raise ValidationFailed(f"at most {RETRIES_LIMIT} external tasks per request")
    set_retries(uow, chosen, retries, actor=actor, now=now)
    return len(chosen)
