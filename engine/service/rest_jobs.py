"""Camunda /job commands beyond job_control: suspension, priority, stack trace, bulk retries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine import authz
from engine.bpmn.timer_control import recalculate_timer
from engine.errors import InvalidState, NotFound, ValidationFailed
from engine.models import Job
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.job_control import set_job_retries
from engine.service.rest_queries import job
from engine.service.runtime import load_workflow, lock_instance, record, require_active, save
from engine.uow import UnitOfWork

BULK_LIMIT = 10_000
PRIORITY = 2**63 - 1


def _ops_job(uow: UnitOfWork, job_id: str, actor: Actor) -> Job:
    row, _instance = job(uow, job_id, actor=actor)  # not ops: Forbidden; absent: NotFound
    authz.require_ops(actor, "change jobs")
    return row


def set_suspended(uow: UnitOfWork, job_id: str, suspended: bool, *, actor: Actor,
                  now: datetime) -> None:
    """A suspended timer is not fired until it is activated again."""
    row = _ops_job(uow, job_id, actor)
    if row.suspended != suspended:
        row.suspended = suspended
        record(uow, row.instance_id, actor, "job_suspended" if suspended else "job_activated",
               now, element_id=row.element_id, data={"job_id": row.id})
    uow.flush()


def matching(uow: UnitOfWork, q: Query, *, actor: Actor) -> Sequence[Job]:
    """The timer jobs a bulk command reaches (ops only, as every job list)."""
    authz.require_ops(actor, "change jobs")
    rows = uow.queries.rows("job", Query(q.filters, (("id", False),), 0, BULK_LIMIT),
                            scopes.scope_of(actor))
    return [row[0] for row in rows]


def set_suspended_many(uow: UnitOfWork, q: Query, suspended: bool, *, actor: Actor,
                       now: datetime) -> int:
    if not q.filters:
        raise ValidationFailed("give jobDefinitionId, processInstanceId, processDefinitionId "
                               "or processDefinitionKey")
    rows = matching(uow, q, actor=actor)
    for row in rows:
        set_suspended(uow, row.id, suspended, actor=actor, now=now)
    return len(rows)


def set_priority(uow: UnitOfWork, job_id: str, priority: int, *, actor: Actor,
                 now: datetime) -> None:
    """Camunda's job priority, kept and shown (jobs are acquired by due date here, as in
    Camunda's default configuration without priority acquisition)."""
    if not -PRIORITY - 1 <= priority <= PRIORITY:
        raise ValidationFailed("priority must be a 64-bit integer")
    row = _ops_job(uow, job_id, actor)
    row.priority = priority
    record(uow, row.instance_id, actor, "job_priority_set", now, element_id=row.element_id,
           data={"job_id": row.id, "priority": priority})
    uow.flush()


def delete_job(uow: UnitOfWork, job_id: str, *, actor: Actor, now: datetime) -> None:
    """Ops: delete a timer start job (its definition no longer starts by that timer, until
    it is deployed again). A waiting token's timer is part of its instance's state, which
    would make the job again: it is refused, naming the repairs that do remove it."""
    row = _ops_job(uow, job_id, actor)
    if row.kind != "timer_start":
        raise InvalidState(
            f"job {job_id} is the timer of a token of process instance {row.instance_id}; "
            "it cannot be deleted on its own: cancel the activity instance "
            f"(POST /process-instance/{row.instance_id}/modification), or suspend the job")
    record(uow, None, actor, "job_deleted", now, element_id=row.element_id,
           data={"job_id": row.id, "definition_id": row.definition_id})
    uow.jobs.delete(row)
    uow.flush()


def stacktrace(uow: UnitOfWork, job_id: str, *, actor: Actor) -> str:
    """The traceback of the job's open incident, else its last error."""
    row = _ops_job(uow, job_id, actor)
    if row.instance_id:
        for incident in uow.incidents.open_for(row.instance_id):
            if incident.job_id == row.id and incident.traceback:
                return incident.traceback
    if not row.last_error:
        raise NotFound(f"job {job_id} has no exception stacktrace")
    return row.last_error


def set_retries_many(uow: UnitOfWork, job_ids: Sequence[str], q: Query | None,
                     retries: int, *, actor: Actor, now: datetime) -> int:
    """Set retries on the listed jobs and those a query finds, at once (no batch)."""
    authz.require_ops(actor, "change jobs")
    chosen = list(dict.fromkeys(job_ids))
    if q is not None:
        chosen += [r.id for r in matching(uow, q, actor=actor) if r.id not in chosen]
    if not chosen:
        raise ValidationFailed("give jobIds or a jobQuery that finds jobs")
    for job_id in chosen:
        _ops_job(uow, job_id, actor)
        set_job_retries(uow, job_id, retries, actor, now)
    return len(chosen)


def recalculate_due(uow: UnitOfWork, job_id: str, *, actor: Actor, now: datetime) -> Job:
    """Camunda's duedate/recalculate (not creation-date based): the timer's expression is
    evaluated again from now."""
    row = _ops_job(uow, job_id, actor)
    if row.kind != "timer" or not row.instance_id:
        raise ValidationFailed(f"job {job_id} is no timer of a process instance")
    instance = lock_instance(uow, row.instance_id)
    require_active(instance)
    workflow = load_workflow(uow, instance)
    due = recalculate_timer(workflow, row.task_id or "", now)
    save(uow, instance, workflow, actor, now)
    row = _ops_job(uow, job_id, actor)
    row.due_at = due
    record(uow, row.instance_id, actor, "job_due_date_recalculated", now,
           element_id=row.element_id, data={"job_id": row.id, "due_at": due.isoformat()})
    uow.flush()
    return row
