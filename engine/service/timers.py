"""Timers: fire a due timer of an instance; schedule and fire timer start events."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from engine import bpmn, expressions
from engine.models import Job, ProcessDefinition, ProcessInstance
from engine.service.call_binding import bind_calls, late_binder
from engine.service.runtime import advance_and_save, load_workflow, record, workflow_specs
from engine.uow import UnitOfWork

_CYCLE = re.compile(r"R(\d*)/(.+)")


def fire_timer(uow: UnitOfWork, job_id: str, owner: str | None, now: datetime, *,
               instance_id: str | None = None) -> str:
    """Fire one due timer job of an instance; returns what happened (for the worker log).

    The instance row is locked first; the job is read again under that lock, so a job that
    another worker already fired (and the projection deleted) is skipped, never fired twice.
    A worker passes the instance id its claim read, which saves reading the job twice.
    """
    if instance_id is None:
        peek = uow.jobs.get(job_id)
        if peek is None or peek.instance_id is None:
            return "gone"
        instance_id = peek.instance_id
    # The jobs are read again under the lock (another fire of this instance may have
    # dropped the job), all of them with the instance, which the save's job sync reuses.
    instance, held = uow.instances.get_for_update_with_jobs(instance_id)
    uow.jobs.hold(instance_id, held)
    job = next((j for j in held if j.id == job_id), None)
    if instance is None or job is None:
        return "gone"
    if owner is not None and job.lock_owner != owner:
        return "taken by another worker"
    if instance.status in ("completed", "terminated"):
        uow.jobs.delete(job)
        return f"instance {instance.status}"
    if instance.status == "suspended":
        return "instance suspended"
    workflow = load_workflow(uow, instance)
    record(uow, instance.id, "system", "timer_fired", now, element_id=job.element_id,
           task_id=job.task_id, data={"job_id": job.id, "due_at": job.due_at})
    bpmn.refresh_timers(workflow)
    advance_and_save(uow, instance, workflow, "system", now)
    uow.jobs.release(job)  # a cycle timer's job survives with its next due time
    return "fired"


def _parts(duration: str) -> relativedelta:
    parts = bpmn.parse_duration(duration)
    whole = {k: int(v) for k, v in parts.items() if k in ("years", "months")}
    rest = {k: float(v) for k, v in parts.items() if k not in ("years", "months")}
    return relativedelta(**whole, **rest)  # type: ignore[arg-type]


def _point(text: str) -> datetime:
    value = datetime.fromisoformat(expressions.normalize_datetime_literal(text))
    return value.astimezone(UTC)


def _literal(expression: str) -> str:
    text = expression.strip()
    if "${" in text or "#{" in text or expressions.timer_kind(text) is None:
        text = str(expressions.evaluate(text, {}, "text" if "${" in text else "expression"))
    return text.strip()


def next_due(start: dict[str, Any], now: datetime, fired: int) -> datetime | None:
    """When a timer start event fires next (after `fired` firings), or None when done."""
    text = _literal(start["expression"])
    kind = start["kind"]
    if kind == "timeDate":
        return _point(text) if fired == 0 else None
    if kind == "timeDuration":
        return now + _parts(text) if fired == 0 else None
    if expressions.is_cron(text):
        return expressions.next_cron_time(text, now)
    match = _CYCLE.fullmatch(text)
    if match is None:
        raise ValueError(f"timer cycle {text!r} is neither R[n]/[start/]period nor a cron")
    count, rest = match.group(1), match.group(2).split("/")
    if count and fired >= int(count):
        return None
    period = _parts(rest[-1])
    if len(rest) == 1:
        return now + period
    first = _point(rest[0])
    due = first
    for _ in range(fired):
        due = due + period
    while due < now - timedelta(seconds=1) and fired == 0:
        due = due + period  # deployed after the cycle began: start at the next period
    return due


def schedule_timer_starts(uow: UnitOfWork, definitions: list[ProcessDefinition],
                          now: datetime) -> list[Job]:
    """Create timer_start jobs for newly deployed definitions; drop older versions' jobs."""
    created = []
    for definition in definitions:
        if definition.kind != "process":
            continue
        for job in uow.jobs.timer_starts():
            old = uow.definitions.get(job.definition_id or "")
            if old is not None and old.key == definition.key and old.id != definition.id:
                uow.jobs.delete(job)
        for start in definition.timer_starts or []:
            due = next_due(start, now, 0)
            if due is None:
                continue
            job = Job(id=str(uuid.uuid4()), kind="timer_start", definition_id=definition.id,
                      element_id=start["element_id"], due_at=due, created_at=now,
                      payload={"start": start, "fired": 0}, attempts=0)
            uow.jobs.add(job)
            created.append(job)
    uow.flush()
    return created


def fire_timer_start(uow: UnitOfWork, job_id: str, owner: str | None,
                     now: datetime) -> ProcessInstance | None:
    """Start one instance for a due timer start job, then re-arm or delete the job."""
    job = uow.jobs.get(job_id)
    if job is None or (owner is not None and job.lock_owner != owner):
        return None
    definition = uow.definitions.get(job.definition_id or "")
    if definition is None:
        uow.jobs.delete(job)
        return None
    instance = None
    if not definition.suspended:
        instance = _start_by_timer(uow, definition, job, now)
    fired = int(job.payload.get("fired", 0)) + 1
    following = next_due(job.payload["start"], now, fired)
    if following is None:
        uow.jobs.delete(job)
    else:
        job.payload = {**job.payload, "fired": fired}
        job.due_at = following
        job.lock_owner = None
        job.lock_expires_at = None
    uow.flush()
    return instance


def _start_by_timer(uow: UnitOfWork, definition: ProcessDefinition, job: Job,
                    now: datetime) -> ProcessInstance:
    bindings = bind_calls(uow, definition)
    spec, subprocesses = workflow_specs(uow, definition, bindings)
    workflow = bpmn.new_workflow(spec, subprocesses)
    bpmn.bind_late(workflow, late_binder(uow, definition.id, bindings))
    variables = {"initiator": "system", "timer_fired_at": job.due_at.isoformat()
                 if job.due_at else None}
    bpmn.set_start_variables(workflow, variables)
    bpmn.pass_start_timer(workflow)
    instance = ProcessInstance(
        id=str(uuid.uuid4()), definition_id=definition.id, process_key=definition.key,
        status="running", serializer_version="", state_json="", bindings=bindings,
        started_by="system", started_at=now)
    uow.instances.add(instance)
    record(uow, instance.id, "system", "instance_started", now, element_id=job.element_id,
           data={"definition_id": definition.id, "by": "timer_start", "job_id": job.id})
    uow.flush()
    advance_and_save(uow, instance, workflow, "system", now)
    return instance
