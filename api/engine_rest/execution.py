"""Camunda /execution: an instance's execution and one per active token (engine.ids).

What Camunda calls the process instance's execution is the instance itself; every waiting
or working task of a BPMN element (and every running subprocess) is one more execution,
the child of its scope's. Variables are process-wide here, so they are the local variables
of the instance's execution; a token's execution has none (setting one is a 400).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.event_subscription import subscription_dto
from api.engine_rest.incident import incident_dto
from api.engine_rest.process_instance_runtime import deletions
from api.engine_rest.query import Spec, parse, text, when
from engine.service import rest_executions
from engine.service.rest_executions import Execution
from engine.service.rest_queries import Query

LOCAL = ("activity_id",)  # filters on executions, not on their instances
SPEC = Spec(
    params={"processInstanceId": text("id"), "businessKey": text("business_key"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"), "activityId": text("activity_id"),
            "suspended": when("suspended", "true"), "active": when("active", "true")},
    sorts={"instanceId": "id", "definitionKey": "process_key",
           "definitionId": "definition_id"},
)


def execution_dto(item: Execution) -> dict[str, Any]:
    return {"id": item.id, "processInstanceId": item.instance.id, "ended": False,
            "tenantId": None}


def split(query: Query, local: tuple[str, ...]) -> tuple[Query, dict[str, Any]]:
    """The instance part of a query (run in SQL) and the filters on what each instance holds."""
    own = {f: v for f, _op, v in query.filters if f in local}
    rest = tuple(f for f in query.filters if f[0] not in local)
    return Query(rest, query.sort, query.offset, query.limit), own


def _list(body: dict[str, Any] | None, paged: bool = True) -> tuple[list[Execution], int]:
    query, local = split(parse(SPEC, body, paged=paged), LOCAL)
    return run(rest_executions.list_executions, query, local)


@routes.get("/execution")
def list_executions() -> Any:
    return jsonify([execution_dto(e) for e in _list(None)[0]])


@routes.post("/execution")
def query_executions() -> Any:
    return jsonify([execution_dto(e) for e in _list(json_body())[0]])


@routes.get("/execution/count")
def count_executions() -> Any:
    return jsonify({"count": _list(None, False)[1]})


@routes.post("/execution/count")
def count_executions_post() -> Any:
    return jsonify({"count": _list(json_body(), False)[1]})


@routes.get("/execution/<execution_id>")
def get_execution(execution_id: str) -> Any:
    return jsonify(execution_dto(run(rest_executions.get_execution, execution_id)))


@routes.get("/execution/<execution_id>/localVariables")
def execution_local_variables(execution_id: str) -> Any:
    return jsonify(variables.to_camunda(run(rest_executions.local_variables, execution_id)))


@routes.post("/execution/<execution_id>/localVariables")
def execution_modify_local_variables(execution_id: str) -> Any:
    body = json_body()
    run(rest_executions.modify_local_variables, execution_id,
        variables.from_camunda(body.get("modifications")), deletions(body))
    return "", 204


@routes.get("/execution/<execution_id>/localVariables/<name>")
def execution_local_variable(execution_id: str, name: str) -> Any:
    values = run(rest_executions.local_variables, execution_id)
    if name not in values:
        raise RestError(f"execution variable with name {name} does not exist", 404)
    return jsonify(variables.to_typed(values[name]))


@routes.put("/execution/<execution_id>/localVariables/<name>")
def execution_put_local_variable(execution_id: str, name: str) -> Any:
    run(rest_executions.modify_local_variables, execution_id,
        {name: variables.from_typed(name, json_body())}, [])
    return "", 204


@routes.delete("/execution/<execution_id>/localVariables/<name>")
def execution_delete_local_variable(execution_id: str, name: str) -> Any:
    run(rest_executions.modify_local_variables, execution_id, {}, [name])
    return "", 204


@routes.post("/execution/<execution_id>/signal")
def signal_execution(execution_id: str) -> Any:
    """A token waiting at a catch event or receive task goes on (with these variables)."""
    values = variables.from_camunda(json_body().get("variables"))
    run(rest_executions.signal, execution_id, values)
    return "", 204


@routes.get("/execution/<execution_id>/messageSubscriptions/<message_name>")
def message_subscription(execution_id: str, message_name: str) -> Any:
    return jsonify(subscription_dto(run(rest_executions.message_subscription, execution_id,
                                        message_name)))


@routes.post("/execution/<execution_id>/messageSubscriptions/<message_name>/trigger")
def trigger_message_subscription(execution_id: str, message_name: str) -> Any:
    values = variables.from_camunda(json_body().get("variables"))
    run(rest_executions.trigger_message, execution_id, message_name, values)
    return "", 204


@routes.post("/execution/<execution_id>/create-incident")
def create_incident(execution_id: str) -> Any:
    """A custom incident on the execution's activity (`configuration` is kept with it)."""
    body = json_body()
    unknown = sorted(set(body) - {"incidentType", "configuration", "message"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    for name in ("incidentType", "configuration", "message"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise RestError(f"{name} must be a string")
    row = run(rest_executions.create_incident, execution_id, body.get("incidentType") or "",
              body.get("message"), body.get("configuration"))
    return jsonify(incident_dto(row, None) | {"processDefinitionId": None})
