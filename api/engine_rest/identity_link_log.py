"""Camunda /history/identity-link-log: who was made, or stopped being, a task's assignee.

Read from the claim, unclaim and assign events; candidate users and groups are not in the
events, so `type` and `groupId` are refused rather than answered with half the links.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import routes, run
from api.engine_rest.query import Param, Spec, parse, text
from api.engine_rest.variables import format_date
from engine.models import HistoryEvent, ProcessInstance
from engine.service import rest_history

RESOURCE = "history_identity_link"
SPEC = Spec(
    params={"userId": text("user_id"), "taskId": text("task_id"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"),
            "operationType": text("link_operation"), "assignerId": text("actor"),
            "dateBefore": Param("at", "lt", "date"), "dateAfter": Param("at", "gt", "date")},
    sorts={"time": "at", "userId": "user_id", "taskId": "task_id",
           "processDefinitionId": "definition_id", "processDefinitionKey": "process_key",
           "operationType": "link_operation", "assignerId": "actor"},
)


def linked_user(row: HistoryEvent) -> str | None:
    """As the query's user_id: the claimer, the user assigned, or none (a removal)."""
    if row.action == "task_claimed":
        return row.actor
    if row.action == "task_assigned":
        value = (row.data or {}).get("assignee")
        return None if value is None else str(value)
    return None


def identity_link_dto(row: HistoryEvent, instance: ProcessInstance | None) -> dict[str, Any]:
    """Camunda's HistoricIdentityLinkLogDto."""
    user = linked_user(row)
    return {
        "id": str(row.id), "time": format_date(row.at), "type": "assignee", "userId": user,
        "groupId": None, "taskId": row.task_id,
        "processDefinitionId": instance.definition_id if instance else None,
        "processDefinitionKey": instance.process_key if instance else None,
        "operationType": "add" if user is not None else "delete", "assignerId": row.actor,
        "tenantId": None, "removalTime": None, "rootProcessInstanceId": row.instance_id,
    }


@routes.get("/history/identity-link-log")
def list_identity_links() -> Any:
    rows = run(rest_history.query, RESOURCE, parse(SPEC))
    return jsonify([identity_link_dto(*row) for row in rows])


@routes.get("/history/identity-link-log/count")
def count_identity_links() -> Any:
    return jsonify({"count": run(rest_history.count, RESOURCE, parse(SPEC, paged=False))})
