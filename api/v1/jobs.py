"""Blueprint: jobs (timers and external tasks) for ops: list them, move a timer's due date."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import JobSchema
from api.v1.common import run
from engine.models import Job
from engine.service import job_control, scopes

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs",
                description="Timers and external-task jobs (定时与外部任务)")


class ListQuery(Schema):
    kind = fields.String(validate=validate.OneOf(["timer", "external", "timer_start"]))
    instance_id = fields.String()
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 1000))


@blp.get("")
@blp.arguments(ListQuery, location="query")
@blp.response(200, JobSchema(many=True))
def list_jobs(query: dict[str, Any]) -> Sequence[Job]:
    """Ops only: every job, soonest due first."""
    return run(scopes.list_jobs, kind=query.get("kind"), instance_id=query.get("instance_id"),
               limit=query["limit"])


class DueBody(Schema):
    due_at = fields.AwareDateTime(required=True)
    reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


@blp.put("/<job_id>/due")
@blp.arguments(DueBody)
@blp.response(200, JobSchema)
def set_due(body: dict[str, Any], job_id: str) -> Job:
    """Ops: move a timer's due date (the workflow's timer moves too, so it stays moved)."""
    return run(job_control.set_job_due_date, job_id, body["due_at"], reason=body.get("reason"))
