"""Camunda /migration (generate, validate, execute) and /modification (execute) on many
instances; the -Async forms do the work before answering, with a finished BatchDto."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import history, variables
from api.engine_rest.common import flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_instance_batch import finished_batch, selection
from api.engine_rest.process_instance_runtime import SKIP_FLAGS, modification_request
from api.engine_rest.query import parse
from engine.service import migration_plans, rest_batches
from engine.service.migration_plans import MigrationInstruction, MigrationPlan

PLAN_FIELDS = {"sourceProcessDefinitionId", "targetProcessDefinitionId", "instructions",
               "variables"}


def _known(body: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise RestError(f"{where}: unsupported field(s) {', '.join(unknown)}")


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise RestError(f"{name} must be a non-empty string")
    return value


def _instruction(item: Any, index: int) -> MigrationInstruction:
    where = f"instructions[{index}]"
    if not isinstance(item, dict):
        raise RestError(f"{where} must be an object")
    _known(item, {"sourceActivityIds", "targetActivityIds", "updateEventTrigger"}, where)
    sources = id_list(item.get("sourceActivityIds"), f"{where}.sourceActivityIds")
    targets = id_list(item.get("targetActivityIds"), f"{where}.targetActivityIds")
    if not sources or not targets:
        raise RestError(f"{where}: sourceActivityIds and targetActivityIds are required")
    return MigrationInstruction(sources, targets,
                                bool(flag(item.get("updateEventTrigger"),
                                          f"{where}.updateEventTrigger")))


def plan_from(body: Any) -> MigrationPlan:
    """A MigrationPlanDto."""
    if not isinstance(body, dict):
        raise RestError("migrationPlan must be an object")
    _known(body, PLAN_FIELDS, "migrationPlan")
    items = body.get("instructions")
    if not isinstance(items, list):
        raise RestError("instructions must be a list")
    return MigrationPlan(_text(body, "sourceProcessDefinitionId"),
                         _text(body, "targetProcessDefinitionId"),
                         [_instruction(item, i) for i, item in enumerate(items)],
                         variables.from_camunda(body.get("variables")))


def plan_dto(plan: MigrationPlan) -> dict[str, Any]:
    return {"sourceProcessDefinitionId": plan.source_definition_id,
            "targetProcessDefinitionId": plan.target_definition_id,
            "instructions": [instruction_dto(i) for i in plan.instructions],
            "variables": variables.to_camunda(plan.variables)}


def instruction_dto(item: MigrationInstruction) -> dict[str, Any]:
    return {"sourceActivityIds": item.source_activity_ids,
            "targetActivityIds": item.target_activity_ids,
            "updateEventTrigger": item.update_event_trigger}


@routes.post("/migration/generate")
def generate_migration_plan() -> Any:
    body = json_body()
    _known(body, {"sourceProcessDefinitionId", "targetProcessDefinitionId",
                  "updateEventTriggers", "variables"}, "request")
    plan = run(migration_plans.generate, _text(body, "sourceProcessDefinitionId"),
               _text(body, "targetProcessDefinitionId"),
               bool(flag(body.get("updateEventTriggers"), "updateEventTriggers")),
               variables.from_camunda(body.get("variables")))
    return jsonify(plan_dto(plan))


@routes.post("/migration/validate")
def validate_migration_plan() -> Any:
    reports = run(migration_plans.validate, plan_from(json_body()))
    return jsonify({"instructionReports": [
        {"instruction": instruction_dto(r.instruction), "failures": r.failures}
        for r in reports], "variableReports": {}})


def _migrate() -> int:
    body = json_body()
    for name in SKIP_FLAGS:
        flag(body.get(name), name)
    listed, query = selection({k: v for k, v in body.items() if k != "migrationPlan"},
                              "processInstanceIds", set(SKIP_FLAGS))
    count: int = run(migration_plans.execute, plan_from(body.get("migrationPlan")), listed,
                     query)
    return count


@routes.post("/migration/execute")
def execute_migration() -> Any:
    _migrate()
    return "", 204


@routes.post("/migration/executeAsync")
def execute_migration_async() -> Any:
    return finished_batch("instance-migration", _migrate())


def _modify_many() -> int:
    body = json_body()
    outer = {"processDefinitionId", "processInstanceIds", "processInstanceQuery",
             "historicProcessInstanceQuery"}
    listed, query = selection({k: v for k, v in body.items() if k in outer
                               and k != "historicProcessInstanceQuery"},
                              "processInstanceIds", {"processDefinitionId"})
    historic = body.get("historicProcessInstanceQuery")
    if historic is not None and not isinstance(historic, dict):
        raise RestError("historicProcessInstanceQuery must be an object")
    instructions, annotation = modification_request(
        {k: v for k, v in body.items() if k not in outer})
    count: int = run(rest_batches.modify_many, _text(body, "processDefinitionId"), listed,
                     query, instructions, annotation=annotation,
                     historic=(parse(history.INSTANCE_SPEC, historic, paged=False)
                               if historic is not None else None))
    return count


@routes.post("/modification/execute")
def execute_modification() -> Any:
    _modify_many()
    return "", 204


@routes.post("/modification/executeAsync")
def execute_modification_async() -> Any:
    return finished_batch("instance-modification", _modify_many())
