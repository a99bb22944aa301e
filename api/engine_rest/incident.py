"""Camunda /incident: open incidents in the caller's scope."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import routes, run
from api.engine_rest.query import Param, Spec, many, parse, text
from api.engine_rest.variables import format_date
from engine import ids
from engine.models import Incident, ProcessInstance
from engine.service import rest_queries
from engine.service.rest_executions import CUSTOM

# Camunda's incident types and ours: a failed external task, a failed job (script, gateway).
TYPES = {"failedExternalTask": "external_task", "failedJob": "failed_task"}
SPEC = Spec(
    params={"incidentId": text("id"), "incidentType": text("kind"),
            "incidentMessage": text("message"),
            "incidentMessageLike": text("message", "like"),
            "processInstanceId": text("instance_id"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKeyIn": many("process_key"),
            "activityId": text("element_id"), "failedActivityId": text("element_id"),
            "configuration": text("job_id"),
            "incidentTimestampBefore": Param("created_at", "lt", "date"),
            "incidentTimestampAfter": Param("created_at", "gt", "date")},
    sorts={"incidentId": "id", "incidentTimestamp": "created_at",
           "incidentType": "kind", "activityId": "element_id",
           "processInstanceId": "instance_id", "processDefinitionId": "definition_id"},
)


def incident_dto(row: Incident, instance: ProcessInstance | None) -> dict[str, Any]:
    kind = row.kind.removeprefix(CUSTOM) if row.kind.startswith(CUSTOM) else (
        "failedExternalTask" if row.job_id else "failedJob")
    return {
        "id": row.id, "processDefinitionId": instance.definition_id if instance else None,
        "processInstanceId": row.instance_id,
        "executionId": ids.execution_id(row.instance_id, row.task_id),
        "incidentTimestamp": format_date(row.created_at), "incidentType": kind,
        "activityId": row.element_id, "failedActivityId": row.element_id,
        "causeIncidentId": row.id, "rootCauseIncidentId": row.id,
        "configuration": (row.error_line if row.kind.startswith(CUSTOM) else
                          row.job_id or row.task_id), "tenantId": None,
        "incidentMessage": row.message, "jobDefinitionId": None, "annotation": row.annotation,
    }


def _query(paged: bool = True) -> Any:
    query = parse(SPEC, paged=paged)
    filters = tuple((f, op, TYPES.get(v, v) if f == "kind" else v)
                    for f, op, v in query.filters)
    return type(query)(filters, query.sort, query.offset, query.limit)


@routes.get("/incident")
def list_incidents() -> Any:
    return jsonify([incident_dto(*row) for row in run(rest_queries.query, "incident",
                                                      _query())])


@routes.get("/incident/count")
def count_incidents() -> Any:
    return jsonify({"count": run(rest_queries.count, "incident", _query(False))})
