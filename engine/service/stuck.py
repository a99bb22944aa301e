"""Stuck instances: open incidents, stalls, overdue timers and tasks, unclaimable tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from engine import authz
from engine.models import Incident, Job
from engine.service import scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork


@dataclass(frozen=True)
class StuckRow:
    instance_id: str
    reason: str
    element_id: str | None
    detail: str


def find_stuck(uow: UnitOfWork, now: datetime, grace: timedelta, actor: Actor
               ) -> list[StuckRow]:
    """Ops: every sign that an instance cannot move on by itself, one row per sign."""
    authz.require_ops(actor, "list stuck instances")
    rows: list[StuckRow] = []
    for incident in uow.incidents.list(open_only=True, limit=10_000):
        rows.append(StuckRow(incident.instance_id, "incident", incident.element_id,
                             f"{incident.kind}: {incident.message}"))
    for instance in uow.events.stalled():
        rows.append(StuckRow(instance.id, "stalled", None, instance.stall_reason or ""))
    for job in uow.events.overdue_timers(now - grace):
        if job.instance_id is not None and job.due_at is not None:
            late = int((now - job.due_at).total_seconds())
            rows.append(StuckRow(job.instance_id, "timer_overdue", job.element_id,
                                 f"due {job.due_at.isoformat()}, {late} s late: is a worker "
                                 "running?"))
    for task in uow.tasks.overdue(now):
        rows.append(StuckRow(task.instance_id, "task_overdue", task.element_id,
                             f"user task {task.name or task.element_id} was due "
                             f"{task.due_at.isoformat() if task.due_at else '?'}"))
    rows.extend(_unclaimable(uow))
    return sorted(rows, key=lambda r: (r.instance_id, r.reason))


def _unclaimable(uow: UnitOfWork) -> list[StuckRow]:
    rows = []
    for task in uow.events.open_tasks():
        people = [task.assignee] if task.assignee else []
        people += list(task.candidate_users or [])
        if people and uow.users.existing_usernames(people):
            continue
        groups = list(task.candidate_groups or [])
        if groups and uow.users.members_of(groups):
            continue
        rows.append(StuckRow(
            task.instance_id, "no_claimant", task.element_id,
            f"no existing user may claim {task.name or task.element_id} (assignee "
            f"{task.assignee or '-'}, users {people or '-'}, groups {groups or '-'})"))
    return rows


@dataclass(frozen=True)
class OpsConsole:
    """What the ops console shows: stuck instances, open incidents, jobs by due time."""

    stuck: list[StuckRow]
    incidents: list[Incident]
    jobs: list[Job]


def ops_console(uow: UnitOfWork, actor: Actor, now: datetime, grace: timedelta,
                job_limit: int = 200) -> OpsConsole:
    """Ops only (find_stuck and scopes.list_jobs check): the console in one unit of work."""
    return OpsConsole(stuck=find_stuck(uow, now, grace, actor),
                      incidents=list(scopes.list_incidents(uow, actor)),
                      jobs=list(scopes.list_jobs(uow, actor, limit=job_limit)))
