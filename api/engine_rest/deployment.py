"""Camunda /deployment and /version: what Camunda Modeler's Deploy button calls."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, request

from api.engine_rest.common import flag, id_list, json_body, link, routes, run
from api.engine_rest.decision_definition import decision_dto, decision_requirements
from api.engine_rest.decision_requirements import requirements_dto
from api.engine_rest.errors import RestError
from api.engine_rest.process_definition import definition_dto
from api.engine_rest.query import Param, Spec, many, parse, text, when
from api.engine_rest.variables import format_date
from engine import service
from engine.models import Deployment, ProcessDefinition
from engine.service import rest_definitions, rest_queries

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
    processes = {d.id: definition_dto(d, row.tenant_id) for d in definitions
                 if d.kind == "process"}
    kept = [d for d in definitions if d.kind == "decision"]
    drds = decision_requirements(kept)
    decisions = {d.id: decision_dto(d, row.tenant_id, drds.get((d.deployment_id,
                                                                d.resource_name)))
                 for d in kept}
    requirements = {r.id: requirements_dto(r, row.tenant_id) for r in drds.values()}
    dto.update({
        "deployedProcessDefinitions": processes or None,
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": decisions or None,
        "deployedDecisionRequirementsDefinitions": requirements or None,
    })
    return dto


SPEC = Spec(
    params={"id": text("id"), "name": text("name"), "nameLike": text("name", "like"),
            "source": text("source"), "tenantIdIn": many("tenant_id"),
            "withoutTenantId": when("tenant_id", "null"),
            "after": Param("deployed_at", "gt", "date"),
            "before": Param("deployed_at", "lt", "date")},
    sorts={"id": "id", "name": "name", "deploymentTime": "deployed_at",
           "tenantId": "tenant_id"},
)


@routes.get("/deployment")
def list_deployments() -> Any:
    """Also the Modeler's connection check (maxResults=0): 200 [] or 401."""
    return jsonify([deployment_dto(d) for d in run(rest_queries.query, "deployment",
                                                   parse(SPEC))])


@routes.get("/deployment/count")
def count_deployments() -> Any:
    return jsonify({"count": run(rest_queries.count, "deployment", parse(SPEC, paged=False))})


@routes.get("/deployment/<deployment_id>")
def get_deployment(deployment_id: str) -> Any:
    return jsonify(deployment_dto(run(rest_queries.deployment, deployment_id)))


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
    result = run(service.deploy, files, name=form.get("deployment-name") or None,
                 source=form.get("deployment-source") or None,
                 tenant_id=form.get("tenant-id") or None, duplicate_filtering=filtering)
    dto = _with_definitions(result.deployment, list(result.definitions))
    # Not in Camunda's DTO: what Java delegates became (topics) and what deploys with a
    # Camunda-7 meaning a designer may not expect (warnings). Clients ignore extra keys.
    dto["externalTaskTopics"] = result.external_topics
    dto["warnings"] = result.warnings
    return jsonify(dto)


def _resource_dto(deployment_id: str, row: Any) -> dict[str, Any]:
    return {"id": str(row.id), "name": row.name, "deploymentId": deployment_id}


@routes.get("/deployment/<deployment_id>/resources")
def list_resources(deployment_id: str) -> Any:
    rows = run(rest_queries.deployment_resources, deployment_id)
    return jsonify([_resource_dto(deployment_id, r) for r in rows])


@routes.get("/deployment/<deployment_id>/resources/<resource_id>")
def get_resource(deployment_id: str, resource_id: str) -> Any:
    row = run(rest_queries.deployment_resource, deployment_id, resource_id)
    return jsonify(_resource_dto(deployment_id, row))


@routes.get("/deployment/<deployment_id>/resources/<resource_id>/data")
def get_resource_data(deployment_id: str, resource_id: str) -> Any:
    """The file's bytes as deployed (BPMN and DMN as XML)."""
    row = run(rest_queries.deployment_resource, deployment_id, resource_id)
    xml = row.name.endswith((".bpmn", ".dmn", ".xml"))
    return Response(row.content, mimetype="application/xml" if xml else
                    "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''"
                             f"{quote(row.name)}"})


@routes.delete("/deployment/<deployment_id>")
def delete_deployment(deployment_id: str) -> Any:
    """?cascade=true also deletes instances and their history; without it a deployment
    whose definitions have instances is refused with 400 (nothing is orphaned)."""
    unknown = sorted(set(request.args) - {"cascade", "skipCustomListeners", "skipIoMappings"})
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    for name in ("skipCustomListeners", "skipIoMappings"):
        flag(request.args.get(name), name)  # we run no listeners or mappings on delete
    cascade = bool(flag(request.args.get("cascade"), "cascade"))
    run(rest_definitions.delete_deployment, deployment_id, cascade)
    return Response(status=204)


@routes.get("/deployment/registered")
def registered_deployments() -> Any:
    return jsonify(run(rest_definitions.registered_deployments))


@routes.post("/deployment/<deployment_id>/redeploy")
def redeploy(deployment_id: str) -> Any:
    """{resourceIds, resourceNames, source}: the files again, as new versions."""
    body = json_body()
    source = body.get("source")
    if source is not None and not isinstance(source, str):
        raise RestError("source must be a string")
    result = run(rest_definitions.redeploy, deployment_id,
                 id_list(body.get("resourceIds"), "resourceIds"),
                 id_list(body.get("resourceNames"), "resourceNames"), source)
    return jsonify(_with_definitions(result.deployment, list(result.definitions)))
