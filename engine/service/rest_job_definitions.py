"""Camunda job definitions: the timers of each deployed process definition (engine.ids).

They are read from the deployed diagrams (every signed-in user may read definitions); the
definitions are chosen in SQL, their timers listed from the XML, at most MAX_DEFINITIONS
definitions per query. Job definitions cannot be suspended or given a priority here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import ids
from engine.bpmn.job_definitions import TimerDefinition, timer_definitions
from engine.errors import NotFound, ValidationFailed
from engine.models import ProcessDefinition
from engine.repository import Query
from engine.service import rest_jobs, scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork

MAX_DEFINITIONS = 2000


@dataclass(frozen=True)
class JobDefinition:
    id: str
    definition: ProcessDefinition
    timer: TimerDefinition


def _of(definition: ProcessDefinition) -> list[JobDefinition]:
    return [JobDefinition(ids.job_definition_id(definition.id, t.element_id) or "",
                          definition, t)
            for t in timer_definitions(definition.source_xml, definition.key)]


_SORTS = {"jobDefinitionId": lambda j: j.id, "activityId": lambda j: j.timer.element_id,
          "processDefinitionId": lambda j: j.definition.id,
          "processDefinitionKey": lambda j: j.definition.key,
          "jobType": lambda j: j.timer.job_type,
          "jobConfiguration": lambda j: j.timer.configuration}


def _keep(item: JobDefinition, local: dict[str, Any]) -> bool:
    checks = (("id", item.id), ("job_type", item.timer.job_type),
              ("configuration", item.timer.configuration))
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
    found = [j for row in rows for j in _of(row) if _keep(j, local)]
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
            return item
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
