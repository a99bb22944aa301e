"""Camunda's history reports: task counts, task and instance durations per month or quarter.

The rows are selected in SQL (in scope, by the report's filters); the grouping is done
here. Periods are months or quarters of the product's time zone (Asia/Shanghai).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from engine import expressions
from engine.models import ProcessDefinition
from engine.repository import Query
from engine.service import scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork

PERIODS = ("month", "quarter")


@dataclass(frozen=True)
class Duration:
    """One period's durations of ended work, in milliseconds."""

    period: int
    unit: str
    minimum: int
    maximum: int
    average: int


@dataclass(frozen=True)
class TaskCount:
    """Completed tasks of one definition (and, grouped by task name, of one name)."""

    definition: ProcessDefinition
    task_name: str | None
    count: int


@dataclass(frozen=True)
class Cleanable:
    """A definition's ended instances (or a decision's evaluations), and those past its
    history time to live."""

    definition: ProcessDefinition
    time_to_live: int | None
    finished: int
    cleanable: int
    tenant_id: str | None = None


@lru_cache(maxsize=512)
def _time_to_live(definition_id: str, element: str, key: str, xml: str) -> int | None:
    del definition_id  # the cache key: a definition's XML never changes
    tag = re.search(r"<(?:\w+:)?" + element + r"\b[^>]*\bid=\"" + re.escape(key) + r"\"[^>]*>",
                    xml)
    found = tag and re.search(r"historyTimeToLive=\"(\d+)\"", tag.group(0))
    return int(found.group(1)) if found else None


def time_to_live(definition: ProcessDefinition) -> int | None:
    """The history time to live in days: as set over REST, else the camunda:historyTimeToLive
    of the process (or, for a decision definition, the decision) element."""
    if definition.history_ttl_set:
        return definition.history_ttl_days
    element = "decision" if definition.kind == "decision" else "process"
    return _time_to_live(definition.id, element, definition.key, definition.source_xml)


def _period(moment: datetime, unit: str) -> int:
    local = moment.astimezone(ZoneInfo(expressions.PRODUCT_TZ))
    return local.month if unit == "month" else (local.month - 1) // 3 + 1


def _durations(pairs: Iterable[tuple[datetime, datetime]], moment_of: int, unit: str
               ) -> list[Duration]:
    """Group (start, end) pairs by the period of the start (0) or the end (1)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for pair in pairs:
        start, end = pair
        groups[_period(pair[moment_of], unit)].append(
            int((end - start).total_seconds() * 1000))
    return [Duration(p, unit.upper(), min(v), max(v), sum(v) // len(v))
            for p, v in sorted(groups.items())]


def _ended_tasks(uow: UnitOfWork, filters: tuple[tuple[str, str, Any], ...],
                 actor: Actor) -> list[Any]:
    query = Query(filters=(("ended_at", "null", False), ("end_reason", "eq", "completed"),
                           *filters))
    return list(uow.queries.rows("history_task", query, scopes.scope_of(actor)))


def task_durations(uow: UnitOfWork, unit: str, filters: tuple[tuple[str, str, Any], ...],
                   *, actor: Actor) -> list[Duration]:
    """How long completed tasks took, grouped by the period they were completed in."""
    rows = _ended_tasks(uow, filters, actor)
    return _durations(((t.created_at, t.ended_at) for t, _pi, _ht in rows
                       if t.created_at is not None), 1, unit)


def task_counts(uow: UnitOfWork, by_name: bool, filters: tuple[tuple[str, str, Any], ...],
                *, actor: Actor) -> list[TaskCount]:
    """Completed tasks per definition, or per definition and task name."""
    counts: dict[tuple[str, str | None], int] = defaultdict(int)
    for task, instance, _open in _ended_tasks(uow, filters, actor):
        counts[(instance.definition_id, task.name if by_name else None)] += 1
    result = []
    for (definition_id, name), n in sorted(counts.items(), key=lambda kv: (
            kv[0][1] or "", kv[0][0])):
        definition = uow.definitions.get(definition_id)
        if definition is not None:
            result.append(TaskCount(definition, name, n))
    return result


def instance_durations(uow: UnitOfWork, unit: str,
                       filters: tuple[tuple[str, str, Any], ...], *,
                       actor: Actor) -> list[Duration]:
    """How long ended instances ran, grouped by the period they started in."""
    query = Query(filters=(("finished", "true", True), *filters))
    rows = uow.queries.rows("history_instance", query, scopes.scope_of(actor))
    return _durations(((i.started_at, i.ended_at) for i, _definition in rows
                       if i.ended_at is not None), 0, unit)


def cleanable_instances(uow: UnitOfWork, filters: tuple[tuple[str, str, Any], ...],
                        now: datetime, *, actor: Actor) -> list[Cleanable]:
    """Per process definition: its ended instances in scope, and how many of those ended
    longer ago than its history time to live (none without one). VocFlow removes none."""
    scope = scopes.scope_of(actor)
    result = []
    for definition in uow.queries.rows("definition", Query(filters=filters), scope):
        ended = (("definition_id", "eq", definition.id), ("finished", "true", True))
        finished = uow.queries.count("history_instance", Query(filters=ended), scope)
        days = time_to_live(definition)
        cleanable = 0 if days is None or not finished else uow.queries.count(
            "history_instance", Query(filters=(*ended, ("ended_at", "lt",
                                                         now - timedelta(days=days)))), scope)
        result.append(Cleanable(definition, days, finished, cleanable))
    return result


def cleanable_decisions(uow: UnitOfWork, filters: tuple[tuple[str, str, Any], ...],
                        now: datetime, *, actor: Actor) -> list[Cleanable]:
    """Per decision definition: its evaluations in scope (each is finished when recorded),
    and how many were made longer ago than its history time to live. VocFlow removes none."""
    scope = scopes.scope_of(actor)
    definitions = uow.queries.rows("decision", Query(filters=filters), scope)
    tenants = uow.definitions.deployment_tenants(sorted({d.deployment_id for d in definitions}))
    result = []
    for definition in definitions:
        own = (("decision_definition_id", "eq", definition.id),)
        finished = uow.queries.count("history_decision", Query(filters=own), scope)
        days = time_to_live(definition)
        cleanable = 0 if days is None or not finished else uow.queries.count(
            "history_decision", Query(filters=(*own, ("evaluated_at", "lt",
                                                       now - timedelta(days=days)))), scope)
        result.append(Cleanable(definition, days, finished, cleanable,
                                tenants.get(definition.deployment_id)))
    return result
