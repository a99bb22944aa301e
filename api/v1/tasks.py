"""Blueprint: the task inbox, one task with its form, claim, unclaim, assign, complete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import TaskCountsSchema, TaskDetailSchema, TaskSchema
from api.v1.common import now, run
from engine import service
from engine.models import HumanTask
from engine.service import scopes

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks",
                description="User tasks (待办任务)")


class InboxQuery(Schema):
    view = fields.String(load_default="offered", validate=validate.OneOf(scopes.INBOX_VIEWS),
                         metadata={"description": "mine, claimable, offered (both) or all"})
    overdue = fields.Boolean(load_default=False)
    due_before = fields.AwareDateTime()
    process = fields.String()
    key_task = fields.String()
    province = fields.String()
    instance_id = fields.String()
    sort = fields.String(load_default="due", validate=validate.OneOf(["due", "priority"]))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


class AssignBody(Schema):
    assignee = fields.String(required=True, allow_none=True)


class TaskDueBody(Schema):
    due_at = fields.AwareDateTime(required=True, allow_none=True,
                                  metadata={"description": "new due date (null clears it)"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CompleteBody(Schema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class CompletedSchema(Schema):
    instance_id = fields.String(required=True)
    status = fields.String(required=True)
    incident = fields.String(allow_none=True, metadata={"description": "a failure after it"})


@blp.get("")
@blp.arguments(InboxQuery, location="query")
@blp.response(200, TaskSchema(many=True))
def inbox(query: dict[str, Any]) -> Sequence[HumanTask]:
    """Open tasks for the caller, by due date (or priority), within their scope."""
    filters = {
        "process_key": query.get("process"), "key_task": query.get("key_task"),
        "province_code": query.get("province"), "instance_id": query.get("instance_id"),
        "due_before": query.get("due_before"),
        "overdue_at": now() if query["overdue"] else None,
        "sort": query["sort"], "limit": query["limit"], "offset": query["offset"],
    }
    return run(scopes.inbox, view=query["view"], **filters)


@blp.get("/counts")
@blp.response(200, TaskCountsSchema)
def counts() -> dict[str, int]:
    """How many tasks are mine, claimable, offered (both) and overdue."""
    return run(scopes.inbox_counts)


@blp.get("/<task_id>")
@blp.response(200, TaskDetailSchema)
def get_task(task_id: str) -> dict[str, Any]:
    """One task, its form as JSON Schema (when the form key is registered) and its data."""
    view = run(scopes.task_form, task_id)
    row = {k: getattr(view.task, k) for k in TaskSchema().fields}
    return {**row, "form_schema": view.form_schema, "data": view.data,
            "warnings": list(view.warnings)}


@blp.post("/<task_id>/claim")
@blp.response(200, TaskSchema)
def claim(task_id: str) -> HumanTask:
    """Take a task offered to one of my groups (admin: any task, recorded as an override)."""
    return run(service.claim_task, task_id)


@blp.post("/<task_id>/unclaim")
@blp.response(200, TaskSchema)
def unclaim(task_id: str) -> HumanTask:
    """Give a claimed task back to its candidate groups."""
    return run(service.unclaim_task, task_id)


@blp.post("/<task_id>/assign")
@blp.arguments(AssignBody)
@blp.response(200, TaskSchema)
def assign(body: dict[str, Any], task_id: str) -> HumanTask:
    """Ops and admin, or the current assignee handing over, set the assignee (null clears)."""
    return run(service.assign_task, task_id, body["assignee"])


@blp.put("/<task_id>/due")
@blp.arguments(TaskDueBody)
@blp.response(200, TaskSchema)
def change_due(body: dict[str, Any], task_id: str) -> HumanTask:
    """The supervisor of the assignee (or of a candidate user), or ops, moves the due date."""
    return run(service.change_due_date, task_id, body["due_at"], body["reason"])


@blp.post("/<task_id>/complete")
@blp.arguments(CompleteBody)
@blp.response(200, CompletedSchema)
def complete(body: dict[str, Any], task_id: str) -> service.Completion:
    """Submit the form; field errors come back as 422 with details keyed by field path."""
    return run(service.complete_and_report, task_id, body["data"])
