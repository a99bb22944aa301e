"""Camunda /variable-instance: the process variables of running instances in scope.

Each variable is one variable instance of its instance's execution (ids: engine.ids);
task-local and case variables do not exist here, so those filters are 400s like any other
unknown parameter.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import json_body, routes, run
from api.engine_rest.execution import split
from api.engine_rest.query import Param, Spec, many, parse
from engine.service import rest_executions
from engine.service.rest_executions import VariableInstance
from engine.service.rest_queries import Query

LOCAL = ("names", "name_like")
SPEC = Spec(
    params={"variableName": Param("names", "eq", "text"),
            "variableNameLike": Param("name_like", "like", "like"),
            "processInstanceIdIn": many("id"), "executionIdIn": many("id"),
            "activityInstanceIdIn": many("id")},
    sorts={"variableName": "v:variableName", "variableType": "v:variableType",
           "activityInstanceId": "id"},
    shaping=("deserializeValues",),
)


def variable_dto(item: VariableInstance) -> dict[str, Any]:
    row = item.instance
    return {"id": item.id, "name": item.name, **variables.to_typed(item.value),
            "processDefinitionId": row.definition_id, "processInstanceId": row.id,
            "executionId": row.id, "activityInstanceId": row.id, "caseInstanceId": None,
            "caseExecutionId": None, "taskId": None, "batchId": None, "tenantId": None,
            "errorMessage": None}


def _list(body: dict[str, Any] | None, paged: bool = True
          ) -> tuple[list[VariableInstance], int]:
    query, local = split(parse(SPEC, body, paged=paged), LOCAL)
    if "names" in local:
        local["names"] = [local["names"]]
    local["sort"] = [(f[2:], desc) for f, desc in query.sort if f.startswith("v:")]
    instance_sort = tuple(s for s in query.sort if not s[0].startswith("v:"))
    query = Query(query.filters, instance_sort, query.offset, query.limit)
    return run(rest_executions.list_variables, query, local)


@routes.get("/variable-instance")
def list_variable_instances() -> Any:
    return jsonify([variable_dto(v) for v in _list(None)[0]])


@routes.post("/variable-instance")
def query_variable_instances() -> Any:
    return jsonify([variable_dto(v) for v in _list(json_body())[0]])


@routes.get("/variable-instance/count")
def count_variable_instances() -> Any:
    return jsonify({"count": _list(None, False)[1]})


@routes.post("/variable-instance/count")
def count_variable_instances_post() -> Any:
    return jsonify({"count": _list(json_body(), False)[1]})


@routes.get("/variable-instance/<variable_id>")
def get_variable_instance(variable_id: str) -> Any:
    return jsonify(variable_dto(run(rest_executions.get_variable, variable_id)))
