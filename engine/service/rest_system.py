"""Camunda's engine-wide answers we can give truthfully: engines, telemetry, tenants.

One engine ("default"); telemetry is never collected or sent; we keep no tenants (a
deployment's tenant-id is kept as a label only), so tenant lists are empty and a tenant
cannot be created.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engine import authz
from engine.errors import InvalidState, NotFound
from engine.repository import Query
from engine.service.actors import Actor
from engine.uow import UnitOfWork

ENGINE_NAME = "default"
PRODUCT = "VocFlow"


def engines(uow: UnitOfWork, *, actor: Actor) -> list[str]:
    """The process engines this server runs: one."""
    del uow, actor
    return [ENGINE_NAME]


def telemetry_enabled(uow: UnitOfWork, *, actor: Actor) -> bool:
    """Always False: nothing is collected or sent anywhere."""
    del uow, actor
    return False


def configure_telemetry(uow: UnitOfWork, enable: bool, *, actor: Actor) -> None:
    """Admin: turning telemetry off is what it already is; turning it on is refused."""
    del uow
    authz.require_admin(actor, "configure telemetry")
    if enable:
        raise InvalidState("telemetry is not supported: it stays disabled")


def telemetry_data(uow: UnitOfWork, version: str, *, actor: Actor) -> dict[str, Any]:
    """What a telemetry report would hold, for admin to see (it is never sent)."""
    authz.require_admin(actor, "read telemetry data")
    return {"product": PRODUCT, "version": version, "database": uow.definitions.dialect}


def tenants(uow: UnitOfWork, *, actor: Actor) -> list[Any]:
    """Every tenant: none."""
    del uow, actor
    return []


def tenant(uow: UnitOfWork, tenant_id: str, *, actor: Actor) -> Any:
    del uow, actor
    raise NotFound(f"Tenant with id {tenant_id} does not exist")


def create_tenant(uow: UnitOfWork, tenant_id: str, *, actor: Actor) -> None:
    """Admin: refused, tenants are not supported."""
    del uow
    authz.require_admin(actor, "create tenants")
    raise InvalidState(f"tenants are not supported (cannot create tenant {tenant_id})")


def change_tenant(uow: UnitOfWork, tenant_id: str, *, actor: Actor) -> None:
    """Admin: any change to a tenant finds no tenant."""
    authz.require_admin(actor, "change tenants")
    tenant(uow, tenant_id, actor=actor)


# Camunda's metric names we can count from what we store (every instance is a root one:
# call activities run inside their caller's instance).
COUNTED_METRICS = {"root-process-instance-start": "started_at"}


def metric_sum(uow: UnitOfWork, name: str, start: datetime | None, end: datetime | None, *,
               actor: Actor) -> int:
    """Ops: the sum of a metric between start (inclusive) and end (exclusive), counted from
    the instances still stored (a deleted instance no longer counts)."""
    authz.require_ops(actor, "read metrics")
    field = COUNTED_METRICS.get(name)
    if field is None:
        raise InvalidState(f"metric '{name}' is not counted; we count "
                           + ", ".join(sorted(COUNTED_METRICS)))
    filters = [(field, "ge", start)] if start else []
    filters += [(field, "lt", end)] if end else []
    return uow.queries.count("history_instance", Query(filters=tuple(filters)),
                             authz.scope_filter(actor))


def delete_task_worker_metrics(uow: UnitOfWork, *, actor: Actor) -> None:
    """Admin: we keep no task worker metrics, so there is nothing to delete."""
    del uow
    authz.require_admin(actor, "delete metrics")


METRIC_ROWS = 100_000  # instances one interval report reads at most


@dataclass(frozen=True)
class MetricInterval:
    """One interval of a metric: its start, the metric's name and the count in it."""

    timestamp: datetime
    name: str
    value: int


def metric_intervals(uow: UnitOfWork, name: str | None, start: datetime | None,
                     end: datetime | None, interval_seconds: int, *,
                     actor: Actor) -> list[MetricInterval]:
    """Ops: each counted metric per interval (aligned to the epoch, as Camunda's), newest
    first; intervals without a count are left out, as Camunda leaves them."""
    authz.require_ops(actor, "read metrics")
    names = [name] if name else sorted(COUNTED_METRICS)
    result: list[MetricInterval] = []
    for metric in names:
        field = COUNTED_METRICS.get(metric)
        if field is None:
            raise InvalidState(f"metric '{metric}' is not counted; we count "
                               + ", ".join(sorted(COUNTED_METRICS)))
        filters = [(field, "ge", start)] if start else []
        filters += [(field, "lt", end)] if end else []
        rows = uow.queries.rows("history_instance",
                                Query(tuple(filters), (), 0, METRIC_ROWS),
                                authz.scope_filter(actor))
        counts: Counter[int] = Counter()
        for row in rows:
            moment = getattr(row[0], field)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            counts[int(moment.timestamp()) // interval_seconds * interval_seconds] += 1
        result += [MetricInterval(datetime.fromtimestamp(at, UTC), metric, value)
                   for at, value in counts.items()]
    return sorted(result, key=lambda item: (item.timestamp, item.name), reverse=True)
