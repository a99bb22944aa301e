"""Camunda job definitions: the timers of each deployed process definition (engine.ids).

They are read from the deployed diagrams (every signed-in user may read definitions); the
definitions are chosen in SQL, their timers listed from the XML, at most MAX_DEFINITIONS
definitions per query. Ops suspend them and override their jobs' priority
(job_definition_settings): with includeJobs their jobs now, and the jobs made for them later
always (engine.service.projection reads the settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import authz, ids
from engine.bpmn.job_definitions import TimerDefinition, timer_definitions
from engine.errors import NotFound, ValidationFailed
from engine.models import ProcessDefinition
from engine.repository import Query
from engine.service import rest_jobs, scopes
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.uow import UnitOfWork

MAX_DEFINITIONS = 2000


@dataclass(frozen=True)
class JobDefinition:
    """A timer of a deployed diagram; suspended and priority (the overriding job priority,
    None: none) as ops set them."""

    id: str
    definition: ProcessDefinition
    timer: TimerDefinition
    suspended: bool = False
    priority: int | None = None


def _of(definition: ProcessDefinition) -> list[JobDefinition]:
    return [JobDefinition(ids.job_definition_id(definition.id, t.element_id) or "",
                          definition, t)
            for t in timer_definitions(definition.source_xml, definition.key)]


def _with_settings(uow: UnitOfWork, items: list[JobDefinition]) -> list[JobDefinition]:
    found = uow.job_definitions.settings([j.id for j in items])
    return [JobDefinition(j.id, j.definition, j.timer, found[j.id].suspended,
                          found[j.id].priority) if j.id in found else j for j in items]


_SORTS = {"jobDefinitionId": lambda j: j.id, "activityId": lambda j: j.timer.element_id,
          "processDefinitionId": lambda j: j.definition.id,
          "processDefinitionKey": lambda j: j.definition.key,
          "jobType": lambda j: j.timer.job_type,
          "jobConfiguration": lambda j: j.timer.configuration}


def _keep(item: JobDefinition, local: dict[str, Any]) -> bool:
    checks = (("id", item.id), ("job_type", item.timer.job_type),
              ("configuration", item.timer.configuration), ("suspended", item.suspended),
              ("with_priority", item.priority is not None or None))
    if any(local.get(k) is not None and local[k] != v for k, v in checks):
        return False
    wanted = local.get("activity_ids")
    return wanted is None or item.timer.element_id in wanted


def list_job_definitions(uow: UnitOfWork, q: Query, local: dict[str, Any], *,
                         actor: Actor) -> tuple[list[JobDefinition], int]:
    """(one page, total); `q` chooses definitions in SQL, `local` filters their timers."""
    rows = uow.queries.rows("definition", Query(q.filters, (), 0, MAX_DEFINITIONS + 1),
                            scopes.scope_of(actor))
    if len(rows) > MAX_DEFINITIONS:
        raise ValidationFailed(f"more than {MAX_DEFINITIONS} process definitions match; "
                               "narrow with processDefinitionId or processDefinitionKey")
    found = [j for j in _with_settings(uow, [j for row in rows for j in _of(row)])
             if _keep(j, local)]
    found.sort(key=lambda j: j.id)
    for key, descending in reversed(local.get("sort") or []):
        found.sort(key=_SORTS[key], reverse=descending)
    end = None if q.limit is None else q.offset + q.limit
    return found[q.offset:end], len(found)


def job_definition(uow: UnitOfWork, job_definition_id: str, *, actor: Actor) -> JobDefinition:
    del actor  # definitions are not scoped
    parts = ids.split_job_definition_id(job_definition_id)
    definition = uow.definitions.get(parts[0]) if parts else None
    for item in _of(definition) if definition is not None else []:
        if item.id == job_definition_id:
            return _with_settings(uow, [item])[0]
    raise NotFound(f"Job Definition with id {job_definition_id} does not exist")


def set_retries(uow: UnitOfWork, job_definition_id: str, retries: int, *, actor: Actor,
                now: datetime) -> int:
    """Retries of every failed job (no retries left) of the job definition (ops)."""
    item = job_definition(uow, job_definition_id, actor=actor)
    q = Query(filters=(("definition_id", "eq", item.definition.id),
                       ("element_id", "eq", item.timer.element_id), ("retries", "eq", 0)))
    failed = rest_jobs.matching(uow, q, actor=actor)
    if not failed:
        return 0
    return rest_jobs.set_retries_many(uow, [j.id for j in failed], None, retries, actor=actor,
                                      now=now)


def _jobs_of(item: JobDefinition) -> Query:
    return Query(filters=(("definition_id", "eq", item.definition.id),
                          ("element_id", "eq", item.timer.element_id)))


def set_suspended(uow: UnitOfWork, job_definition_id: str, suspended: bool,
                  include_jobs: bool = False, *, actor: Actor, now: datetime) -> None:
    """Ops: suspend (its jobs made from now on are suspended, not fired) or activate a job
    definition; with include_jobs, its existing jobs too."""
    authz.require_ops(actor, "suspend or activate job definitions")
    item = job_definition(uow, job_definition_id, actor=actor)
    setting = uow.job_definitions.setting_for_update(item.id)
    setting.suspended = suspended
    record(uow, None, actor, "job_definition_suspended" if suspended
           else "job_definition_activated", now, element_id=item.timer.element_id,
           data={"job_definition_id": item.id, "include_jobs": include_jobs})
    if include_jobs:
        for job in rest_jobs.matching(uow, _jobs_of(item), actor=actor):
            rest_jobs.set_suspended(uow, job.id, suspended, actor=actor, now=now)
    uow.flush()


def set_suspended_by(uow: UnitOfWork, suspended: bool, include_jobs: bool = False, *,
                     job_definition_id: str | None = None, definition_id: str | None = None,
                     definition_key: str | None = None, actor: Actor, now: datetime) -> int:
    """PUT /job-definition/suspended: one job definition, or every one of a process
    definition (id) or of every version of a key; how many."""
    authz.require_ops(actor, "suspend or activate job definitions")
    given = [v for v in (job_definition_id, definition_id, definition_key) if v is not None]
    if len(given) != 1:
        raise ValidationFailed("give exactly one of jobDefinitionId, processDefinitionId and "
                               "processDefinitionKey")
    if job_definition_id is not None:
        wanted = [job_definition(uow, job_definition_id, actor=actor)]
    else:
        field, value = (("id", definition_id) if definition_id is not None
                        else ("key", definition_key))
        chosen = Query(filters=((field, "eq", value),))
        wanted, _total = list_job_definitions(uow, chosen, {}, actor=actor)
        if not wanted and not uow.queries.rows("definition", chosen, scopes.scope_of(actor)):
            raise NotFound(f"process definition with {field} {value} does not exist")
    for item in wanted:
        set_suspended(uow, item.id, suspended, include_jobs, actor=actor, now=now)
    return len(wanted)


def set_priority(uow: UnitOfWork, job_definition_id: str, priority: int | None,
                 include_jobs: bool = False, *, actor: Actor, now: datetime) -> None:
    """Ops: the priority of the jobs made for a job definition from now on (None: clear
    it); with include_jobs, of its existing jobs too (not with None: they keep theirs)."""
    authz.require_ops(actor, "set job definition priorities")
    if priority is None and include_jobs:
        raise ValidationFailed("Cannot reset priority for job definition with includeJobs: "
                               "give a priority, or includeJobs false")
    if priority is not None and not -rest_jobs.PRIORITY - 1 <= priority <= rest_jobs.PRIORITY:
        raise ValidationFailed("priority must be a 64-bit integer")
    item = job_definition(uow, job_definition_id, actor=actor)
    uow.job_definitions.setting_for_update(item.id).priority = priority
    record(uow, None, actor, "job_definition_priority_set", now,
           element_id=item.timer.element_id,
           data={"job_definition_id": item.id, "priority": priority,
                 "include_jobs": include_jobs})
    if include_jobs and priority is not None:
        for job in rest_jobs.matching(uow, _jobs_of(item), actor=actor):
            rest_jobs.set_priority(uow, job.id, priority, actor=actor, now=now)
    uow.flush()
