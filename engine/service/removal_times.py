"""Camunda's set-removal-time on historic process instances, decision evaluations, batches.

A removal time says when a piece of history may go. VocFlow runs no history cleanup (its
history is kept: /history/cleanup/configuration says disabled), so nothing removes a row by
it; the time is kept and shown, as in Camunda with the cleanup disabled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine import authz
from engine.errors import NotFound, ValidationFailed
from engine.repository import Query, ScopeFilter
from engine.service import scopes
from engine.service.actors import Actor
from engine.service.history_reports import time_to_live
from engine.service.runtime import record
from engine.uow import UnitOfWork

LIMIT = 1000


@dataclass(frozen=True)
class RemovalMode:
    """Exactly one of: an absolute time, cleared (None), or calculated from the end (an
    instance) or evaluation (a decision) plus its definition's history time to live."""

    absolute: datetime | None = None
    cleared: bool = False
    calculated: bool = False

    def time(self, start: datetime | None, days: int | None) -> datetime | None:
        if self.calculated:
            return None if start is None or days is None else start + timedelta(days=days)
        return None if self.cleared else self.absolute


def _chosen(uow: UnitOfWork, resource: str, listed: Sequence[str], q: Query | None,
            scope: ScopeFilter, what: str) -> dict[str, tuple[Any, ...]]:
    """The rows named (each must exist in scope) and those q finds, by id."""
    wanted = set(listed)
    if q is not None:
        found = uow.queries.rows(resource, Query(q.filters, q.sort, 0, LIMIT + 1), scope)
        wanted |= {row[0].id for row in found}
    if not wanted:
        raise ValidationFailed(f"{what} is empty: give ids or a query that finds some")
    if len(wanted) > LIMIT:
        raise ValidationFailed(f"at most {LIMIT} rows per request")
    rows = {row[0].id: tuple(row) for row in uow.queries.rows(
        resource, Query(filters=(("id", "in", sorted(wanted)),)), scope)}
    missing = sorted(wanted - set(rows))
    if missing:
        raise NotFound(f"{what}: {', '.join(missing[:10])} do not exist")
    return rows


def for_instances(uow: UnitOfWork, listed: Sequence[str], q: Query | None, mode: RemovalMode,
                  *, hierarchical: bool = False, actor: Actor, now: datetime) -> int:
    """Ops: set the removal time of historic process instances; how many were set.

    hierarchical changes nothing here: a VocFlow instance has no sub-instances (call
    activities run inside it), so each is its own root."""
    authz.require_ops(actor, "set removal times")
    rows = _chosen(uow, "history_instance", listed, q, scopes.scope_of(actor),
                   "historicProcessInstanceIds")
    times = {instance_id: mode.time(instance.ended_at, time_to_live(definition))
             for instance_id, (instance, definition) in rows.items()}
    uow.removal_times.set_for_instances(times)
    record(uow, None, actor, "removal_time_set", now, data={
        "instances": sorted(times), "hierarchical": hierarchical,
        "mode": "calculated" if mode.calculated else "cleared" if mode.cleared else "absolute",
        "absolute": mode.absolute})
    return len(times)


def for_decisions(uow: UnitOfWork, listed: Sequence[str], q: Query | None, mode: RemovalMode,
                  *, hierarchical: bool = False, actor: Actor, now: datetime) -> int:
    """Ops: set the removal time of decision evaluations (hierarchical: also of the
    evaluations they required); how many were set."""
    authz.require_ops(actor, "set removal times")
    scope = authz.scope_filter(actor)
    rows = _chosen(uow, "history_decision", listed, q, scope, "historicDecisionInstanceIds")
    if hierarchical:
        rows |= {row[0].id: tuple(row) for row in uow.queries.rows("history_decision", Query(
            filters=(("root_id", "in", sorted(rows)),)), scope)}
    ttl: dict[str | None, int | None] = {}
    times = {}
    for decision_id, (evaluation, *_rest) in rows.items():
        key = evaluation.decision_definition_id
        if key not in ttl:
            definition = uow.definitions.get(key) if key else None
            ttl[key] = time_to_live(definition) if definition is not None else None
        times[decision_id] = mode.time(evaluation.evaluated_at, ttl[key])
    uow.removal_times.set_for_decisions(times)
    record(uow, None, actor, "decision_removal_time_set", now, data={
        "ids": sorted(times), "hierarchical": hierarchical,
        "mode": "calculated" if mode.calculated else "cleared" if mode.cleared else "absolute",
        "absolute": mode.absolute})
    return len(times)


def for_batches(uow: UnitOfWork, listed: Sequence[str], mode: RemovalMode, *,
                actor: Actor) -> int:
    """Ops: set the removal time of historic batches. VocFlow keeps no batch records (each
    batch is done before its answer), so a named one does not exist and a query finds none:
    Camunda's answer for an empty selection."""
    del uow, mode
    authz.require_ops(actor, "set removal times")
    if listed:
        raise NotFound(f"historic batch(es) {', '.join(sorted(listed)[:10])} do not exist")
    raise ValidationFailed("historicBatchIds is empty: VocFlow keeps no batch records")
