"""Camunda /message (correlate) and /signal (broadcast)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import actor, json_body, now, routes, unit_of_work
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition import instance_dto
from engine import service


@routes.post("/message")
def correlate() -> Any:
    """Deliver to the one matching waiting instance, or start one by message start event."""
    with unit_of_work() as uow:
        who, body = actor(uow), json_body()
        name = body.get("messageName")
        if not isinstance(name, str) or not name:
            raise RestError("messageName is required")
        if body.get("all"):
            raise RestError("correlating to all instances (all=true) is not supported")
        keys = variables.from_camunda(body.get("correlationKeys")) or None
        values = variables.from_camunda(body.get("processVariables"))
        at = now()
        ids = service.correlate_message(
            uow, name, who, at, business_key=body.get("businessKey") or None,
            correlation_keys=keys, variables=values,
            process_instance_id=body.get("processInstanceId") or None)
        if not body.get("resultEnabled"):
            return "", 204
        results = []
        for instance_id in ids:
            instance = uow.instances.get(instance_id)
            if instance is None:
                continue
            started = instance.started_at == at
            dto = instance_dto(instance)
            results.append({
                "resultType": "ProcessDefinition" if started else "Execution",
                "processInstance": dto if started else None,
                "execution": None if started else {
                    "id": instance.id, "processInstanceId": instance.id,
                    "ended": dto["ended"], "tenantId": None},
            })
    return jsonify(results)


@routes.post("/signal")
def signal() -> Any:
    with unit_of_work() as uow:
        who, body = actor(uow), json_body()
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise RestError("name is required")
        values = variables.from_camunda(body.get("variables"))
        service.broadcast_signal(uow, name, who, now(), variables=values)
    return "", 204
