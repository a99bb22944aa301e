"""Blueprint: incidents: list, one (error, element, line, traceback), retry, resolve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import IncidentDetailSchema, IncidentSchema
from api.v1.common import current_actor, now, uow
from engine import service
from engine.models import Incident
from engine.service import scopes

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
    with uow() as u:
        actor = current_actor(u)
        return scopes.list_incidents(u, actor, open_only=query["open"],
                                     instance_id=query.get("instance_id"))


@blp.get("/<incident_id>")
@blp.response(200, IncidentDetailSchema)
def get_incident(incident_id: str) -> Incident:
    with uow() as u:
        actor = current_actor(u)
        return scopes.visible_incident(u, incident_id, actor)


@blp.post("/<incident_id>/retry")
@blp.response(200, IncidentDetailSchema)
def retry(incident_id: str) -> Incident:
    """Ops: run the failed step again; the answer is this incident, or a new one if it fails."""
    with uow() as u:
        actor = current_actor(u)
        scopes.visible_incident(u, incident_id, actor)
        again = service.retry_incident(u, incident_id, actor, now())
        return again or service.get_incident(u, incident_id)


@blp.post("/<incident_id>/resolve")
@blp.arguments(NoteBody)
@blp.response(200, IncidentDetailSchema)
def resolve(body: dict[str, Any], incident_id: str) -> Incident:
    """Ops: mark the incident handled without running anything."""
    with uow() as u:
        actor = current_actor(u)
        scopes.visible_incident(u, incident_id, actor)
        return service.resolve_incident(u, incident_id, actor, now(), note=body.get("note"))
