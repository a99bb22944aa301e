"""Camunda /decision-definition: list, one by id, key or key and tenant, DMN XML, evaluate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, jsonify

from api.engine_rest import variables
from api.engine_rest.common import diagram_response, json_body, routes, run
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine.models import DecisionRequirements, ProcessDefinition
from engine.service import history_reports, rest_definitions, rest_requirements

SPEC = Spec(
    params={"decisionDefinitionId": text("id"), "decisionDefinitionIdIn": many("id"),
            "key": text("key"), "keyLike": text("key", "like"), "name": text("name"),
            "nameLike": text("name", "like"), "deploymentId": text("deployment_id"),
            "deployedAfter": Param("deployed_at", "gt", "date"),
            "deployedAt": Param("deployed_at", "eq", "date"),
            "resourceName": text("resource_name"),
            "resourceNameLike": text("resource_name", "like"),
            "version": Param("version", "eq", "int"), "latestVersion": when("latest", "true"),
            "tenantIdIn": many("tenant"), "withoutTenantId": when("tenant", "null"),
            "decisionRequirementsDefinitionId": text("drd_id"),
            "decisionRequirementsDefinitionKey": text("drd_key"),
            "withoutDecisionRequirementsDefinition": when("drd_id", "null")},
    sorts={"id": "id", "key": "key", "name": "name", "version": "version",
           "deploymentId": "deployment_id", "deployTime": "deployed_at"},
)


def decision_dto(row: ProcessDefinition, tenant_id: str | None = None,
                 drd: DecisionRequirements | None = None) -> dict[str, Any]:
    """Camunda's DecisionDefinitionDto; drd: the DMN file's requirements definition."""
    return {
        "id": row.id, "key": row.key, "category": None, "name": row.name,
        "version": row.version, "resource": row.resource_name,
        "deploymentId": row.deployment_id,
        "decisionRequirementsDefinitionId": drd.id if drd else None,
        "decisionRequirementsDefinitionKey": drd.key if drd else None, "tenantId": tenant_id,
        "versionTag": None,
        "historyTimeToLive": history_reports.time_to_live(row),
    }


def decision_requirements(rows: list[ProcessDefinition]
                          ) -> dict[tuple[str, str], DecisionRequirements]:
    """(deployment id, resource name) of these decisions -> their DMN file's DRD."""
    pairs = sorted({(r.deployment_id, r.resource_name) for r in rows})
    return run(rest_requirements.of_decisions, pairs) if pairs else {}


@routes.get("/decision-definition")
def list_decisions() -> Any:
    rows = run(rest_definitions.page, "decision", parse(SPEC))
    drds = decision_requirements([r for r, _tenant in rows])
    return jsonify([decision_dto(r, tenant, drds.get((r.deployment_id, r.resource_name)))
                    for r, tenant in rows])


@routes.get("/decision-definition/count")
def count_decisions() -> Any:
    return jsonify({"count": run(rest_definitions.count_decisions, parse(SPEC, paged=False))})


Finder = Callable[[], ProcessDefinition]


def _by(ident: str, key: bool = False, tenant: str | None = None) -> Finder:
    """How the path names the decision: id, key, or key and tenant-id."""
    def find() -> ProcessDefinition:
        row: ProcessDefinition = run(rest_definitions.definition, ident, "decision",
                                     by_key=key, tenant_id=tenant, tenant=tenant is not None)
        return row
    return find


def _one(ident: str, key: bool = False, tenant: str | None = None) -> Any:
    row, tenant_id = run(rest_definitions.with_tenant, ident, "decision", by_key=key,
                         tenant_id=tenant, tenant=tenant is not None)
    drd = decision_requirements([row]).get((row.deployment_id, row.resource_name))
    return jsonify(decision_dto(row, tenant_id, drd))


def _xml(find: Finder) -> Any:
    row = find()
    return jsonify({"id": row.id, "dmnXml": row.source_xml})


def _diagram(find: Finder) -> Any:
    """The image deployed beside the DMN file; 204 when there is none (Camunda's answer)."""
    image = run(rest_definitions.diagram, find())
    if image is None:
        return Response(status=204)
    return diagram_response(image)


def _evaluate(ident: str, key: bool = False, tenant: str | None = None) -> Any:
    """{variables: {name: {value, type}}} -> one map of typed outputs per selected rule."""
    values = variables.from_camunda(json_body().get("variables"))
    results = run(rest_definitions.evaluate, ident, values, by_key=key, tenant_id=tenant,
                  tenant=tenant is not None)
    return jsonify([variables.to_camunda(result) for result in results])


@routes.get("/decision-definition/<definition_id>")
def get_decision(definition_id: str) -> Any:
    return _one(definition_id)


@routes.get("/decision-definition/key/<key>")
def get_decision_by_key(key: str) -> Any:
    return _one(key, True)


@routes.get("/decision-definition/key/<key>/tenant-id/<tenant_id>")
def get_decision_by_tenant(key: str, tenant_id: str) -> Any:
    return _one(key, True, tenant_id)


@routes.get("/decision-definition/<definition_id>/xml")
def get_decision_xml(definition_id: str) -> Any:
    return _xml(_by(definition_id))


@routes.get("/decision-definition/key/<key>/xml")
def get_decision_xml_by_key(key: str) -> Any:
    return _xml(_by(key, True))


@routes.get("/decision-definition/key/<key>/tenant-id/<tenant_id>/xml")
def get_decision_xml_by_tenant(key: str, tenant_id: str) -> Any:
    return _xml(_by(key, True, tenant_id))


@routes.get("/decision-definition/<definition_id>/diagram")
def get_decision_diagram(definition_id: str) -> Any:
    return _diagram(_by(definition_id))


@routes.get("/decision-definition/key/<key>/diagram")
def get_decision_diagram_by_key(key: str) -> Any:
    return _diagram(_by(key, True))


@routes.get("/decision-definition/key/<key>/tenant-id/<tenant_id>/diagram")
def get_decision_diagram_by_tenant(key: str, tenant_id: str) -> Any:
    return _diagram(_by(key, True, tenant_id))


@routes.post("/decision-definition/<definition_id>/evaluate")
def evaluate_decision(definition_id: str) -> Any:
    return _evaluate(definition_id)


@routes.post("/decision-definition/key/<key>/evaluate")
def evaluate_decision_by_key(key: str) -> Any:
    return _evaluate(key, True)


@routes.post("/decision-definition/key/<key>/tenant-id/<tenant_id>/evaluate")
def evaluate_decision_by_tenant(key: str, tenant_id: str) -> Any:
    return _evaluate(key, True, tenant_id)
