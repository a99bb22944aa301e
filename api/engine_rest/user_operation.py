"""Camunda /history/user-operation: who did what to which instance, task, job or deployment."""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

from flask import jsonify

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text
from api.engine_rest.variables import format_date
from engine.models import HistoryEvent, ProcessInstance
from engine.service import rest_history
from engine.service.rest_queries import Query

RESOURCE = "history_operation"
ANNOTATION_LIMIT = 4000  # Camunda's column size


class Operation(NamedTuple):
    """How Camunda names one of our history actions; `data` is the event field whose value
    is the entry's newValue (and `old` its orgValue) for `property`."""

    operation_type: str
    entity_type: str
    category: str
    property: str | None = None
    data: str | None = None
    old: str | None = None


_OP, _WORKER, _ADMIN = "Operator", "TaskWorker", "Admin"
OPERATIONS = {
    "instance_started": Operation("Create", "ProcessInstance", _OP),
    "instance_suspended": Operation("Suspend", "ProcessInstance", _OP, "suspensionState"),
    "instance_resumed": Operation("Activate", "ProcessInstance", _OP, "suspensionState"),
    "instance_terminated": Operation("Delete", "ProcessInstance", _OP, "deleteReason",
                                     "reason"),
    "instance_migrated": Operation("Migrate", "ProcessInstance", _OP, "processDefinitionId",
                                   "to", "from"),
    "token_moved": Operation("ModifyProcessInstance", "ProcessInstance", _OP),
    "task_skipped": Operation("ModifyProcessInstance", "ProcessInstance", _OP),
    "message_received": Operation("CorrelateMessage", "ProcessInstance", _OP, "messageName",
                                  "name"),
    "variables_set": Operation("SetVariables", "Variable", _OP),
    "historic_variables_deleted": Operation("DeleteHistory", "Variable", _OP),
    "task_claimed": Operation("Claim", "Task", _WORKER, "assignee"),
    "task_unclaimed": Operation("Claim", "Task", _WORKER, "assignee"),
    "task_assigned": Operation("Assign", "Task", _WORKER, "assignee", "assignee"),
    "task_completed": Operation("Complete", "Task", _WORKER, "delete"),
    "task_due_changed": Operation("Update", "Task", _WORKER, "dueDate", "to", "from"),
    "job_due_date_set": Operation("SetDueDate", "Job", _OP, "duedate", "due_at"),
    "job_retries_set": Operation("SetJobRetries", "Job", _OP, "retries", "retries"),
    "job_deleted": Operation("Delete", "Job", _OP),
    "job_definition_suspended": Operation("SuspendJobDefinition", "JobDefinition", _OP,
                                          "suspensionState"),
    "job_definition_activated": Operation("ActivateJobDefinition", "JobDefinition", _OP,
                                          "suspensionState"),
    "job_definition_priority_set": Operation("SetPriority", "JobDefinition", _OP,
                                             "overridingPriority", "priority"),
    "incident_retried": Operation("SetJobRetries", "Job", _OP),
    "incident_resolved": Operation("Resolve", "Incident", _OP),
    "deployed": Operation("Create", "Deployment", _OP),
    "user_created": Operation("Create", "User", _ADMIN),
    "user_updated": Operation("Update", "User", _ADMIN),
    "member_added": Operation("Create", "GroupMembership", _ADMIN),
    "member_removed": Operation("Delete", "GroupMembership", _ADMIN),
    "operation_annotated": Operation("SetAnnotation", "OperationLog", _OP, "annotation",
                                     "annotation"),
    "operation_annotation_cleared": Operation("ClearAnnotation", "OperationLog", _OP),
}
# Values Camunda gives these properties without an event field to read them from.
_FIXED = {"instance_suspended": "suspended", "instance_resumed": "active",
          "job_definition_suspended": "suspended", "job_definition_activated": "active",
          "task_completed": "true", "task_unclaimed": None}
SPEC = Spec(
    params={"processInstanceId": text("instance_id"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"), "taskId": text("task_id"),
            "userId": text("actor"),
            "operationType": text("operation_type"), "entityType": text("entity_type"),
            "entityTypeIn": many("entity_type"), "category": text("category"),
            "categoryIn": many("category"),
            "afterTimestamp": Param("at", "gt", "date"),
            "beforeTimestamp": Param("at", "lt", "date")},
    sorts={"timestamp": "at"},
)


def _as_actions(query: Query) -> Query:
    """Camunda's names (operation type, entity type, category) -> the actions they cover."""
    filters = []
    for field, op, value in query.filters:
        if field in ("operation_type", "entity_type", "category"):
            wanted = set(value) if op == "in" else {value}
            value = [a for a, o in OPERATIONS.items() if getattr(o, field) in wanted]
            field, op = "action", "in"
        filters.append((field, op, value))
    return dataclasses.replace(query, filters=tuple(filters))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def operation_dto(row: HistoryEvent, instance: ProcessInstance | None,
                  annotation: str | None = None) -> dict[str, Any]:
    """Camunda's UserOperationLogEntryDto: one entry per event (its id is the operation's)."""
    how = OPERATIONS[row.action]
    data = row.data or {}
    new = _FIXED.get(row.action, data.get(how.data) if how.data else None)
    if row.action == "task_claimed":
        new = row.actor
    job_id = data.get("job_id") if how.entity_type == "Job" else None
    return {
        "id": str(row.id), "operationId": str(row.id),
        "deploymentId": data.get("deployment_id") if row.action == "deployed" else None,
        "processDefinitionId": instance.definition_id if instance else None,
        "processDefinitionKey": instance.process_key if instance else None,
        "processInstanceId": row.instance_id, "executionId": row.instance_id,
        "caseDefinitionId": None, "caseInstanceId": None, "caseExecutionId": None,
        "taskId": row.task_id if how.entity_type == "Task" else None, "jobId": job_id,
        "jobDefinitionId": None, "batchId": None, "externalTaskId": None,
        "userId": row.actor, "timestamp": format_date(row.at),
        "operationType": how.operation_type, "entityType": how.entity_type,
        "category": how.category, "property": how.property,
        "orgValue": _text(data.get(how.old)) if how.old else None, "newValue": _text(new),
        "removalTime": None, "rootProcessInstanceId": row.instance_id, "annotation": annotation,
    }


@routes.get("/history/user-operation")
def list_user_operations() -> Any:
    rows = run(rest_history.query, RESOURCE, _as_actions(parse(SPEC)))
    return jsonify([operation_dto(*row) for row in rows])


@routes.get("/history/user-operation/count")
def count_user_operations() -> Any:
    query = _as_actions(parse(SPEC, paged=False))
    return jsonify({"count": run(rest_history.count, RESOURCE, query)})


def _annotate(operation_id: str, annotation: str | None) -> Any:
    run(rest_history.annotate, operation_id, annotation)
    return "", 204


@routes.put("/history/user-operation/<operation_id>/set-annotation")
def set_operation_annotation(operation_id: str) -> Any:
    """{"annotation": text}: an ops note on the entry (its operationId is its id)."""
    annotation = json_body().get("annotation")
    if not isinstance(annotation, str) or not annotation.strip():
        raise RestError("annotation must be a non-empty string")
    if len(annotation) > ANNOTATION_LIMIT:
        raise RestError(f"annotation must be at most {ANNOTATION_LIMIT} characters")
    return _annotate(operation_id, annotation)


@routes.put("/history/user-operation/<operation_id>/clear-annotation")
def clear_operation_annotation(operation_id: str) -> Any:
    return _annotate(operation_id, None)
