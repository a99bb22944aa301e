"""Blueprint: jobs (timers and external tasks) for ops: list them with due times and attempts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.schemas import JobSchema
from api.v1.common import current_actor, uow
from engine.models import Job
from engine.service import scopes

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
    actor = current_actor()
    with uow() as u:
        return scopes.list_jobs(u, actor, kind=query.get("kind"),
                                instance_id=query.get("instance_id"), limit=query["limit"])
