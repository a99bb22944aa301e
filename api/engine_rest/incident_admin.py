"""Camunda /incident/{id}: read one, resolve it, set or clear its annotation."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.incident import incident_dto
from engine.service import rest_incidents


@routes.get("/incident/<incident_id>")
def get_incident(incident_id: str) -> Any:
    return jsonify(incident_dto(*run(rest_incidents.incident, incident_id)))


@routes.delete("/incident/<incident_id>")
def resolve_incident(incident_id: str) -> Any:
    run(rest_incidents.resolve, incident_id)
    return "", 204


@routes.put("/incident/<incident_id>/annotation")
def set_annotation(incident_id: str) -> Any:
    annotation = json_body().get("annotation")
    if annotation is not None and not isinstance(annotation, str):
        raise RestError("annotation must be a string")
    run(rest_incidents.set_annotation, incident_id, annotation)
    return "", 204


@routes.delete("/incident/<incident_id>/annotation")
def clear_annotation(incident_id: str) -> Any:
    run(rest_incidents.set_annotation, incident_id, None)
    return "", 204
