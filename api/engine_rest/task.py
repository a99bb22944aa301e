"""Camunda /task: query, one, claim, unclaim, assignee, complete, variables, form variables."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest import variables
from api.engine_rest.common import id_list, json_body, raw_arg, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine.models import HumanTask, ProcessInstance, TaskDetail
from engine.service import rest_actions, rest_queries, rest_task_data, rest_task_forms
from engine.service.rest_queries import Query

DATE = "date"
SPEC = Spec(
    params={
        "taskId": text("id"), "taskIdIn": many("id"),
        "processInstanceId": text("instance_id"), "processInstanceIdIn": many("instance_id"),
        "processInstanceBusinessKey": text("business_key"),
        "processInstanceBusinessKeyIn": many("business_key"),
        "processInstanceBusinessKeyLike": text("business_key", "like"),
        "processDefinitionId": text("definition_id"),
        "processDefinitionKey": text("process_key"),
        "processDefinitionKeyIn": many("process_key"),
        "taskDefinitionKey": text("element_id"), "taskDefinitionKeyIn": many("element_id"),
        "taskDefinitionKeyLike": text("element_id", "like"),
        "name": text("name"), "nameLike": text("name", "like"),
        "assignee": text("assignee"), "assigneeLike": text("assignee", "like"),
        "assigneeIn": many("assignee"),
        "candidateGroup": text("candidate_group"), "candidateGroups": many("candidate_group"),
        "candidateUser": text("candidate_user"),
        "includeAssignedTasks": Param("", kind="flag"),
        "assigned": when("assignee", "null", False), "unassigned": when("assignee", "null"),
        "withoutDueDate": when("due_at", "null"),
        "dueDate": Param("due_at", "eq", DATE), "dueBefore": Param("due_at", "lt", DATE),
        "dueAfter": Param("due_at", "gt", DATE),
        "followUpDate": Param("follow_up_at", "eq", DATE),
        "followUpBefore": Param("follow_up_at", "lt", DATE),
        "followUpAfter": Param("follow_up_at", "gt", DATE),
        "createdOn": Param("created_at", "eq", DATE),
        "createdBefore": Param("created_at", "lt", DATE),
        "createdAfter": Param("created_at", "gt", DATE),
        "priority": Param("priority", "eq", "int"),
        "minPriority": Param("priority", "ge", "int"),
        "maxPriority": Param("priority", "le", "int"),
        "suspended": when("suspended", "true"), "active": when("suspended", "true", False),
        "formKey": text("form_key"),
        "owner": text("owner"), "delegationState": text("delegation_state"),
        "description": text("description"), "descriptionLike": text("description", "like"),
    },
    sorts={"id": "id", "name": "name", "assignee": "assignee", "created": "created_at",
           "dueDate": "due_at", "followUpDate": "follow_up_at", "priority": "priority",
           "processInstanceId": "instance_id", "processDefinitionId": "definition_id",
           "taskDefinitionKey": "element_id"},
)
CANDIDATE_PARAMS = ("candidateGroup", "candidateGroups", "candidateUser")


def task_dto(task: HumanTask, instance: ProcessInstance | None,
             detail: TaskDetail | None = None) -> dict[str, Any]:
    return {
        "id": task.id, "name": task.name, "assignee": task.assignee,
        "owner": detail.owner if detail else None,
        "created": variables.format_date(task.created_at),
        "due": variables.format_date(task.due_at),
        "followUp": variables.format_date(task.follow_up_at),
        "lastUpdated": variables.format_date(detail.updated_at if detail else None),
        "delegationState": detail.delegation_state if detail else None,
        "description": detail.description if detail else None,
        "executionId": task.instance_id,
        "parentTaskId": None, "priority": task.priority,
        "processDefinitionId": instance.definition_id if instance else None,
        "processInstanceId": task.instance_id, "taskDefinitionKey": task.element_id,
        "caseExecutionId": None, "caseInstanceId": None, "caseDefinitionId": None,
        "suspended": bool(instance and instance.status == "suspended"),
        "formKey": task.form_key, "camundaFormRef": None, "tenantId": None,
    }


def task_query(body: dict[str, Any] | None = None, *, paged: bool = True) -> Query:
    """Camunda's candidate filters find unassigned tasks unless includeAssignedTasks."""
    query = parse(SPEC, body, paged=paged)
    filters = tuple(f for f in query.filters if f[0])
    candidate = any(raw_arg(n, body) not in (None, "") for n in CANDIDATE_PARAMS)
    include = any(f[0] == "" for f in query.filters)
    if candidate and not include:
        filters += (("assignee", "null", True),)
    return Query(filters, query.sort, query.offset, query.limit)


def _list(body: dict[str, Any] | None = None) -> Any:
    rows = run(rest_queries.query, "task", task_query(body))
    return jsonify([task_dto(*row) for row in rows])


def _count(body: dict[str, Any] | None = None) -> Any:
    return jsonify({"count": run(rest_queries.count, "task", task_query(body, paged=False))})


@routes.get("/task")
def list_tasks() -> Any:
    return _list()


@routes.post("/task")
def query_tasks() -> Any:
    return _list(json_body())


@routes.get("/task/count")
def count_tasks() -> Any:
    return _count()


@routes.post("/task/count")
def count_tasks_post() -> Any:
    return _count(json_body())


@routes.get("/task/<task_id>")
def get_task(task_id: str) -> Any:
    return jsonify(task_dto(*run(rest_queries.task, task_id)))


def _user_id(body: dict[str, Any]) -> str | None:
    user_id = body.get("userId")
    if user_id is not None and not isinstance(user_id, str):
        raise RestError("userId must be a string or null")
    return user_id or None


@routes.post("/task/<task_id>/claim")
def claim_task(task_id: str) -> Any:
    """Claim for yourself; claiming for someone else is an assignment (ops only)."""
    run(rest_actions.claim, task_id, _user_id(json_body()))
    return "", 204


@routes.post("/task/<task_id>/unclaim")
def unclaim_task(task_id: str) -> Any:
    run(rest_actions.unclaim, task_id)
    return "", 204


@routes.post("/task/<task_id>/assignee")
def set_assignee(task_id: str) -> Any:
    run(rest_actions.set_assignee, task_id, _user_id(json_body()))
    return "", 204


@routes.post("/task/<task_id>/complete")
def complete_task(task_id: str) -> Any:
    """Typed variables go through the task's form; field errors are a 400 naming each field."""
    body = json_body()
    values = variables.from_camunda(body.get("variables"))
    result = run(rest_actions.complete, task_id, values,
                 bool(body.get("withVariablesInReturn")))
    if result is None:
        return "", 204
    return jsonify(variables.to_camunda(result))


def _names() -> list[str] | None:
    return id_list(request.args.get("variableNames"), "variableNames")


@routes.get("/task/<task_id>/variables")
def task_variables(task_id: str) -> Any:
    found = run(rest_task_data.visible_variables, task_id)
    return jsonify(variables.to_camunda(found, _names()))


@routes.get("/task/<task_id>/form-variables")
def form_variables(task_id: str) -> Any:
    """The form's fields with their current values (every variable when there is no form).
    A generated form's fields come typed by their form type, valued by their default when
    unset, then the task's other variables, as Camunda's GetTaskFormVariablesCmd does."""
    found = run(rest_task_forms.form_variables, task_id)
    form, names = found.form, _names()
    if found.fields is not None:
        fields = {v.name: variables.form_typed(v.type, v.value) for v in found.fields
                  if names is None or v.name in names}
        others = {k: v for k, v in form.data.items() if k not in fields}
        return jsonify({**fields, **variables.to_camunda(others, names)})
    if form.form_schema is not None:
        fields = list((form.form_schema.get("properties") or {}).keys())
        names = [n for n in fields if names is None or n in names]
        return jsonify({n: variables.to_typed(form.data.get(n)) for n in names})
    return jsonify(variables.to_camunda(form.data, names))
