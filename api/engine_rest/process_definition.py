"""Camunda /process-definition: list, one by id or key, BPMN XML, start an instance."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest import variables
from api.engine_rest.common import flag, json_body, link, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine.models import ProcessDefinition, ProcessInstance
from engine.service import rest_actions, rest_definitions, rest_queries
from engine.service.history_reports import time_to_live

SPEC = Spec(
    params={"processDefinitionId": text("id"), "processDefinitionIdIn": many("id"),
            "key": text("key"), "keysIn": many("key"), "keyLike": text("key", "like"),
            "name": text("name"), "nameLike": text("name", "like"),
            "deploymentId": text("deployment_id"),
            "resourceName": text("resource_name"),
            "resourceNameLike": text("resource_name", "like"),
            "version": Param("version", "eq", "int"),
            "latestVersion": when("latest", "true"),
            "tenantIdIn": many("tenant"), "withoutTenantId": when("tenant", "null"),
            "suspended": when("suspended", "eq", True),
            "active": when("suspended", "eq", False)},
    sorts={"id": "id", "key": "key", "name": "name", "version": "version",
           "deploymentId": "deployment_id", "deployTime": "deployed_at"},
)


def definition_dto(row: ProcessDefinition, tenant_id: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id, "key": row.key, "category": None, "description": None,
        "name": row.name, "version": row.version, "resource": row.resource_name,
        "deploymentId": row.deployment_id, "diagram": None, "suspended": row.suspended,
        "tenantId": tenant_id, "versionTag": None,
        "historyTimeToLive": time_to_live(row),
        "startableInTasklist": True,
    }


def instance_dto(row: ProcessInstance) -> dict[str, Any]:
    return {
        "links": [link(f"/process-instance/{row.id}")], "id": row.id,
        "definitionId": row.definition_id, "businessKey": row.business_key,
        "caseInstanceId": None, "ended": row.status in ("completed", "terminated"),
        "suspended": row.status == "suspended", "tenantId": None,
    }


@routes.get("/process-definition")
def list_definitions() -> Any:
    rows = run(rest_definitions.page, "definition", parse(SPEC))
    return jsonify([definition_dto(r, tenant) for r, tenant in rows])


@routes.get("/process-definition/count")
def count_definitions() -> Any:
    return jsonify({"count": run(rest_queries.count, "definition", parse(SPEC, paged=False))})


STATISTICS_PARAMS = ("failedJobs", "incidents", "incidentsForType", "rootIncidents")
KIND_TYPES = {"external_task": "failedExternalTask"}


def _statistics_dto(key: str, counts: tuple[int, dict[str, int]]) -> dict[str, Any]:
    """Camunda's statistics entry; incidents and failedJobs only when asked for."""
    unknown = sorted(set(request.args) - set(STATISTICS_PARAMS))
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    instances, incidents = counts
    only = request.args.get("incidentsForType")
    typed = [{"incidentType": KIND_TYPES.get(kind, "failedJob"), "incidentCount": n}
             for kind, n in sorted(incidents.items())]
    if only:
        typed = [t for t in typed if t["incidentType"] == only]
    wanted = flag(request.args.get("incidents"), "incidents") or bool(only) or flag(
        request.args.get("rootIncidents"), "rootIncidents")
    failed = sum(incidents.values()) if flag(request.args.get("failedJobs"),
                                             "failedJobs") else 0
    return {"id": key, "instances": instances, "failedJobs": failed,
            "incidents": typed if wanted else []}


@routes.get("/process-definition/statistics")
def definitions_statistics() -> Any:
    """Runtime instances and open incidents per definition (Cockpit's dashboard)."""
    rows = run(rest_queries.definition_statistics)
    return jsonify([{**_statistics_dto(row.id, counts), "definition": definition_dto(row),
                     "@class": "org.camunda.bpm.engine.rest.dto.repository."
                               "ProcessDefinitionStatisticsResultDto"}
                    for row, counts in rows])


@routes.get("/process-definition/<definition_id>/statistics")
def activity_statistics(definition_id: str) -> Any:
    """Per activity: instances waiting there and open incidents (Cockpit's heat map)."""
    counts = run(rest_queries.activity_statistics, definition_id)
    return jsonify([_statistics_dto(element, c) for element, c in sorted(counts.items())])


@routes.get("/process-definition/<definition_id>")
def get_definition(definition_id: str) -> Any:
    return jsonify(definition_dto(*run(rest_definitions.with_tenant, definition_id)))


@routes.get("/process-definition/key/<key>")
def get_definition_by_key(key: str) -> Any:
    return jsonify(definition_dto(*run(rest_definitions.with_tenant, key, by_key=True)))


@routes.get("/process-definition/<definition_id>/xml")
def get_xml(definition_id: str) -> Any:
    row = run(rest_queries.definition, definition_id)
    return jsonify({"id": row.id, "bpmn20Xml": row.source_xml})


@routes.get("/process-definition/key/<key>/xml")
def get_xml_by_key(key: str) -> Any:
    row = run(rest_queries.definition, key, by_key=True)
    return jsonify({"id": row.id, "bpmn20Xml": row.source_xml})


def start_answer(ident: str, by_key: bool) -> Any:
    body = json_body()
    values = variables.from_camunda(body.get("variables"))
    business_key = body.get("businessKey")
    if business_key is not None and not isinstance(business_key, str):
        raise RestError("businessKey must be a string")
    started = run(rest_actions.start, ident, values, business_key or None,
                  bool(body.get("withVariablesInReturn")), by_key=by_key)
    dto = instance_dto(started.instance)
    if started.variables is not None:
        dto["variables"] = variables.to_camunda(started.variables)
    return jsonify(dto)


@routes.post("/process-definition/<definition_id>/start")
def start_by_id(definition_id: str) -> Any:
    """Camunda Modeler's Start button: typed variables, business key."""
    return start_answer(definition_id, False)


@routes.post("/process-definition/key/<key>/start")
def start_by_key(key: str) -> Any:
    return start_answer(key, True)
