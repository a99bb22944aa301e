"""Camunda /task/{id}/localVariables and /variables/{name}: task-local and task variables."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import id_list, json_body, routes, run
from engine.service import rest_task_data


def _modifications() -> tuple[dict[str, Any], list[str]]:
    body = json_body()
    values = variables.from_camunda(body.get("modifications"))
    return values, id_list(body.get("deletions"), "deletions") or []


def _one(value: Any) -> Any:
    return jsonify(variables.to_typed(value))


def _typed_body(name: str) -> dict[str, Any]:
    return {name: variables.from_typed(name, json_body())}


# --- local variables: kept with the task, never handed to the process ----------------------

@routes.get("/task/<task_id>/localVariables")
def local_variables(task_id: str) -> Any:
    return jsonify(variables.to_camunda(run(rest_task_data.local_variables, task_id)))


@routes.post("/task/<task_id>/localVariables")
def modify_local_variables(task_id: str) -> Any:
    run(rest_task_data.modify_local, task_id, *_modifications())
    return "", 204


@routes.get("/task/<task_id>/localVariables/<name>")
def local_variable(task_id: str, name: str) -> Any:
    return _one(run(rest_task_data.local_variable, task_id, name))


@routes.put("/task/<task_id>/localVariables/<name>")
def put_local_variable(task_id: str, name: str) -> Any:
    run(rest_task_data.modify_local, task_id, _typed_body(name), [])
    return "", 204


@routes.delete("/task/<task_id>/localVariables/<name>")
def delete_local_variable(task_id: str, name: str) -> Any:
    run(rest_task_data.modify_local, task_id, {}, [name])
    return "", 204


# --- task variables: the task's data, handed to the process when it completes --------------

@routes.post("/task/<task_id>/variables")
def modify_task_variables(task_id: str) -> Any:
    run(rest_task_data.modify_variables, task_id, *_modifications())
    return "", 204


@routes.get("/task/<task_id>/variables/<name>")
def task_variable(task_id: str, name: str) -> Any:
    return _one(run(rest_task_data.task_variable, task_id, name))


@routes.put("/task/<task_id>/variables/<name>")
def put_task_variable(task_id: str, name: str) -> Any:
    run(rest_task_data.modify_variables, task_id, _typed_body(name), [])
    return "", 204


@routes.delete("/task/<task_id>/variables/<name>")
def delete_task_variable(task_id: str, name: str) -> Any:
    run(rest_task_data.modify_variables, task_id, {}, [name])
    return "", 204

