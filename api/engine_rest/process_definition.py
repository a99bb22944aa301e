"""Camunda /process-definition: list, one by id or key, BPMN XML, start an instance."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import (
    actor,
    arg,
    flag,
    id_list,
    json_body,
    link,
    now,
    page,
    routes,
    unit_of_work,
)
from api.engine_rest.errors import RestError
from engine import service
from engine.models import ProcessDefinition, ProcessInstance
from engine.uow import UnitOfWork


def definition_dto(row: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": row.id, "key": row.key, "category": None, "description": None,
        "name": row.name, "version": row.version, "resource": row.resource_name,
        "deploymentId": row.deployment_id, "diagram": None, "suspended": row.suspended,
        "tenantId": None, "versionTag": None, "historyTimeToLive": None,
        "startableInTasklist": True,
    }


def instance_dto(row: ProcessInstance) -> dict[str, Any]:
    return {
        "links": [link(f"/process-instance/{row.id}")], "id": row.id,
        "definitionId": row.definition_id, "businessKey": row.business_key,
        "caseInstanceId": None, "ended": row.status in ("completed", "terminated"),
        "suspended": row.status == "suspended", "tenantId": None,
    }


def _by_id(uow: UnitOfWork, definition_id: str) -> ProcessDefinition:
    row = uow.definitions.get(definition_id)
    if row is None or row.kind != "process":
        raise RestError(f"No matching process definition with id {definition_id}", 404)
    return row


def _by_key(uow: UnitOfWork, key: str) -> ProcessDefinition:
    row = uow.definitions.latest(key)
    if row is None:
        raise RestError(f"No matching process definition with key '{key}'", 404)
    return row


def _query() -> list[ProcessDefinition]:
    with unit_of_work() as uow:
        actor(uow)
        rows = uow.definitions.list(key=arg("key") or None, kind="process",
                                    latest_only=bool(flag(arg("latestVersion"))))
    ids = id_list(arg("processDefinitionIdIn")) or id_list(arg("processDefinitionId"))
    filters = {"deploymentId": "deployment_id", "name": "name", "version": "version",
               "resourceName": "resource_name"}
    result = []
    for row in rows:
        if ids and row.id not in ids:
            continue
        if any(arg(p) not in (None, "") and str(getattr(row, a)) != arg(p)
               for p, a in filters.items()):
            continue
        if flag(arg("suspended")) is not None and row.suspended != flag(arg("suspended")):
            continue
        keys = id_list(arg("keysIn"))
        if keys and row.key not in keys:
            continue
        result.append(row)
    return result


@routes.get("/process-definition")
def list_definitions() -> Any:
    return jsonify([definition_dto(r) for r in page(_query())])


@routes.get("/process-definition/count")
def count_definitions() -> Any:
    return jsonify({"count": len(_query())})


@routes.get("/process-definition/<definition_id>")
def get_definition(definition_id: str) -> Any:
    with unit_of_work() as uow:
        actor(uow)
        return jsonify(definition_dto(_by_id(uow, definition_id)))


@routes.get("/process-definition/key/<key>")
def get_definition_by_key(key: str) -> Any:
    with unit_of_work() as uow:
        actor(uow)
        return jsonify(definition_dto(_by_key(uow, key)))


@routes.get("/process-definition/<definition_id>/xml")
def get_xml(definition_id: str) -> Any:
    with unit_of_work() as uow:
        actor(uow)
        row = _by_id(uow, definition_id)
        return jsonify({"id": row.id, "bpmn20Xml": row.source_xml})


@routes.get("/process-definition/key/<key>/xml")
def get_xml_by_key(key: str) -> Any:
    with unit_of_work() as uow:
        actor(uow)
        row = _by_key(uow, key)
        return jsonify({"id": row.id, "bpmn20Xml": row.source_xml})


def _start(lookup: Any, ident: str) -> Any:
    body = json_body()
    values = variables.from_camunda(body.get("variables"))
    business_key = body.get("businessKey")
    if business_key is not None and not isinstance(business_key, str):
        raise RestError("businessKey must be a string")
    with unit_of_work() as uow:
        who = actor(uow)
        definition = lookup(uow, ident)
        instance = service.start_instance(uow, definition.id, who, now(), variables=values,
                                          business_key=business_key or None)
        dto = instance_dto(instance)
        if body.get("withVariablesInReturn"):
            dto["variables"] = variables.to_camunda(
                service.show_instance(uow, instance.id, who).variables)
    return jsonify(dto)


@routes.post("/process-definition/<definition_id>/start")
def start_by_id(definition_id: str) -> Any:
    """Camunda Modeler's Start button: typed variables, business key."""
    return _start(_by_id, definition_id)


@routes.post("/process-definition/key/<key>/start")
def start_by_key(key: str) -> Any:
    return _start(_by_key, key)
