"""Read and delete Camunda's historic decision instances, in the caller's scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import authz
from engine.errors import NotFound
from engine.repository import Query
from engine.service.actors import Actor
from engine.service.runtime import record
from engine.uow import UnitOfWork

RESOURCE = "history_decision"


def query(uow: UnitOfWork, q: Query, *, actor: Actor) -> Sequence[Any]:
    """One page of evaluations the actor may see."""
    return uow.queries.rows(RESOURCE, q, authz.scope_filter(actor))


def count(uow: UnitOfWork, q: Query, *, actor: Actor) -> int:
    return uow.queries.count(RESOURCE, q, authz.scope_filter(actor))


def decision(uow: UnitOfWork, decision_instance_id: str, *, actor: Actor) -> Any:
    """One evaluation by id, as the list has it; NotFound out of scope."""
    rows = query(uow, Query(filters=(("id", "eq", decision_instance_id),), limit=1),
                 actor=actor)
    if not rows:
        raise NotFound(f"historic decision instance with id {decision_instance_id} "
                       "does not exist")
    return rows[0]


def delete_many(uow: UnitOfWork, listed: Sequence[str], q: Query | None, *, actor: Actor,
                now: datetime, reason: str | None = None) -> int:
    """Ops: delete evaluations (named, or matching a query) and those they required."""
    authz.require_ops(actor, "delete historic decision instances")
    wanted = set(listed)
    for row in (query(uow, q, actor=actor) if q is not None else []):
        wanted.add(row[0].id)
    missing = sorted(wanted - {row[0].id for row in query(uow, Query(
        filters=(("id", "in", sorted(wanted)),)), actor=actor)}) if wanted else []
    if missing:
        raise NotFound(f"historic decision instance(s) {', '.join(missing)} do not exist")
    deleted = uow.decision_history.delete_ids(sorted(wanted))
    record(uow, None, actor, "decision_history_deleted", now,
           data={"ids": sorted(wanted), "rows": deleted, "reason": reason})
    return len(wanted)
