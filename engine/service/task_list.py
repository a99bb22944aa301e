"""The task lists people read: open tasks with unit and project names, and what I completed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.models import HistoryEvent, HumanTask
from engine.repository.product import ProductRepository
from engine.service import scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork


@dataclass(frozen=True)
class TaskRow:
    """An open task with the names a person reads instead of ids."""

    task: HumanTask
    unit_name: str | None
    project_name: str | None


@dataclass(frozen=True)
class TaskList:
    rows: list[TaskRow]
    counts: dict[str, int]


@dataclass(frozen=True)
class DoneRow:
    """A task I completed: its history event and the instance's process and unit names."""

    event: HistoryEvent
    process_key: str
    unit_name: str | None
    project_name: str | None


def _named(uow: UnitOfWork, items: Sequence[tuple[str | None, str | None]]
           ) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    product = ProductRepository.of(uow)
    units = product.unit_names(u for u, _ in items if u)
    titles = product.project_titles((u, k) for u, k in items if u and k)
    return units, titles


def task_list(uow: UnitOfWork, *, actor: Actor, now: datetime, view: str = "offered",
              **filters: Any) -> TaskList:
    """Open tasks in the actor's scope (as scopes.inbox, same filters) and the counts."""
    tasks = scopes.inbox(uow, actor, view=view, **filters)
    units, titles = _named(uow, [(t.unit_id, t.key_task) for t in tasks])
    rows = [TaskRow(t, units.get(t.unit_id or ""), titles.get((t.unit_id or "", t.key_task or "")))
            for t in tasks]
    return TaskList(rows, scopes.inbox_counts(uow, actor, now))


def completed_tasks(uow: UnitOfWork, *, actor: Actor, limit: int = 100) -> list[DoneRow]:
    """已办: the tasks the actor completed, newest first (their own history only)."""
    found = uow.history.completed_by(actor.username, limit)
    units, titles = _named(uow, [(r.unit_id, r.key_task) for r in found])
    return [DoneRow(r[0], r.process_key, units.get(r.unit_id or ""),
                    titles.get((r.unit_id or "", r.key_task or ""))) for r in found]
