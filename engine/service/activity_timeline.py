"""The instance page's timeline: every activity run of one instance, from its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.repository import Query
from engine.service import rest_history
from engine.service.actors import Actor
from engine.service.scopes import visible_instance
from engine.uow import UnitOfWork

# An instance is kept bounded (a call activity per year), so a few hundred runs is a lot;
# the page says when it shows only the first ones.
LIMIT = 500


@dataclass(frozen=True)
class ActivityRun:
    """One historic activity instance: what ran (element, name, Camunda activity type), who
    held it (user tasks), when it started and ended (UTC), how long (ms); ended_at None:
    still running; canceled: ended without completing (terminated, interrupted, moved)."""

    id: str
    element_id: str
    name: str | None
    type: str
    assignee: str | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_ms: int | None
    canceled: bool


@dataclass(frozen=True)
class ActivityTimeline:
    """runs in the order they started; more: there were more than LIMIT."""

    runs: tuple[ActivityRun, ...]
    more: bool


def instance_activities(uow: UnitOfWork, instance_id: str, *, actor: Actor,
                        limit: int = LIMIT) -> ActivityTimeline:
    """The activity runs of an instance in the actor's scope (NotFound otherwise), read from
    the historic activity instances as /history/activity-instance lists them."""
    instance = visible_instance(uow, instance_id, actor)
    rows = rest_history.query(uow, "history_activity", Query(
        filters=(("instance_id", "eq", instance.id),), limit=limit + 1), actor=actor)
    runs = tuple(ActivityRun(
        id=row.id, element_id=row.element_id, name=row.name, type=row.type, assignee=assignee,
        started_at=row.started_at, ended_at=row.ended_at, duration_ms=row.duration_ms,
        canceled=bool(row.canceled)) for row, _instance, assignee, _tenant in rows[:limit])
    return ActivityTimeline(runs, len(rows) > limit)
