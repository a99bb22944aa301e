"""Camunda /job-definition: the timers of the deployed diagrams (read; retries of their jobs).

A job definition is `{activityId}@{processDefinitionId}` (engine.ids), the jobDefinitionId
of its jobs. Suspending job definitions or overriding their priority is not supported.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import bounded_int, json_body, routes, run
from api.engine_rest.execution import split
from api.engine_rest.query import Param, Spec, parse, text
from engine.service import rest_job_definitions
from engine.service.rest_job_definitions import JobDefinition
from engine.service.rest_queries import Query

LOCAL = ("jd_id", "activity_ids", "job_type", "configuration")  # filters on the timers
SORTS = ("jobDefinitionId", "activityId", "processDefinitionId", "processDefinitionKey",
         "jobType", "jobConfiguration")
SPEC = Spec(
    params={"jobDefinitionId": text("jd_id"),
            "activityIdIn": Param("activity_ids", "in", "list"),
            "processDefinitionId": text("id"),
            "processDefinitionKey": text("key"), "jobType": text("job_type"),
            "jobConfiguration": text("configuration")},
    sorts={name: f"l:{name}" for name in SORTS},
)


def job_definition_dto(item: JobDefinition) -> dict[str, Any]:
    return {
        "id": item.id, "processDefinitionId": item.definition.id,
        "processDefinitionKey": item.definition.key, "activityId": item.timer.element_id,
        "jobType": item.timer.job_type, "jobConfiguration": item.timer.configuration,
        "overridingJobPriority": None, "suspended": False, "tenantId": None,
        "deploymentId": item.definition.deployment_id,
    }


def _list(body: dict[str, Any] | None, paged: bool = True
          ) -> tuple[list[JobDefinition], int]:
    parsed = parse(SPEC, body, paged=paged)
    query, local = split(Query(parsed.filters, (), parsed.offset, parsed.limit), LOCAL)
    if "jd_id" in local:
        local["id"] = local.pop("jd_id")
    local["sort"] = [(f[2:], desc) for f, desc in parsed.sort]
    return run(rest_job_definitions.list_job_definitions, query, local)


@routes.get("/job-definition")
def list_job_definitions() -> Any:
    return jsonify([job_definition_dto(j) for j in _list(None)[0]])


@routes.post("/job-definition")
def query_job_definitions() -> Any:
    return jsonify([job_definition_dto(j) for j in _list(json_body())[0]])


@routes.get("/job-definition/count")
def count_job_definitions() -> Any:
    return jsonify({"count": _list(None, False)[1]})


@routes.post("/job-definition/count")
def count_job_definitions_post() -> Any:
    return jsonify({"count": _list(json_body(), False)[1]})


@routes.get("/job-definition/<job_definition_id>")
def get_job_definition(job_definition_id: str) -> Any:
    return jsonify(job_definition_dto(run(rest_job_definitions.job_definition,
                                          job_definition_id)))


@routes.put("/job-definition/<job_definition_id>/retries")
def set_job_definition_retries(job_definition_id: str) -> Any:
    """Retries of the definition's failed jobs (those without retries left)."""
    run(rest_job_definitions.set_retries, job_definition_id,
        bounded_int(json_body(), "retries"))
    return "", 204
