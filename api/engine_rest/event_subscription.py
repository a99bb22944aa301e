"""Camunda GET /event-subscription: waiting message and signal catches (what clients
correlate) and conditional ones (eventType conditional, no event name)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import arg, routes, run
from engine.models.events import EventSubscription
from engine.service import subscriptions


def subscription_dto(row: EventSubscription) -> dict[str, Any]:
    return {
        "id": str(row.id), "eventType": row.kind, "eventName": row.name or None,
        "executionId": row.instance_id, "processInstanceId": row.instance_id,
        "activityId": row.element_id, "createdDate": None, "tenantId": None,
    }


def _query() -> list[dict[str, Any]]:
    rows = run(subscriptions.list_subscriptions, instance_id=arg("processInstanceId") or None,
               kind=arg("eventType") or None, name=arg("eventName") or None)
    dtos = [subscription_dto(r) for r in rows]
    activity = arg("activityId")
    return [d for d in dtos if not activity or d["activityId"] == activity]


@routes.get("/event-subscription")
def list_event_subscriptions() -> Any:
    rows = _query()
    first = int(arg("firstResult") or 0)
    size = arg("maxResults")
    return jsonify(rows[first:] if size in (None, "") else rows[first:first + int(size)])


@routes.get("/event-subscription/count")
def count_event_subscriptions() -> Any:
    return jsonify({"count": len(_query())})
