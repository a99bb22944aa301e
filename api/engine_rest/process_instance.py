"""Camunda /process-instance: query, one, delete, variables (read, put, modify)."""

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
    now,
    page,
    routes,
    unit_of_work,
)
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition import instance_dto
from engine import service
from engine.models import ProcessInstance
from engine.service import scopes

QUERY_LIMIT = 10_000


def _query(body: dict[str, Any] | None = None) -> list[ProcessInstance]:
    with unit_of_work() as uow:
        who = actor(uow)
        ids = id_list(arg("processInstanceIds", body))
        rows = scopes.list_instances(
            uow, who, limit=QUERY_LIMIT, business_key=arg("businessKey", body) or None,
            process_key=arg("processDefinitionKey", body) or None)
    definition_id = arg("processDefinitionId", body)
    suspended, active = flag(arg("suspended", body)), flag(arg("active", body))
    result = []
    for row in rows:
        if ids is not None and row.id not in ids:
            continue
        if definition_id and row.definition_id != definition_id:
            continue
        if suspended is not None and (row.status == "suspended") != suspended:
            continue
        if active and row.status != "running":
            continue
        result.append(row)
    return result


@routes.get("/process-instance")
def list_instances() -> Any:
    return jsonify([instance_dto(r) for r in page(_query())])


@routes.post("/process-instance")
def query_instances() -> Any:
    return jsonify([instance_dto(r) for r in page(_query(json_body()))])


@routes.get("/process-instance/count")
def count_instances() -> Any:
    return jsonify({"count": len(_query())})


@routes.post("/process-instance/count")
def count_instances_post() -> Any:
    return jsonify({"count": len(_query(json_body()))})


@routes.get("/process-instance/<instance_id>")
def get_instance(instance_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        return jsonify(instance_dto(scopes.visible_instance(uow, instance_id, who)))


@routes.delete("/process-instance/<instance_id>")
def delete_instance(instance_id: str) -> Any:
    """Camunda deletes; we terminate (history is kept) and answer 204 like Camunda."""
    with unit_of_work() as uow:
        who = actor(uow)
        scopes.visible_instance(uow, instance_id, who)
        service.terminate_instance(uow, instance_id, who, now(),
                                   reason="deleted through /engine-rest")
    return "", 204


def _variables(instance_id: str) -> dict[str, Any]:
    with unit_of_work() as uow:
        who = actor(uow)
        scopes.visible_instance(uow, instance_id, who)
        return service.show_instance(uow, instance_id, who).variables


@routes.get("/process-instance/<instance_id>/variables")
def get_variables(instance_id: str) -> Any:
    return jsonify(variables.to_camunda(_variables(instance_id)))


@routes.get("/process-instance/<instance_id>/variables/<name>")
def get_variable(instance_id: str, name: str) -> Any:
    values = _variables(instance_id)
    if name not in values:
        raise RestError(f"process instance variable with name {name} does not exist", 404)
    return jsonify(variables.to_typed(values[name]))


def _set(instance_id: str, values: dict[str, Any]) -> None:
    with unit_of_work() as uow:
        who = actor(uow)
        scopes.visible_instance(uow, instance_id, who)
        service.set_variables(uow, instance_id, values, who, now(),
                              reason="set through /engine-rest")


@routes.put("/process-instance/<instance_id>/variables/<name>")
def put_variable(instance_id: str, name: str) -> Any:
    _set(instance_id, {name: variables.from_typed(name, json_body())})
    return "", 204


@routes.post("/process-instance/<instance_id>/variables")
def modify_variables(instance_id: str) -> Any:
    """{"modifications": {name: typed}, "deletions": [...]}; deleting is not supported."""
    body = json_body()
    if body.get("deletions"):
        raise RestError("deleting process variables is not supported; set them to null")
    values = variables.from_camunda(body.get("modifications"))
    if values:
        _set(instance_id, values)
    return "", 204
