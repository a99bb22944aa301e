"""Camunda /process-instance: query, one, delete, variables (read, put, modify)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest import process_instance_runtime, variables
from api.engine_rest.common import flag, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition import instance_dto
from api.engine_rest.query import Spec, many, parse, text, when
from engine.service import rest_actions, rest_queries, rest_runtime

SPEC = Spec(
    params={"processInstanceIds": many("id"), "businessKey": text("business_key"),
            "businessKeyLike": text("business_key", "like"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"),
            "processDefinitionKeyIn": many("process_key"),
            "suspended": when("suspended", "true"), "active": when("active", "true"),
            "withIncident": when("with_incident", "true")},
    sorts={"instanceId": "id", "definitionId": "definition_id",
           "definitionKey": "process_key", "businessKey": "business_key"},
)


def _list(body: dict[str, Any] | None = None) -> Any:
    rows = run(rest_queries.query, "instance", parse(SPEC, body))
    return jsonify([instance_dto(r) for r in rows])


def _count(body: dict[str, Any] | None = None) -> Any:
    return jsonify({"count": run(rest_queries.count, "instance",
                                 parse(SPEC, body, paged=False))})


@routes.get("/process-instance")
def list_instances() -> Any:
    return _list()


@routes.post("/process-instance")
def query_instances() -> Any:
    return _list(json_body())


@routes.get("/process-instance/count")
def count_instances() -> Any:
    return _count()


@routes.post("/process-instance/count")
def count_instances_post() -> Any:
    return _count(json_body())


@routes.get("/process-instance/<instance_id>")
def get_instance(instance_id: str) -> Any:
    """A running or suspended instance; an ended one is only in history (404, as Camunda)."""
    return jsonify(instance_dto(run(rest_queries.instance, instance_id)))


@routes.delete("/process-instance/<instance_id>")
def delete_instance(instance_id: str) -> Any:
    """Camunda deletes; we terminate (history is kept) and answer 204 like Camunda."""
    process_instance_runtime.query_flags()
    skip = flag(request.args.get("skipCustomListeners"), "skipCustomListeners") or False
    run(rest_actions.delete_instance, instance_id, skip_listeners=skip)
    return "", 204


@routes.get("/process-instance/<instance_id>/variables")
def get_variables(instance_id: str) -> Any:
    return jsonify(variables.to_camunda(run(rest_queries.instance_variables, instance_id)))


@routes.get("/process-instance/<instance_id>/variables/<name>")
def get_variable(instance_id: str, name: str) -> Any:
    values = run(rest_queries.instance_variables, instance_id)
    if name not in values:
        raise RestError(f"process instance variable with name {name} does not exist", 404)
    return jsonify(variables.to_typed(values[name]))


@routes.put("/process-instance/<instance_id>/variables/<name>")
def put_variable(instance_id: str, name: str) -> Any:
    run(rest_actions.put_variables, instance_id, {name: variables.from_typed(name, json_body())})
    return "", 204


@routes.post("/process-instance/<instance_id>/variables")
def modify_variables(instance_id: str) -> Any:
    """{"modifications": {name: typed}, "deletions": [...]}: set, then delete."""
    body = json_body()
    values = variables.from_camunda(body.get("modifications"))
    names = process_instance_runtime.deletions(body)
    run(rest_runtime.modify_variables, instance_id, values, names)
    return "", 204
