"""Blueprint: process instances: start, list, show, history, variables and ops actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import (
    HistorySchema,
    InstanceDetailSchema,
    InstancePageSchema,
    InstanceSchema,
    VariablesSchema,
)
from api.v1.common import decode_cursor, encode_cursor, run
from engine import service
from engine.models import HistoryEvent, ProcessInstance
from engine.service import instance_lists

blp = Blueprint("instances", __name__, url_prefix="/api/v1/instances",
                description="Process instances (流程实例)")


class StartBody(Schema):
    process = fields.String(required=True, metadata={"description": "key or definition id"})
    business_key = fields.String(allow_none=True, validate=validate.Length(max=200))
    variables = fields.Dict(keys=fields.String(), load_default=dict)


class ListQuery(Schema):
    process = fields.String()
    status = fields.String(validate=validate.OneOf(
        ["running", "suspended", "completed", "terminated"]))
    stuck = fields.Boolean()
    business_key = fields.String()
    province = fields.String()
    key_task = fields.String()
    started_from = fields.AwareDateTime()
    started_to = fields.AwareDateTime()
    cursor = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class VariablesBody(Schema):
    variables = fields.Dict(keys=fields.String(), required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class ReasonBody(Schema):
    reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


class MoveBody(Schema):
    from_task_id = fields.String(required=True)
    to_element_id = fields.String(required=True)
    reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


class MigrateBody(Schema):
    target_definition_id = fields.String(required=True, validate=validate.Length(1, 200))
    dry_run = fields.Boolean(load_default=True)


class MigrationReportSchema(Schema):
    instance_id = fields.String(required=True)
    source_definition_id = fields.String(required=True)
    target_definition_id = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    migrated = fields.Boolean(required=True)
    ok = fields.Boolean(required=True, metadata={"description": "nothing blocks the migration"})
    mapped = fields.List(fields.String(), metadata={"description": "BPMN ids in both versions"})
    added = fields.List(fields.String())
    removed = fields.List(fields.String())
    changed = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    blocking = fields.List(fields.Dict(), metadata={
        "description": "tokens on removed or changed activities: task_id, element_id, reason"})
    kept_tasks = fields.List(fields.Dict())


@blp.post("")
@blp.arguments(StartBody)
@blp.response(201, InstanceSchema)
def start(body: dict[str, Any]) -> ProcessInstance:
    """Start an instance of a process (its newest version, or the given definition id).

    A unit's unit_id and province_code come from its record, never from the request.
    """
    return run(service.start_instance, body["process"], variables=body["variables"],
               business_key=body.get("business_key"))


@blp.get("")
@blp.arguments(ListQuery, location="query")
@blp.response(200, InstancePageSchema)
def list_instances(query: dict[str, Any]) -> dict[str, Any]:
    """Instances in the caller's scope, newest first; pass next_cursor back for more."""
    limit = query.pop("limit")
    after = decode_cursor(query.pop("cursor")) if "cursor" in query else None
    renames = {"process": "process_key", "province": "province_code"}
    filters = {renames.get(k, k): v for k, v in query.items()}
    rows = run(instance_lists.list_instances, limit=limit + 1, after=after, **filters)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(rows[-1]["started_at"], rows[-1]["id"]) if more else None
    return {"items": rows, "next_cursor": cursor}


@blp.get("/<instance_id>")
@blp.response(200, InstanceDetailSchema)
def get_instance(instance_id: str) -> dict[str, Any]:
    """One instance: every activity's state, open tasks, incidents, jobs and variables."""
    detail = run(service.show_instance, instance_id)
    inst = {k: getattr(detail.instance, k) for k in InstanceSchema().fields}
    return {**inst, "activities": detail.activities, "tasks": detail.tasks,
            "incidents": detail.incidents, "jobs": detail.jobs, "variables": detail.variables}


@blp.get("/<instance_id>/history")
@blp.response(200, HistorySchema(many=True))
def history(instance_id: str) -> Sequence[HistoryEvent]:
    """Who did what and when, oldest first."""
    return run(service.instance_history, instance_id)


@blp.get("/<instance_id>/variables")
@blp.response(200, VariablesSchema)
def get_variables(instance_id: str) -> dict[str, Any]:
    return {"variables": run(service.instance_variables, instance_id)}


@blp.put("/<instance_id>/variables")
@blp.arguments(VariablesBody)
@blp.response(200, VariablesSchema)
def put_variables(body: dict[str, Any], instance_id: str) -> dict[str, Any]:
    """Ops: set variables on every active token, with a reason kept in the history."""
    return {"variables": run(service.set_variables, instance_id, body["variables"],
                             reason=body["reason"])}


@blp.post("/<instance_id>/suspend")
@blp.response(200, InstanceSchema)
def suspend(instance_id: str) -> ProcessInstance:
    """Ops or the starter: nothing advances until resumed."""
    return run(service.suspend_instance, instance_id)


@blp.post("/<instance_id>/resume")
@blp.response(200, InstanceSchema)
def resume(instance_id: str) -> ProcessInstance:
    return run(service.resume_instance, instance_id)


@blp.post("/<instance_id>/terminate")
@blp.arguments(ReasonBody)
@blp.response(200, InstanceSchema)
def terminate(body: dict[str, Any], instance_id: str) -> ProcessInstance:
    """Ops or the starter: cancel every open task and timer; the instance ends."""
    return run(service.terminate_instance, instance_id, reason=body.get("reason"))


@blp.post("/<instance_id>/move")
@blp.arguments(MoveBody)
@blp.response(200, InstanceSchema)
def move(body: dict[str, Any], instance_id: str) -> ProcessInstance:
    """Ops: cancel an active task and restart the instance at another element."""
    return run(service.move_token, instance_id, body["from_task_id"], body["to_element_id"],
               reason=body.get("reason"))


@blp.post("/<instance_id>/migrate")
@blp.arguments(MigrateBody)
@blp.response(200, MigrationReportSchema)
def migrate(body: dict[str, Any], instance_id: str) -> dict[str, Any]:
    """Ops: move to another version of the same key; dry_run (default) only reports.

    A real run that something blocks answers 409 with the report in error.details.
    """
    report = run(service.migrate_instance, instance_id, body["target_definition_id"],
                 dry_run=body["dry_run"])
    return report.as_dict()
