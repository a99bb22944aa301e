"""Camunda /incident: open incidents in the caller's scope."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import actor, arg, page, routes, unit_of_work
from api.engine_rest.variables import format_date
from engine.models import Incident
from engine.service import scopes
from engine.uow import UnitOfWork


def incident_dto(uow: UnitOfWork, row: Incident) -> dict[str, Any]:
    instance = uow.instances.get(row.instance_id)
    kind = "failedExternalTask" if row.job_id else "failedJob"
    return {
        "id": row.id, "processDefinitionId": instance.definition_id if instance else None,
        "processInstanceId": row.instance_id, "executionId": row.instance_id,
        "incidentTimestamp": format_date(row.created_at), "incidentType": kind,
        "activityId": row.element_id, "failedActivityId": row.element_id,
        "causeIncidentId": row.id, "rootCauseIncidentId": row.id,
        "configuration": row.job_id or row.task_id, "tenantId": None,
        "incidentMessage": row.message, "jobDefinitionId": None, "annotation": row.kind,
    }


def _query() -> list[dict[str, Any]]:
    with unit_of_work() as uow:
        who = actor(uow)
        rows = scopes.list_incidents(uow, who, open_only=True,
                                     instance_id=arg("processInstanceId") or None)
        dtos = [incident_dto(uow, r) for r in rows]
    filters = {"incidentId": "id", "incidentType": "incidentType", "activityId": "activityId",
               "processDefinitionId": "processDefinitionId"}
    for param, key in filters.items():
        wanted = arg(param)
        if wanted:
            dtos = [d for d in dtos if d[key] == wanted]
    return dtos


@routes.get("/incident")
def list_incidents() -> Any:
    return jsonify(page(_query()))


@routes.get("/incident/count")
def count_incidents() -> Any:
    return jsonify({"count": len(_query())})
