"""Camunda /task: query, one, claim, unclaim, assignee, complete, variables, form variables."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest import variables
from api.engine_rest.common import (
    actor,
    arg,
    flag,
    id_list,
    json_body,
    now,
    page,
    routes,
    unit_of_work,
)
from api.engine_rest.errors import RestError
from engine import service
from engine.models import HumanTask
from engine.service import scopes
from engine.uow import UnitOfWork

QUERY_LIMIT = 10_000


def task_dto(uow: UnitOfWork, task: HumanTask) -> dict[str, Any]:
    instance = uow.instances.get(task.instance_id)
    return {
        "id": task.id, "name": task.name, "assignee": task.assignee, "owner": None,
        "created": variables.format_date(task.created_at),
        "due": variables.format_date(task.due_at),
        "followUp": variables.format_date(task.follow_up_at), "lastUpdated": None,
        "delegationState": None, "description": None, "executionId": task.instance_id,
        "parentTaskId": None, "priority": task.priority,
        "processDefinitionId": instance.definition_id if instance else None,
        "processInstanceId": task.instance_id, "taskDefinitionKey": task.element_id,
        "caseExecutionId": None, "caseInstanceId": None, "caseDefinitionId": None,
        "suspended": bool(instance and instance.status == "suspended"),
        "formKey": task.form_key, "camundaFormRef": None, "tenantId": None,
    }


def _keep(task: HumanTask, body: dict[str, Any] | None) -> bool:
    """Camunda's task filters that the scoped inbox query does not cover."""
    group, user = arg("candidateGroup", body), arg("candidateUser", body)
    groups = id_list(arg("candidateGroups", body))
    include_assigned = flag(arg("includeAssignedTasks", body))
    if (group or user or groups) and task.assignee and not include_assigned:
        return False
    checks = [
        (group, lambda: group in (task.candidate_groups or [])),
        (groups, lambda: bool(set(groups or []) & set(task.candidate_groups or []))),
        (user, lambda: user in (task.candidate_users or [])),
        (arg("assignee", body), lambda: task.assignee == arg("assignee", body)),
        (arg("taskDefinitionKey", body),
         lambda: task.element_id == arg("taskDefinitionKey", body)),
        (id_list(arg("taskDefinitionKeyIn", body)),
         lambda: task.element_id in (id_list(arg("taskDefinitionKeyIn", body)) or [])),
        (arg("name", body), lambda: task.name == arg("name", body)),
        (id_list(arg("taskIdIn", body)) or arg("taskId", body),
         lambda: task.id in (id_list(arg("taskIdIn", body)) or [arg("taskId", body)])),
        (flag(arg("unassigned", body)), lambda: task.assignee is None),
        (flag(arg("assigned", body)), lambda: task.assignee is not None),
    ]
    return all(check() for wanted, check in checks if wanted)


def _query(body: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    with unit_of_work() as uow:
        who = actor(uow)
        rows = scopes.inbox(uow, who, view="all", limit=QUERY_LIMIT,
                            instance_id=arg("processInstanceId", body) or None,
                            process_key=arg("processDefinitionKey", body) or None)
        wanted_definition = arg("processDefinitionId", body)
        dtos = [task_dto(uow, t) for t in rows if _keep(t, body)]
    if wanted_definition:
        dtos = [d for d in dtos if d["processDefinitionId"] == wanted_definition]
    return dtos


@routes.get("/task")
def list_tasks() -> Any:
    return jsonify(page(_query()))


@routes.post("/task")
def query_tasks() -> Any:
    return jsonify(page(_query(json_body())))


@routes.get("/task/count")
def count_tasks() -> Any:
    return jsonify({"count": len(_query())})


@routes.post("/task/count")
def count_tasks_post() -> Any:
    return jsonify({"count": len(_query(json_body()))})


@routes.get("/task/<task_id>")
def get_task(task_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        return jsonify(task_dto(uow, scopes.visible_task(uow, task_id, who)))


def _user_id(body: dict[str, Any]) -> str | None:
    user_id = body.get("userId")
    if user_id is not None and not isinstance(user_id, str):
        raise RestError("userId must be a string or null")
    return user_id or None


@routes.post("/task/<task_id>/claim")
def claim_task(task_id: str) -> Any:
    """Claim for yourself; claiming for someone else is an assignment (ops only)."""
    with unit_of_work() as uow:
        who, user_id = actor(uow), _user_id(json_body())
        scopes.visible_task(uow, task_id, who)
        if user_id in (None, who.username):
            service.claim_task(uow, task_id, who, now())
        else:
            task = scopes.visible_task(uow, task_id, who)
            if task.assignee:
                raise RestError(f"Task '{task_id}' is already claimed by someone else.")
            service.assign_task(uow, task_id, user_id, who, now())
    return "", 204


@routes.post("/task/<task_id>/unclaim")
def unclaim_task(task_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        scopes.visible_task(uow, task_id, who)
        service.unclaim_task(uow, task_id, who, now())
    return "", 204


@routes.post("/task/<task_id>/assignee")
def set_assignee(task_id: str) -> Any:
    with unit_of_work() as uow:
        who, user_id = actor(uow), _user_id(json_body())
        scopes.visible_task(uow, task_id, who)
        service.assign_task(uow, task_id, user_id, who, now())
    return "", 204


@routes.post("/task/<task_id>/complete")
def complete_task(task_id: str) -> Any:
    """Typed variables go through the task's form; field errors are a 400 naming each field."""
    with unit_of_work() as uow:
        who, body = actor(uow), json_body()
        values = variables.from_camunda(body.get("variables"))
        task = scopes.visible_task(uow, task_id, who)
        instance_id = task.instance_id
        service.complete_task(uow, task_id, values, who, now())
        if not body.get("withVariablesInReturn"):
            return "", 204
        result = service.show_instance(uow, instance_id, who).variables
    return jsonify(variables.to_camunda(result))


def _names() -> list[str] | None:
    return id_list(request.args.get("variableNames"))


@routes.get("/task/<task_id>/variables")
def task_variables(task_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        form = scopes.task_form(uow, task_id, who)
    return jsonify(variables.to_camunda(form.data, _names()))


@routes.get("/task/<task_id>/form-variables")
def form_variables(task_id: str) -> Any:
    """The form's fields with their current values (every variable when there is no form)."""
    with unit_of_work() as uow:
        who = actor(uow)
        form = scopes.task_form(uow, task_id, who)
    names = _names()
    if form.form_schema is not None:
        fields = list((form.form_schema.get("properties") or {}).keys())
        names = [n for n in fields if names is None or n in names]
        return jsonify({n: variables.to_typed(form.data.get(n)) for n in names})
    return jsonify(variables.to_camunda(form.data, names))
