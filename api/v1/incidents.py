"""Blueprint: incidents: list, one (error, element, line, traceback), retry, resolve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import IncidentDetailSchema, IncidentSchema
from api.v1.common import run
from engine import service
from engine.models import Incident

blp = Blueprint("incidents", __name__, url_prefix="/api/v1/incidents",
                description="Incidents (故障)")


class ListQuery(Schema):
    open = fields.Boolean(load_default=True)
    instance_id = fields.String()


class NoteBody(Schema):
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


@blp.get("")
@blp.arguments(ListQuery, location="query")
@blp.response(200, IncidentSchema(many=True))
def list_incidents(query: dict[str, Any]) -> Sequence[Incident]:
    """Incidents of instances in the caller's scope, newest first."""
    return run(service.list_incidents, open_only=query["open"],
               instance_id=query.get("instance_id"))


@blp.get("/<incident_id>")
@blp.response(200, IncidentDetailSchema)
def get_incident(incident_id: str) -> Incident:
    return run(service.get_incident, incident_id)


@blp.post("/<incident_id>/retry")
@blp.response(200, IncidentDetailSchema)
def retry(incident_id: str) -> Incident:
    """Ops: run the failed step again; the answer is this incident, or a new one if it fails."""
    return run(service.retry_and_report, incident_id)


@blp.post("/<incident_id>/resolve")
@blp.arguments(NoteBody)
@blp.response(200, IncidentDetailSchema)
def resolve(body: dict[str, Any], incident_id: str) -> Incident:
    """Ops: mark the incident handled without running anything."""
    return run(service.resolve_incident, incident_id, note=body.get("note"))
