"""Camunda /message (correlate), /signal (broadcast) and /condition (conditional start)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import flag, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition import instance_dto
from engine import service
from engine.service import conditions, rest_actions


@routes.post("/message")
def correlate() -> Any:
    """Camunda's correlate: the one matching catch, or a start by message start event; with
    "all": true, every matching catch and every process that starts on the message."""
    body = json_body()
    name = body.get("messageName")
    if not isinstance(name, str) or not name:
        raise RestError("messageName is required")
    options: dict[str, Any] = {
        "every": bool(flag(body.get("all"), "all")),
        "business_key": _text(body, "businessKey"),
        "correlation_keys": variables.from_camunda(body.get("correlationKeys")) or None,
        "variables": variables.from_camunda(body.get("processVariables")),
        "process_instance_id": _text(body, "processInstanceId")}
    reached = run(rest_actions.correlate, name, options)
    if not body.get("resultEnabled"):
        return "", 204
    results = []
    for item in reached:
        dto = instance_dto(item.instance)
        results.append({
            "resultType": "ProcessDefinition" if item.started else "Execution",
            "processInstance": dto if item.started else None,
            "execution": None if item.started else {
                "id": item.instance.id, "processInstanceId": item.instance.id,
                "ended": dto["ended"], "tenantId": None},
        })
    return jsonify(results)


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise RestError(f"{name} must be a string")
    return value or None


@routes.post("/signal")
def signal() -> Any:
    body = json_body()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise RestError("name is required")
    values = variables.from_camunda(body.get("variables"))
    run(service.broadcast_signal, name, variables=values)
    return "", 204


CONDITION_FIELDS = {"variables", "businessKey", "tenantId", "withoutTenantId",
                    "processDefinitionId"}


@routes.post("/condition")
def evaluate_condition() -> Any:
    """Camunda's conditional start: the started instances (engine.service.conditions)."""
    body = json_body()
    unknown = sorted(set(body) - CONDITION_FIELDS)
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    for name in ("businessKey", "tenantId", "processDefinitionId"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise RestError(f"{name} must be a string")
    if body.get("tenantId"):
        raise RestError("tenants are not supported: no process belongs to tenant "
                        f"{body['tenantId']}")
    flag(body.get("withoutTenantId"), "withoutTenantId")
    started = run(conditions.evaluate_start_conditions,
                  variables.from_camunda(body.get("variables")), body.get("businessKey"),
                  body.get("processDefinitionId"))
    return jsonify([instance_dto(row) for row in started])
