"""Camunda /history/decision-instance: every DMN evaluation with its inputs and outputs."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_instance_batch import finished_batch
from api.engine_rest.query import Param, Spec, many, parse, text, when
from api.engine_rest.variables import format_date, to_typed
from engine.models import HistoricDecision, ProcessInstance
from engine.service import decision_history

DATE = "date"
CASE = Param("case", "eq")
INCLUDES = ("includeInputs", "includeOutputs")
SPEC = Spec(
    params={
        "decisionInstanceId": text("id"), "decisionInstanceIdIn": many("id"),
        "decisionDefinitionId": text("decision_definition_id"),
        "decisionDefinitionIdIn": many("decision_definition_id"),
        "decisionDefinitionKey": text("decision_key"),
        "decisionDefinitionKeyIn": many("decision_key"),
        "decisionDefinitionName": text("decision_name"),
        "decisionDefinitionNameLike": text("decision_name", "like"),
        "processDefinitionId": text("definition_id"),
        "processDefinitionKey": text("process_key"),
        "processInstanceId": text("instance_id"),
        "caseDefinitionId": CASE, "caseDefinitionKey": CASE, "caseInstanceId": CASE,
        "activityIdIn": many("element_id"), "activityInstanceIdIn": many("activity_instance_id"),
        "evaluatedBefore": Param("evaluated_at", "le", DATE),
        "evaluatedAfter": Param("evaluated_at", "ge", DATE),
        "userId": text("user_id"), "rootDecisionInstanceId": text("root_id"),
        "rootDecisionInstancesOnly": when("root_only", "eq"),
        "tenantIdIn": Param("tenant", "in", "list"), "withoutTenantId": when("tenant", "null"),
    },
    sorts={"evaluationTime": "evaluated_at", "tenantId": "tenant_id"},
    # they shape the answer; VocFlow keeps no binary or serialized-object values to skip
    shaping=(*INCLUDES, "disableBinaryFetching", "disableCustomObjectDeserialization"),
)


def _clause(row: HistoricDecision, item: dict[str, Any], rule: bool) -> dict[str, Any]:
    dto = {"id": f"{row.id}:{item['clause_id']}" + (f":{item['rule_id']}" if rule else ""),
           "decisionInstanceId": row.id, "clauseId": item["clause_id"],
           "clauseName": item["clause_name"], "errorMessage": None,
           **to_typed(item["value"]), "createTime": format_date(row.evaluated_at),
           "removalTime": None, "rootProcessInstanceId": row.instance_id}
    if rule:
        dto.update(ruleId=item["rule_id"], ruleOrder=item["rule_order"],
                   variableName=item["variable_name"])
    return dto


def historic_decision_dto(row: HistoricDecision, instance: ProcessInstance | None,
                          tenant_id: str | None, *, inputs: bool = False,
                          outputs: bool = False) -> dict[str, Any]:
    """Camunda's HistoricDecisionInstanceDto; inputs and outputs only when asked for."""
    return {
        "id": row.id, "decisionDefinitionId": row.decision_definition_id,
        "decisionDefinitionKey": row.decision_key,
        "decisionDefinitionName": row.decision_name,
        "evaluationTime": format_date(row.evaluated_at),
        "removalTime": format_date(row.removal_time),
        "processDefinitionId": instance.definition_id if instance else None,
        "processDefinitionKey": instance.process_key if instance else None,
        "processInstanceId": row.instance_id, "rootProcessInstanceId": row.instance_id,
        "caseDefinitionId": None, "caseDefinitionKey": None, "caseInstanceId": None,
        "activityId": row.element_id, "activityInstanceId": row.activity_instance_id,
        "userId": row.user_id,
        "inputs": [_clause(row, i, False) for i in row.inputs] if inputs else None,
        "outputs": [_clause(row, o, True) for o in row.outputs] if outputs else None,
        "collectResultValue": row.collect_result, "rootDecisionInstanceId": row.root_id,
        "decisionRequirementsDefinitionId": None, "decisionRequirementsDefinitionKey": None,
        "tenantId": tenant_id,
    }


def _includes() -> dict[str, bool]:
    return {name[len("include"):].lower(): bool(flag(request.args.get(name), name))
            for name in INCLUDES}


@routes.get("/history/decision-instance")
def list_historic_decision_instances() -> Any:
    rows = run(decision_history.query, parse(SPEC))
    shape = _includes()
    return jsonify([historic_decision_dto(*row, **shape) for row in rows])


@routes.get("/history/decision-instance/count")
def count_historic_decision_instances() -> Any:
    return jsonify({"count": run(decision_history.count, parse(SPEC, paged=False))})


@routes.get("/history/decision-instance/<decision_instance_id>")
def get_historic_decision_instance(decision_instance_id: str) -> Any:
    unknown = sorted(set(request.args) - {*INCLUDES, "disableBinaryFetching",
                                          "disableCustomObjectDeserialization"})
    if unknown:
        raise RestError(f"unsupported query parameter(s): {', '.join(unknown)}")
    row = run(decision_history.decision, decision_instance_id)
    return jsonify(historic_decision_dto(*row, **_includes()))


@routes.post("/history/decision-instance/delete")
def delete_historic_decision_instances() -> Any:
    """Deleted before the answer (VocFlow runs no batch jobs): a finished batch."""
    body = json_body()
    unknown = sorted(set(body) - {"historicDecisionInstanceIds",
                                  "historicDecisionInstanceQuery", "deleteReason"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    query = body.get("historicDecisionInstanceQuery")
    if query is not None and not isinstance(query, dict):
        raise RestError("historicDecisionInstanceQuery must be an object")
    listed = id_list(body.get("historicDecisionInstanceIds"), "historicDecisionInstanceIds")
    if not listed and query is None:
        raise RestError("historicDecisionInstanceIds or historicDecisionInstanceQuery is "
                        "required")
    reason = body.get("deleteReason")
    if reason is not None and not isinstance(reason, str):
        raise RestError("deleteReason must be a string")
    parsed = parse(SPEC, query, paged=False) if query is not None else None
    total = run(decision_history.delete_many, listed or [], parsed, reason=reason)
    return finished_batch("decision-instance-deletion", total)
