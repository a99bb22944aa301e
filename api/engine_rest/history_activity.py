"""Camunda /history/activity-instance: every run of a BPMN activity, running or ended."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.query import Param, Spec, parse, text, when
from api.engine_rest.variables import format_date
from engine.models import HistoricActivity, ProcessInstance
from engine.service import rest_history

DATE = "date"
RESOURCE = "history_activity"
SPEC = Spec(
    params={
        "activityInstanceId": text("id"), "processInstanceId": text("instance_id"),
        "processDefinitionId": text("definition_id"), "executionId": text("execution_id"),
        "activityId": text("element_id"), "activityName": text("name"),
        "activityType": text("type"), "taskAssignee": text("assignee"),
        "finished": when("finished", "true"), "unfinished": when("finished", "true", False),
        "completeScope": when("complete_scope", "true"),
        "canceled": when("canceled", "true"),
        "startedBefore": Param("started_at", "le", DATE),
        "startedAfter": Param("started_at", "ge", DATE),
        "finishedBefore": Param("ended_at", "le", DATE),
        "finishedAfter": Param("ended_at", "ge", DATE),
        "tenantIdIn": Param("tenant", "in", "list"),
        "withoutTenantId": when("tenant", "null"),
    },
    sorts={"activityInstanceId": "id", "instanceId": "instance_id",
           "executionId": "execution_id", "activityId": "element_id",
           "activityName": "name", "activityType": "type", "startTime": "started_at",
           "endTime": "ended_at", "duration": "duration_ms", "definitionId": "definition_id",
           "occurrence": "occurrence", "tenantId": "tenant_id"},
)


def historic_activity_dto(row: HistoricActivity, instance: ProcessInstance,
                          assignee: str | None, tenant_id: str | None) -> dict[str, Any]:
    """Camunda's HistoricActivityInstanceDto. A call activity runs inside its caller's
    instance here, so calledProcessInstanceId stays empty."""
    return {
        "id": row.id, "parentActivityInstanceId": row.parent_id,
        "activityId": row.element_id, "activityName": row.name, "activityType": row.type,
        "processDefinitionKey": instance.process_key,
        "processDefinitionId": instance.definition_id, "processInstanceId": row.instance_id,
        "executionId": row.execution_id, "taskId": row.task_id,
        "calledProcessInstanceId": None, "calledCaseInstanceId": None, "assignee": assignee,
        "startTime": format_date(row.started_at), "endTime": format_date(row.ended_at),
        "durationInMillis": row.duration_ms, "canceled": bool(row.canceled),
        "completeScope": bool(row.complete_scope), "tenantId": tenant_id,
        "removalTime": None, "rootProcessInstanceId": row.instance_id,
    }


def _list(body: dict[str, Any] | None = None) -> Any:
    rows = run(rest_history.query, RESOURCE, parse(SPEC, body))
    return jsonify([historic_activity_dto(*row) for row in rows])


def _count(body: dict[str, Any] | None = None) -> Any:
    return jsonify({"count": run(rest_history.count, RESOURCE, parse(SPEC, body, paged=False))})


@routes.get("/history/activity-instance")
def list_historic_activity_instances() -> Any:
    return _list()


@routes.post("/history/activity-instance")
def query_historic_activity_instances() -> Any:
    return _list(json_body())


@routes.get("/history/activity-instance/count")
def count_historic_activity_instances() -> Any:
    return _count()


@routes.post("/history/activity-instance/count")
def count_historic_activity_instances_post() -> Any:
    return _count(json_body())


@routes.get("/history/activity-instance/<activity_instance_id>")
def get_historic_activity_instance(activity_instance_id: str) -> Any:
    return jsonify(historic_activity_dto(*run(rest_history.activity, activity_instance_id)))
