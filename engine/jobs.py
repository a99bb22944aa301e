"""Claim due jobs (timers, timer starts, external tasks) and run each in its own unit of work."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine import clock, external
from engine.commands import execute
from engine.config import Settings
from engine.errors import EngineError
from engine.service import SYSTEM_ACTOR, external_tasks, timers
from engine.uow import UowFactory

log = logging.getLogger("vocflow.worker")
MAX_BACKOFF_SECONDS = 3600


@dataclass(frozen=True)
class JobOutcome:
    job_id: str
    kind: str
    result: str
    error: str | None = None


def claim(uow_factory: UowFactory, owner: str, now: datetime, settings: Settings,
          limit: int) -> list[tuple[str, str]]:
    """Lease up to `limit` due jobs for this worker in one short transaction.

    PostgreSQL reads the candidates FOR UPDATE SKIP LOCKED; on both databases the lease is a
    conditional UPDATE (lock free or expired), so exactly one worker gets each job. A worker
    that dies leaves a lease that expires: the job becomes claimable again.
    """
    return [(job_id, kind) for job_id, kind, _ in _claim(uow_factory, owner, now, settings,
                                                         limit)]


def _claim(uow_factory: UowFactory, owner: str, now: datetime, settings: Settings,
           limit: int) -> list[tuple[str, str, str | None]]:
    """As claim(), with each job's instance id: due timers are read and leased by one
    UPDATE (its subquery picks them); due external tasks by one SELECT and one UPDATE."""
    until = now + timedelta(seconds=settings.job_lease_seconds)
    with uow_factory() as uow:
        claimed = uow.jobs.claim_due_timers(now, owner, until, limit)
        handled = external.topics()
        if handled and len(claimed) < limit:
            due = uow.events.due_external(handled, now, limit - len(claimed))
            got = uow.jobs.lease_many(due, owner, now, until)
            claimed += [(job_id, "external", got[job_id]) for job_id in due if job_id in got]
        return claimed


def run_job(uow_factory: UowFactory, job_id: str, kind: str, owner: str, settings: Settings,
            now: Callable[[], datetime] = clock.now, instance_id: str | None = None
            ) -> JobOutcome:
    """Run one claimed job; a failure rolls back alone and is noted on the job."""
    try:
        if kind == "external":
            result = _run_external(uow_factory, job_id, owner, settings, now)
        else:
            with uow_factory() as uow:
                if kind == "timer":
                    result = timers.fire_timer(uow, job_id, owner, now(),
                                               instance_id=instance_id)
                else:
                    started = timers.fire_timer_start(uow, job_id, owner, now())
                    result = f"started {started.id}" if started else "nothing started"
    except Exception as exc:  # noqa: BLE001 - the worker must survive any single job
        message = exc.message if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"
        log.warning("job %s (%s) failed: %s", job_id, kind, message)
        _note_failure(uow_factory, job_id, message, now())
        return JobOutcome(job_id, kind, "error", message)
    log.info("job %s (%s): %s", job_id, kind, result)
    return JobOutcome(job_id, kind, result)


def _note_failure(uow_factory: UowFactory, job_id: str, message: str, now: datetime) -> None:
    with uow_factory() as uow:
        job = uow.jobs.get(job_id)
        if job is None:
            return
        job.attempts = (job.attempts or 0) + 1
        job.last_error = message[:4000]
        backoff = min(10 * 2 ** job.attempts, MAX_BACKOFF_SECONDS)
        job.lock_owner = None
        job.lock_expires_at = now + timedelta(seconds=backoff)


def _run_external(uow_factory: UowFactory, job_id: str, owner: str, settings: Settings,
                  now: Callable[[], datetime]) -> str:
    with uow_factory() as uow:
        job = uow.jobs.get(job_id)
        if job is None or job.lock_owner != owner:
            return "gone"
        topic, instance_id = job.topic or "", job.instance_id
        variables = external_tasks.task_variables(uow, job)
        connector = job.payload.get("connector")
    handler = external.handler_for(topic)
    if handler is None:
        execute(uow_factory, SYSTEM_ACTOR, external_tasks.unlock, job_id, now=now())
        return f"no handler for topic {topic}; released"
    context = external.HandlerContext(job_id, instance_id, topic, variables, uow_factory,
                                      now(), settings, connector)
    try:
        result = handler(context)  # outside any transaction: it may be slow or call out
    except Exception as exc:  # noqa: BLE001 - handler code is not ours to trust
        with uow_factory() as uow:
            left = external_tasks.record_handler_failure(
                uow, job_id, owner, f"{type(exc).__name__}: {exc}",
                traceback.format_exc(), now())
        return f"handler failed ({left} retries left): {exc}"
    execute(uow_factory, SYSTEM_ACTOR, external_tasks.complete_external_task, job_id, owner,
            result or {}, now=now())
    return "completed"


def poll(uow_factory: UowFactory, settings: Settings, owner: str, *,
         now: Callable[[], datetime] = clock.now, limit: int = 100,
         executor: Executor | None = None) -> list[JobOutcome]:
    """Claim what is due and run it (in the executor's threads when given); wait for all."""
    claimed = _claim(uow_factory, owner, now(), settings, limit)
    if executor is None:
        return [run_job(uow_factory, j, k, owner, settings, now, i) for j, k, i in claimed]
    futures = [executor.submit(run_job, uow_factory, j, k, owner, settings, now, i)
               for j, k, i in claimed]
    return [f.result() for f in futures]


def run_until_idle(uow_factory: UowFactory, settings: Settings, owner: str, *,
                   now: Callable[[], datetime] = clock.now, rounds: int = 20
                   ) -> list[JobOutcome]:
    """Poll until nothing is due (tests, `vocflow jobs --run`): firing may make more due."""
    outcomes: list[JobOutcome] = []
    for _ in range(rounds):
        batch = poll(uow_factory, settings, owner, now=now)
        if not batch:
            break
        outcomes += batch
    return outcomes
