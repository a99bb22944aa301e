"""Blueprint: deployed process definitions: list, one with its BPMN XML, deploy, versions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.schemas import DefinitionDetailSchema, DefinitionSchema, DeploymentSchema
from api.v1.common import run
from engine import errors, service
from engine.models import ProcessDefinition

blp = Blueprint("definitions", __name__, url_prefix="/api/v1/definitions",
                description="Process definitions (流程定义)")


class ListQuery(Schema):
    all = fields.Boolean(load_default=False, metadata={"description": "every version"})
    key = fields.String()
    kind = fields.String(load_default="process")


class DeployForm(Schema):
    name = fields.String()


class DeployFiles(Schema):
    files = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}))


@blp.get("")
@blp.arguments(ListQuery, location="query")
@blp.response(200, DefinitionSchema(many=True))
def list_definitions(query: dict[str, Any]) -> Sequence[ProcessDefinition]:
    """Newest version of every definition, or every version with all=true."""
    return run(service.definitions.list_definitions, key=query.get("key"),
               latest_only=not query["all"], kind=query["kind"] or None)


@blp.get("/<definition_id>")
@blp.response(200, DefinitionDetailSchema)
def get_definition(definition_id: str) -> ProcessDefinition:
    """One definition (an id, or a key meaning its newest version) with its BPMN XML."""
    return run(service.definitions.get_definition, definition_id)


@blp.get("/key/<key>/versions")
@blp.response(200, DefinitionSchema(many=True))
def versions(key: str) -> Sequence[ProcessDefinition]:
    """Every deployed version of one key, oldest first."""
    return run(service.definitions.definition_versions, key)


@blp.post("")
@blp.arguments(DeployForm, location="form")
@blp.arguments(DeployFiles, location="files")
@blp.response(201, DeploymentSchema)
def deploy(form: dict[str, Any], _files: dict[str, Any]) -> dict[str, Any]:
    """Deploy one or more .bpmn/.dmn files (multipart, any part names); designers only.

    Unchanged files return the existing deployment (duplicate=true, status still 201).
    """
    files = {f.filename or key: f.read() for key in request.files
             for f in request.files.getlist(key)}
    if not files:
        raise errors.ValidationFailed("no files were sent", details={"files": ["required"]})
    result = run(service.deploy, files, name=form.get("name"), source="api")
    return {"id": result.deployment.id, "name": result.deployment.name,
            "duplicate": result.duplicate, "definitions": result.definitions}
