"""Camunda /history/task: user tasks open and ended (completed, skipped, deleted), in scope."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.query import Param, Spec, many, parse, text, when
from api.engine_rest.variables import format_date
from engine.models import HistoricTask, HumanTask, ProcessInstance
from engine.service import rest_history

DATE = "date"
RESOURCE = "history_task"
SPEC = Spec(
    params={
        "taskId": text("id"), "processInstanceId": text("instance_id"),
        "processInstanceBusinessKey": text("business_key"),
        "processInstanceBusinessKeyIn": many("business_key"),
        "processInstanceBusinessKeyLike": text("business_key", "like"),
        "processDefinitionId": text("definition_id"),
        "processDefinitionKey": text("process_key"),
        "taskName": text("name"), "taskNameLike": text("name", "like"),
        "taskDefinitionKey": text("element_id"), "taskDefinitionKeyIn": many("element_id"),
        "taskDeleteReason": text("end_reason"),
        "taskDeleteReasonLike": text("end_reason", "like"),
        "taskAssignee": text("assignee"), "taskAssigneeLike": text("assignee", "like"),
        "taskPriority": Param("priority", "eq", "int"),
        "assigned": when("assignee", "null", False), "unassigned": when("assignee", "null"),
        "finished": when("ended_at", "null", False), "unfinished": when("ended_at", "null"),
        "processFinished": when("instance_ended_at", "null", False),
        "processUnfinished": when("instance_ended_at", "null"),
        "taskDueDate": Param("due_at", "eq", DATE),
        "taskDueDateBefore": Param("due_at", "lt", DATE),
        "taskDueDateAfter": Param("due_at", "gt", DATE),
        "withoutTaskDueDate": when("due_at", "null"),
        "taskFollowUpDate": Param("follow_up_at", "eq", DATE),
        "taskFollowUpDateBefore": Param("follow_up_at", "lt", DATE),
        "taskFollowUpDateAfter": Param("follow_up_at", "gt", DATE),
        "startedBefore": Param("created_at", "lt", DATE),
        "startedAfter": Param("created_at", "gt", DATE),
        "finishedBefore": Param("ended_at", "lt", DATE),
        "finishedAfter": Param("ended_at", "gt", DATE),
    },
    sorts={"taskId": "id", "processDefinitionId": "definition_id",
           "processInstanceId": "instance_id", "executionId": "instance_id",
           "startTime": "created_at", "endTime": "ended_at", "taskName": "name",
           "assignee": "assignee", "dueDate": "due_at", "followUpDate": "follow_up_at",
           "deleteReason": "end_reason", "taskDefinitionKey": "element_id",
           "priority": "priority"},
)


def historic_task_dto(row: HistoricTask, instance: ProcessInstance,
                      open_task: HumanTask | None) -> dict[str, Any]:
    """Camunda's HistoricTaskInstanceDto; an open task shows its live assignee and dates."""
    live: HistoricTask | HumanTask = open_task or row
    duration = (int((row.ended_at - row.created_at).total_seconds() * 1000)
                if row.ended_at and row.created_at else None)
    return {
        "id": row.id, "processDefinitionKey": row.process_key,
        "processDefinitionId": instance.definition_id, "processInstanceId": row.instance_id,
        "executionId": row.instance_id, "caseDefinitionKey": None, "caseDefinitionId": None,
        "caseInstanceId": None, "caseExecutionId": None, "activityInstanceId": row.task_id,
        "name": row.name, "description": None, "deleteReason": row.end_reason,
        "owner": None, "assignee": live.assignee, "startTime": format_date(row.created_at),
        "endTime": format_date(row.ended_at), "duration": duration,
        "taskDefinitionKey": row.element_id, "priority": live.priority,
        "due": format_date(live.due_at), "parentTaskId": None,
        "followUp": format_date(live.follow_up_at), "tenantId": None, "removalTime": None,
        "rootProcessInstanceId": row.instance_id,
    }


def _list(body: dict[str, Any] | None = None) -> Any:
    rows = run(rest_history.query, RESOURCE, parse(SPEC, body))
    return jsonify([historic_task_dto(*row) for row in rows])


def _count(body: dict[str, Any] | None = None) -> Any:
    return jsonify({"count": run(rest_history.count, RESOURCE, parse(SPEC, body, paged=False))})


@routes.get("/history/task")
def list_historic_tasks() -> Any:
    return _list()


@routes.post("/history/task")
def query_historic_tasks() -> Any:
    return _list(json_body())


@routes.get("/history/task/count")
def count_historic_tasks() -> Any:
    return _count()


@routes.post("/history/task/count")
def count_historic_tasks_post() -> Any:
    return _count(json_body())
