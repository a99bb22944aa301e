"""Camunda /history/variable-instance and /history/detail: variables now and their updates,
and their deletion from an ended instance's history.

A query names its process instances (processInstanceId or processInstanceIdIn): the
values are read from each instance's stored workflow and from its history events.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import json_body, routes, run
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine.service import history_variable_deletion, history_variables
from engine.service.history_variables import Update, Variable
from engine.service.rest_queries import Query

_INSTANCES = {"processInstanceId": text("instance_id"),
              "processInstanceIdIn": many("instance_id")}
VARIABLE_SPEC = Spec(
    params={**_INSTANCES, "variableName": text("name"),
            "variableNameLike": text("name", "like")},
    sorts={"instanceId": "instance_id", "variableName": "name"},
    shaping=("deserializeValues",),
)
DETAIL_SPEC = Spec(
    params={**_INSTANCES, "taskId": text("task_id"),
            "variableInstanceId": text("variable_instance_id"),
            "variableUpdates": when("name", "null", False), "initial": when("initial", "eq"),
            "excludeTaskDetails": when("task_id", "eq", None),
            "occurredBefore": Param("at", "lt", "date"),
            "occurredAfter": Param("at", "gt", "date")},
    sorts={"processInstanceId": "instance_id", "variableName": "name",
           "variableRevision": "revision", "time": "at", "occurrence": "at"},
    shaping=("deserializeValues",),
)


def _owner(row: Variable | Update) -> dict[str, Any]:
    instance = row.instance
    return {"processDefinitionKey": instance.process_key,
            "processDefinitionId": instance.definition_id, "processInstanceId": instance.id,
            "executionId": instance.id, "caseDefinitionKey": None, "caseDefinitionId": None,
            "caseInstanceId": None, "caseExecutionId": None, "tenantId": None,
            "errorMessage": None, "removalTime": None, "rootProcessInstanceId": instance.id}


def variable_dto(row: Variable) -> dict[str, Any]:
    """Camunda's HistoricVariableInstanceDto; createTime is not recorded (null)."""
    return {"id": f"{row.instance.id}:{row.name}", "name": row.name,
            **variables.to_typed(row.value), **_owner(row), "activityInstanceId": None,
            "taskId": None, "state": "CREATED", "createTime": None}


def detail_dto(row: Update) -> dict[str, Any]:
    """Camunda's HistoricVariableUpdateDto."""
    typed = variables.to_typed(row.value)
    return {"id": f"{row.instance.id}:{row.event.id}:{row.name}", "type": "variableUpdate",
            **_owner(row), "activityInstanceId": row.task_id, "taskId": row.task_id,
            "userOperationId": None, "time": variables.format_date(row.at),
            "variableName": row.name, "variableInstanceId": f"{row.instance.id}:{row.name}",
            "variableType": typed["type"], "value": typed["value"],
            "valueInfo": typed["valueInfo"], "initial": row.initial, "revision": row.revision,
            "serializerName": None}


def _detail_query(body: dict[str, Any] | None, *, paged: bool = True) -> Query:
    """variableInstanceId ('<instance>:<name>') is the instance and the name."""
    query = parse(DETAIL_SPEC, body, paged=paged)
    filters: list[tuple[str, str, Any]] = []
    for field, op, value in query.filters:
        if field == "variable_instance_id":
            instance_id, _, name = str(value).partition(":")
            filters += [("instance_id", "eq", instance_id), ("name", "eq", name)]
        else:
            filters.append((field, op, value))
    return dataclasses.replace(query, filters=tuple(filters))


def _variables(body: dict[str, Any] | None) -> Any:
    rows = run(history_variables.variables, parse(VARIABLE_SPEC, body))
    return jsonify([variable_dto(row) for row in rows])


def _variable_count(body: dict[str, Any] | None) -> Any:
    query = parse(VARIABLE_SPEC, body, paged=False)
    return jsonify({"count": len(run(history_variables.variables, query))})


@routes.get("/history/variable-instance")
def list_historic_variables() -> Any:
    return _variables(None)


@routes.post("/history/variable-instance")
def query_historic_variables() -> Any:
    return _variables(json_body())


@routes.get("/history/variable-instance/count")
def count_historic_variables() -> Any:
    return _variable_count(None)


@routes.post("/history/variable-instance/count")
def count_historic_variables_post() -> Any:
    return _variable_count(json_body())


@routes.get("/history/variable-instance/<ident>")
def get_historic_variable(ident: str) -> Any:
    return jsonify(variable_dto(run(history_variables.variable, ident)))


@routes.delete("/history/variable-instance/<ident>")
def delete_historic_variable(ident: str) -> Any:
    """Ops: one variable out of an ended instance's history (its value and its updates)."""
    run(history_variable_deletion.delete_historic_variable, ident)
    return "", 204


@routes.delete("/history/process-instance/<instance_id>/variable-instances")
def delete_historic_variables_of_instance(instance_id: str) -> Any:
    """Ops: every variable out of an ended instance's history."""
    run(history_variable_deletion.delete_historic_variables, instance_id)
    return "", 204


def _details(body: dict[str, Any] | None) -> Any:
    rows = run(history_variables.updates, _detail_query(body))
    return jsonify([detail_dto(row) for row in rows])


@routes.get("/history/detail")
def list_historic_details() -> Any:
    return _details(None)


@routes.post("/history/detail")
def query_historic_details() -> Any:
    return _details(json_body())


@routes.get("/history/detail/count")
def count_historic_details() -> Any:
    rows = run(history_variables.updates, _detail_query(None, paged=False))
    return jsonify({"count": len(rows)})


@routes.get("/history/detail/<ident>")
def get_historic_detail(ident: str) -> Any:
    return jsonify(detail_dto(run(history_variables.update, ident)))
