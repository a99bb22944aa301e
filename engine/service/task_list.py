"""The task lists as pages show them: 待办 with unit and project names, 已办 from history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import clock
from engine.models import HumanTask, ProcessDefinition
from engine.service.actors import Actor
from engine.service.diagrams import element_names
from engine.service.facts import PROJECT, REGISTRATION
from engine.service.scopes import inbox, scope_of
from engine.uow import UnitOfWork

_PAGING = ("sort", "limit", "offset")
_OUTCOME_KEYS = ("decision", "recommended", "rating", "acknowledged")


@dataclass(frozen=True)
class InboxRow:
    """One open task (the HumanTask row) with the names the list shows: unit_name (the
    unit's, or the applicant's for a registration), project_name (key_task_project only);
    overdue: due before now."""

    task: HumanTask
    unit_name: str | None
    project_name: str | None
    overdue: bool


@dataclass(frozen=True)
class CompletedRow:
    """One task the actor completed (已办): when, on which element (its diagram name), of
    which instance, unit and project, with the outcome (decision, rating, ...) and opinion."""

    task_id: str | None
    instance_id: str | None
    process_key: str | None
    element_id: str | None
    element_name: str | None
    completed_at: datetime
    unit_id: str | None
    unit_name: str | None
    project_name: str | None
    instance_status: str | None
    outcome: Mapping[str, Any]
    opinion: str | None


def inbox_rows(uow: UnitOfWork, actor: Actor, *, view: str = "offered",
               now: datetime | None = None, **filters: Any) -> tuple[InboxRow, ...]:
    """scopes.inbox (views mine / claimable / offered / all, its filters, sort "due" or
    "priority", limit, offset) with the unit's and the project's names: three queries for
    the page (the inbox, then the page's facts and units by id), never one per row."""
    return _named(uow, inbox(uow, actor, view=view, **filters), now or clock.now())


def _named(uow: UnitOfWork, tasks: Sequence[HumanTask], now: datetime
           ) -> tuple[InboxRow, ...]:
    facts, units = uow.facts.names((t.instance_id for t in tasks),
                                   (t.unit_id for t in tasks if t.unit_id))
    rows = []
    for task in tasks:
        fact = facts.get(task.instance_id)
        unit_id = task.unit_id or (fact.unit_id if fact else None)
        unit_name = units.get(unit_id) if unit_id else None
        if unit_name is None and fact is not None and fact.process_key == REGISTRATION:
            unit_name = fact.title
        project = fact.title if fact is not None and fact.process_key == PROJECT else None
        rows.append(InboxRow(task, unit_name, project,
                             task.due_at is not None and task.due_at < now))
    return tuple(rows)


@dataclass(frozen=True)
class InboxPage:
    """The task-list page: its rows and the counts (mine / claimable / offered / overdue)."""

    rows: tuple[InboxRow, ...]
    counts: dict[str, int]


def inbox_page(uow: UnitOfWork, actor: Actor, now: datetime, *, view: str = "offered",
               **filters: Any) -> InboxPage:
    """待办: the rows with unit and project names, and the counts, in one unit of work.
    As the list opens (offered, no filter) the page and its counts are one walk of the rows
    (repository.inbox.offered_with_counts), else a query each."""
    paging = {k: v for k, v in filters.items() if k in _PAGING}
    if view == "offered" and not any(v for k, v in filters.items() if k not in _PAGING):
        tasks, counts = uow.inbox.offered_with_counts(scope_of(actor), now, **paging)
        return InboxPage(_named(uow, tasks, now), counts)
    return InboxPage(inbox_rows(uow, actor, view=view, now=now, **filters),
                     uow.inbox.counts(scope_of(actor), now))


def inbox_totals(uow: UnitOfWork, actor: Actor, now: datetime) -> dict[str, int]:
    """Open tasks mine / claimable / offered / overdue in one query (as scopes.inbox_counts)."""
    return uow.inbox.counts(scope_of(actor), now)


def _names(uow: UnitOfWork, definition_id: str | None, bindings: dict[str, str] | None,
           cache: dict[str, dict[str, str]]) -> dict[str, str]:
    if definition_id is None:
        return {}
    if definition_id not in cache:
        found: list[ProcessDefinition] = []
        for def_id in [definition_id, *sorted((bindings or {}).values())]:
            definition = uow.definitions.get(def_id)
            if definition is not None:
                found.append(definition)
        cache[definition_id] = element_names(found)
    return cache[definition_id]


def completed_tasks(uow: UnitOfWork, actor: Actor, limit: int = 50,
                    offset: int = 0) -> tuple[CompletedRow, ...]:
    """Tasks the actor completed, newest first (已办), from the history (index on actor)."""
    limit = max(1, min(int(limit), 500))
    cache: dict[str, dict[str, str]] = {}
    rows = []
    uow.history.write_waiting()
    for r in uow.facts.completed_by(actor.username, limit=limit, offset=max(0, int(offset))):
        data = r.data or {}
        names = _names(uow, r.definition_id, r.bindings, cache)
        rows.append(CompletedRow(
            task_id=r.task_id, instance_id=r.instance_id, process_key=r.process_key,
            element_id=r.element_id, element_name=names.get(r.element_id or ""),
            completed_at=r.at, unit_id=r.unit_id,
            unit_name=r.unit_name or (r.title if r.process_key == REGISTRATION else None),
            project_name=r.title if r.process_key == PROJECT else None,
            instance_status=r.status,
            outcome={k: data[k] for k in _OUTCOME_KEYS if k in data},
            opinion=str(data["opinion"]) if data.get("opinion") else None))
    return tuple(rows)


def completed_count(uow: UnitOfWork, actor: Actor) -> int:
    """How many tasks the actor has completed (for the 已办 pager)."""
    uow.history.write_waiting()
    return uow.facts.count_completed_by(actor.username)


@dataclass(frozen=True)
class CompletedPage:
    """One page of 已办 and how many there are in all (for the pager)."""

    rows: tuple[CompletedRow, ...]
    total: int


def completed_page(uow: UnitOfWork, actor: Actor, limit: int = 50,
                   offset: int = 0) -> CompletedPage:
    """已办 for the page: completed_tasks and completed_count in one unit of work."""
    return CompletedPage(completed_tasks(uow, actor, limit, offset),
                         completed_count(uow, actor))
