"""The instance list of /api/v1: instances in scope, each with why it is stuck."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.service import scopes
from engine.service.actors import Actor
from engine.uow import UnitOfWork

FIELDS = ("id", "definition_id", "process_key", "business_key", "status", "province_code",
          "key_task", "unit_id", "started_by", "started_at", "ended_at", "stall_reason")


def list_instances(uow: UnitOfWork, *, actor: Actor, limit: int = 50,
                   after: tuple[datetime, str] | None = None,
                   **filters: Any) -> list[dict[str, Any]]:
    """Instances in the actor's scope, newest first; `stall_reason` says why one is stuck.

    The reason is the stall the engine recorded, else the oldest open incident (element,
    kind and message), the same words `vocflow instances --stuck` prints.
    """
    rows = scopes.list_instances(uow, actor, limit=limit, after=after, **filters)
    open_incidents = uow.incidents.open_for_instances(
        [r.id for r in rows if r.stall_reason is None])
    reasons: dict[str, str] = {}
    for incident in open_incidents:
        reasons.setdefault(incident.instance_id,
                           f"incident at {incident.element_id or '-'}: {incident.kind}: "
                           f"{incident.message}")
    result = []
    for row in rows:
        item = {name: getattr(row, name) for name in FIELDS}
        item["stall_reason"] = row.stall_reason or reasons.get(row.id)
        result.append(item)
    return result
