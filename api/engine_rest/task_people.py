"""Camunda /task people and fields: delegate, resolve, PUT, identity links, candidate
counts, DELETE (refused: no standalone tasks), BPMN errors and escalations from a task."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest import variables
from api.engine_rest.common import bounded_int, json_body, routes, run
from api.engine_rest.errors import RestError
from engine.service import rest_task_data, rest_task_people
from engine.service.rest_task_people import TaskFields

UPDATE_FIELDS = ("name", "description", "priority", "assignee", "owner", "delegationState",
                 "due", "followUp", "parentTaskId", "caseInstanceId", "tenantId",
                 # read-only fields of a TaskDto a client sends back unchanged
                 "id", "created", "lastUpdated", "executionId", "processDefinitionId",
                 "processInstanceId", "taskDefinitionKey", "caseExecutionId",
                 "caseDefinitionId", "suspended", "formKey", "camundaFormRef", "taskState")
UNSUPPORTED = ("parentTaskId", "caseInstanceId", "tenantId")


def _text(body: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise RestError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise RestError(f"{name} must be a string or null")
    return value


@routes.post("/task/<task_id>/delegate")
def delegate_task(task_id: str) -> Any:
    run(rest_task_people.delegate, task_id, _text(json_body(), "userId", required=True))
    return "", 204


@routes.post("/task/<task_id>/resolve")
def resolve_task(task_id: str) -> Any:
    values = variables.from_camunda(json_body().get("variables"))
    run(rest_task_people.resolve, task_id, values)
    return "", 204


def _date(body: dict[str, Any], name: str) -> Any:
    raw = body.get(name)
    return None if raw in (None, "") else variables.parse_date(raw, name)


@routes.put("/task/<task_id>")
def update_task(task_id: str) -> Any:
    """Camunda replaces every field from the body: an absent one becomes null."""
    body = json_body()
    unknown = sorted(set(body) - set(UPDATE_FIELDS))
    if unknown:
        raise RestError("unsupported task field(s): " + ", ".join(unknown))
    unsupported = [n for n in UNSUPPORTED if body.get(n) not in (None, "")]
    if unsupported:
        raise RestError("not supported here (no sub-tasks, cases or tenants): "
                        + ", ".join(unsupported))
    fields = TaskFields(
        name=_text(body, "name"), description=_text(body, "description"),
        priority=bounded_int(body, "priority", 50) if body.get("priority") is not None
        else 50,
        assignee=_text(body, "assignee"), owner=_text(body, "owner"),
        delegation_state=_text(body, "delegationState"),
        due_at=_date(body, "due"), follow_up_at=_date(body, "followUp"))
    run(rest_task_people.update_task, task_id, fields)
    return "", 204


@routes.delete("/task/<task_id>")
def delete_task(task_id: str) -> Any:
    run(rest_task_people.delete_task, task_id)
    return "", 204


@routes.get("/task/<task_id>/identity-links")
def identity_links(task_id: str) -> Any:
    unknown = sorted(set(request.args) - {"type"})
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    links = run(rest_task_people.identity_links, task_id, request.args.get("type") or None)
    return jsonify([{"userId": link.user_id, "groupId": link.group_id, "type": link.type}
                    for link in links])


def _change_link(task_id: str, add: bool) -> Any:
    body = json_body()
    run(rest_task_people.change_identity_link, task_id, _text(body, "userId"),
        _text(body, "groupId"), _text(body, "type", required=True), add)
    return "", 204


@routes.post("/task/<task_id>/identity-links")
def add_identity_link(task_id: str) -> Any:
    return _change_link(task_id, True)


@routes.post("/task/<task_id>/identity-links/delete")
def delete_identity_link(task_id: str) -> Any:
    return _change_link(task_id, False)


@routes.get("/task/report/candidate-group-count")
def candidate_group_count() -> Any:
    if request.args:
        raise RestError("unsupported query parameter(s): " + ", ".join(sorted(request.args)))
    return jsonify([{"groupName": group, "taskCount": count}
                    for group, count in run(rest_task_people.candidate_group_counts)])


def _throw(task_id: str, kind: str) -> Any:
    body = json_body()
    code = _text(body, f"{kind}Code", required=True)
    message = _text(body, "errorMessage") if kind == "error" else None
    values = variables.from_camunda(body.get("variables"))
    run(rest_task_data.throw, task_id, kind, code, message, values)
    return "", 204


@routes.post("/task/<task_id>/bpmnError")
def task_bpmn_error(task_id: str) -> Any:
    return _throw(task_id, "error")


@routes.post("/task/<task_id>/bpmnEscalation")
def task_bpmn_escalation(task_id: str) -> Any:
    return _throw(task_id, "escalation")
