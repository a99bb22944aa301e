"""Camunda /deployment and /version: what Camunda Modeler's Deploy button calls."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import actor, arg, link, now, page, routes, unit_of_work
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition import definition_dto
from api.engine_rest.variables import format_date
from engine import service
from engine.models import Deployment, ProcessDefinition

CAMUNDA_VERSION = "7.22.0"
SETTING_PARTS = ("deployment-name", "deployment-source", "enable-duplicate-filtering",
                 "deploy-changed-only", "tenant-id", "deployment-activation-time")


def deployment_dto(row: Deployment) -> dict[str, Any]:
    return {
        "links": [link(f"/deployment/{row.id}")], "id": row.id, "name": row.name,
        "source": row.source, "deploymentTime": format_date(row.deployed_at),
        "tenantId": row.tenant_id,
    }


def _with_definitions(row: Deployment, definitions: list[ProcessDefinition]) -> dict[str, Any]:
    dto = deployment_dto(row)
    processes = {d.id: definition_dto(d) for d in definitions if d.kind == "process"}
    decisions = {d.id: _decision_dto(d) for d in definitions if d.kind == "decision"}
    dto.update({
        "deployedProcessDefinitions": processes or None,
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": decisions or None,
        "deployedDecisionRequirementsDefinitions": None,
    })
    return dto


def _decision_dto(row: ProcessDefinition) -> dict[str, Any]:
    return {
        "id": row.id, "key": row.key, "category": None, "name": row.name,
        "version": row.version, "resource": row.resource_name,
        "deploymentId": row.deployment_id, "decisionRequirementsDefinitionId": None,
        "decisionRequirementsDefinitionKey": None, "tenantId": None, "versionTag": None,
        "historyTimeToLive": None,
    }


def _matches(row: Deployment) -> bool:
    for param, value in (("id", row.id), ("name", row.name), ("source", row.source),
                         ("tenantIdIn", row.tenant_id)):
        wanted = arg(param)
        if wanted not in (None, "") and str(value) not in str(wanted).split(","):
            return False
    like = arg("nameLike")
    return not like or like.replace("%", "") in (row.name or "")


def _query() -> list[Deployment]:
    with unit_of_work() as uow:
        actor(uow)
        return [d for d in uow.definitions.list_deployments(limit=10_000) if _matches(d)]


@routes.get("/deployment")
def list_deployments() -> Any:
    """Also the Modeler's connection check (maxResults=0): 200 [] or 401."""
    return jsonify([deployment_dto(d) for d in page(_query())])


@routes.get("/deployment/count")
def count_deployments() -> Any:
    return jsonify({"count": len(_query())})


@routes.get("/deployment/<deployment_id>")
def get_deployment(deployment_id: str) -> Any:
    with unit_of_work() as uow:
        actor(uow)
        row = uow.definitions.get_deployment(deployment_id)
        if row is None:
            raise RestError(f"Deployment with id '{deployment_id}' does not exist", 404)
        return jsonify(deployment_dto(row))


@routes.get("/version")
def version() -> Any:
    return jsonify({"version": CAMUNDA_VERSION})


def _resources() -> dict[str, bytes]:
    """One resource per multipart part that is not a setting, named after its file name."""
    files: dict[str, bytes] = {}
    for part_name, storage in request.files.items(multi=True):
        files[storage.filename or part_name] = storage.read()
    for part_name, value in request.form.items(multi=True):
        if part_name not in SETTING_PARTS:
            files[part_name] = value.encode("utf-8")
    return files


@routes.post("/deployment/create")
def create_deployment() -> Any:
    """Deploy every file; a duplicate returns the existing deployment with its definitions."""
    if not request.mimetype.startswith("multipart/"):
        raise RestError("Request content type must be multipart/form-data")
    files = _resources()
    if not files:
        raise RestError("No deployment resources contained in the form upload.")
    form = request.form
    filtering = (form.get("enable-duplicate-filtering", "false").lower() == "true"
                 or form.get("deploy-changed-only", "false").lower() == "true")
    with unit_of_work() as uow:
        who = actor(uow)
        result = service.deploy(
            uow, files, who, now(), name=form.get("deployment-name") or None,
            source=form.get("deployment-source") or None,
            tenant_id=form.get("tenant-id") or None, duplicate_filtering=filtering)
        dto = _with_definitions(result.deployment, list(result.definitions))
        # Not in Camunda's DTO: what Java delegates became (topics) and what deploys with a
        # Camunda-7 meaning a designer may not expect (warnings). Clients ignore extra keys.
        dto["externalTaskTopics"] = result.external_topics
        dto["warnings"] = result.warnings
        return jsonify(dto)
