"""Camunda's schema log, read from Alembic: one entry per migration applied to this database.

Alembic records only the head revision in alembic_version; every revision it descends from
has been applied before it, in chain order. Alembic keeps no time of application, so an
entry's timestamp is None, and sorting by timestamp is sorting by that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine import authz, schema
from engine.errors import Forbidden, ValidationFailed
from engine.repository import Query
from engine.service.actors import Actor
from engine.uow import UnitOfWork


@dataclass(frozen=True)
class SchemaLogEntry:
    id: str
    version: str
    timestamp: datetime | None = None


def entries(uow: UnitOfWork, q: Query, *, actor: Actor) -> list[SchemaLogEntry]:
    """The applied revisions (admin or ops), filtered by version (op "eq"), in order of
    application unless q sorts by timestamp descending, then paged."""
    if not authz.is_ops(actor):  # admin included
        raise Forbidden("only members of 'admin' or 'ops' may read the schema log")
    rows = [SchemaLogEntry(revision, revision)
            for revision in schema.applied_revisions(uow.schema_log.applied_heads())]
    for field, op, value in q.filters:
        if (field, op) != ("version", "eq"):
            raise ValidationFailed(f"schema log: cannot filter on {field}")
        rows = [row for row in rows if row.version == value]
    for field, descending in q.sort:
        if field != "timestamp":
            raise ValidationFailed(f"schema log: cannot sort by {field}")
        if descending:
            rows.reverse()
    end = None if q.limit is None else q.offset + q.limit
    return rows[q.offset:end]
