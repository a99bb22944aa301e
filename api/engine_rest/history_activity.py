"""Camunda /history/activity-instance: every run of a BPMN activity, running or ended; and
/history/process-definition/{id}/statistics, the runs counted per activity."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import flag, json_body, routes, run
from api.engine_rest.errors import RestError
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


STATISTICS = Spec(
    params={"startedBefore": Param("started_at", "lt", DATE),
            "startedAfter": Param("started_at", "gt", DATE),
            "finishedBefore": Param("ended_at", "lt", DATE),
            "finishedAfter": Param("ended_at", "gt", DATE),
            "processInstanceIdIn": Param("instance_id", "in", "list")},
    sorts={"activityId": "element_id"},
    shaping=("canceled", "finished", "completeScope", "incidents"),
)
_COUNTS = ("instances", "canceled", "finished", "completeScope")
_INCIDENTS = ("openIncidents", "resolvedIncidents", "deletedIncidents")


@routes.get("/history/process-definition/<definition_id>/statistics")
def historic_activity_statistics(definition_id: str) -> Any:
    """Camunda's HistoricActivityStatisticsDto per activity; a count not asked for is 0.
    The dates restrict the process instances (their start and end), as Camunda says."""
    paging = sorted(set(request.args) & {"firstResult", "maxResults"})
    if paging:
        raise RestError(f"unsupported query parameter(s) for {request.path}: "
                        + ", ".join(paging))
    query = parse(STATISTICS, paged=False)
    asked = {name: bool(flag(request.args.get(name), name))
             for name in ("canceled", "finished", "completeScope", "incidents")}
    found = run(rest_history.activity_statistics, definition_id, query,
                incidents=asked["incidents"])
    rows = []
    for element_id, numbers in found.items():
        row: dict[str, Any] = {"id": element_id}
        for name, number in zip(_COUNTS, numbers[:4], strict=True):
            row[name] = number if name == "instances" or asked[name] else 0
        for name, number in zip(_INCIDENTS, numbers[4:] or [0, 0, 0], strict=True):
            row[name] = number if asked["incidents"] else 0
        rows.append(row)
    if query.sort and query.sort[-1][1]:
        rows.reverse()  # sorted by activity id already; desc asked for
    return jsonify(rows)
