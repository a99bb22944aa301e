"""Camunda /decision-requirements-definition (one per deployed DMN file: list, count, by id,
key or key and tenant, its XML and image) and its historic statistics."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api.engine_rest.common import diagram_response, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine.models import DecisionRequirements
from engine.service import rest_requirements

SPEC = Spec(
    params={"decisionRequirementsDefinitionId": text("id"),
            "decisionRequirementsDefinitionIdIn": many("id"),
            "key": text("key"), "keyLike": text("key", "like"), "name": text("name"),
            "nameLike": text("name", "like"), "deploymentId": text("deployment_id"),
            "resourceName": text("resource_name"),
            "resourceNameLike": text("resource_name", "like"),
            "version": Param("version", "eq", "int"), "latestVersion": when("latest", "true"),
            "tenantIdIn": many("tenant"), "withoutTenantId": when("tenant", "null")},
    sorts={"id": "id", "key": "key", "name": "name", "version": "version",
           "deploymentId": "deployment_id"},
)
BASE = "/decision-requirements-definition"


def requirements_dto(row: DecisionRequirements, tenant_id: str | None) -> dict[str, Any]:
    """Camunda's DecisionRequirementsDefinitionDto; category (the DMN namespace) is not
    kept."""
    return {"id": row.id, "key": row.key, "name": row.name, "category": None,
            "version": row.version, "resource": row.resource_name,
            "deploymentId": row.deployment_id, "tenantId": tenant_id}


def _how(ident: str, key: bool, tenant: str | None) -> dict[str, Any]:
    return {"ident": ident, "by_key": key, "tenant_id": tenant, "tenant": tenant is not None}


def _one(ident: str, key: bool = False, tenant: str | None = None) -> Any:
    return jsonify(requirements_dto(*run(rest_requirements.requirements,
                                         **_how(ident, key, tenant))))


def _xml(ident: str, key: bool = False, tenant: str | None = None) -> Any:
    found, content = run(rest_requirements.xml, **_how(ident, key, tenant))
    return jsonify({"id": found, "dmnXml": content})


def _diagram(ident: str, key: bool = False, tenant: str | None = None) -> Any:
    """The image deployed beside the DMN file; 204 when there is none (Camunda's answer)."""
    image = run(rest_requirements.diagram, **_how(ident, key, tenant))
    if image is None:
        return Response(status=204)
    return diagram_response(image)


@routes.get(BASE)
def list_requirements() -> Any:
    rows = run(rest_requirements.page, parse(SPEC))
    return jsonify([requirements_dto(row, tenant) for row, tenant in rows])


@routes.get(f"{BASE}/count")
def count_requirements() -> Any:
    return jsonify({"count": run(rest_requirements.count, parse(SPEC, paged=False))})


@routes.get(f"{BASE}/<requirements_id>")
def get_requirements(requirements_id: str) -> Any:
    return _one(requirements_id)


@routes.get(f"{BASE}/key/<key>")
def get_requirements_by_key(key: str) -> Any:
    return _one(key, True)


@routes.get(f"{BASE}/key/<key>/tenant-id/<tenant_id>")
def get_requirements_by_tenant(key: str, tenant_id: str) -> Any:
    return _one(key, True, tenant_id)


@routes.get(f"{BASE}/<requirements_id>/xml")
def get_requirements_xml(requirements_id: str) -> Any:
    return _xml(requirements_id)


@routes.get(f"{BASE}/key/<key>/xml")
def get_requirements_xml_by_key(key: str) -> Any:
    return _xml(key, True)


@routes.get(f"{BASE}/key/<key>/tenant-id/<tenant_id>/xml")
def get_requirements_xml_by_tenant(key: str, tenant_id: str) -> Any:
    return _xml(key, True, tenant_id)


@routes.get(f"{BASE}/<requirements_id>/diagram")
def get_requirements_diagram(requirements_id: str) -> Any:
    return _diagram(requirements_id)


@routes.get(f"{BASE}/key/<key>/diagram")
def get_requirements_diagram_by_key(key: str) -> Any:
    return _diagram(key, True)


@routes.get(f"{BASE}/key/<key>/tenant-id/<tenant_id>/diagram")
def get_requirements_diagram_by_tenant(key: str, tenant_id: str) -> Any:
    return _diagram(key, True, tenant_id)


@routes.get(f"/history{BASE}/<requirements_id>/statistics")
def historic_requirements_statistics(requirements_id: str) -> Any:
    """Camunda's HistoricDecisionInstanceStatisticsDto per decision of the DRD: how many
    evaluations history keeps (optionally of one decisionInstanceId)."""
    unknown = sorted(set(request.args) - {"decisionInstanceId"})
    if unknown:
        raise RestError(f"unsupported query parameter(s) for {request.path}: "
                        + ", ".join(unknown))
    found = run(rest_requirements.statistics, requirements_id,
                request.args.get("decisionInstanceId") or None)
    return jsonify([{"decisionDefinitionKey": key, "evaluations": n}
                    for key, n in found.items()])
