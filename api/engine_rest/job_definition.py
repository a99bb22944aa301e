"""Camunda /job-definition: the timers of the deployed diagrams: read, retries of their jobs,
suspension and overriding job priority (ops).

A job definition is `{activityId}@{processDefinitionId}` (engine.ids), the jobDefinitionId
of its jobs. A delayed suspension (executionDate) is not supported: it is a 400.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import bounded_int, flag, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.execution import split
from api.engine_rest.query import Param, Spec, parse, text, when
from engine.service import rest_job_definitions
from engine.service.rest_job_definitions import JobDefinition
from engine.service.rest_queries import Query

# filters on the timers and their settings
LOCAL = ("jd_id", "activity_ids", "job_type", "configuration", "suspended", "with_priority")
SORTS = ("jobDefinitionId", "activityId", "processDefinitionId", "processDefinitionKey",
         "jobType", "jobConfiguration")
SPEC = Spec(
    params={"jobDefinitionId": text("jd_id"),
            "activityIdIn": Param("activity_ids", "in", "list"),
            "processDefinitionId": text("id"),
            "processDefinitionKey": text("key"), "jobType": text("job_type"),
            "jobConfiguration": text("configuration"),
            "suspended": when("suspended", "eq"), "active": when("suspended", "eq", False),
            "withOverridingJobPriority": when("with_priority", "eq")},
    sorts={name: f"l:{name}" for name in SORTS},
)


def job_definition_dto(item: JobDefinition) -> dict[str, Any]:
    return {
        "id": item.id, "processDefinitionId": item.definition.id,
        "processDefinitionKey": item.definition.key, "activityId": item.timer.element_id,
        "jobType": item.timer.job_type, "jobConfiguration": item.timer.configuration,
        "overridingJobPriority": item.priority, "suspended": item.suspended, "tenantId": None,
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


def _body(allowed: set[str]) -> dict[str, Any]:
    body = json_body()
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    if body.get("executionDate") is not None:
        raise RestError("executionDate is not supported: suspension takes effect at once")
    return body


def _flag(body: dict[str, Any], name: str, required: bool = False) -> bool:
    value = flag(body.get(name), name)
    if value is None and required:
        raise RestError(f"{name} must be true or false")
    return bool(value)


_SUSPEND = {"suspended", "includeJobs", "executionDate"}
_BY = {"jobDefinitionId": "job_definition_id", "processDefinitionId": "definition_id",
       "processDefinitionKey": "definition_key"}


@routes.put("/job-definition/<job_definition_id>/suspended")
def suspend_job_definition(job_definition_id: str) -> Any:
    body = _body(_SUSPEND)
    run(rest_job_definitions.set_suspended, job_definition_id,
        _flag(body, "suspended", True), _flag(body, "includeJobs"))
    return "", 204


@routes.put("/job-definition/suspended")
def suspend_job_definitions() -> Any:
    """By jobDefinitionId, processDefinitionId or processDefinitionKey (all its versions);
    processDefinitionWithoutTenantId is accepted when false or true (we keep no tenants)."""
    body = _body({*_SUSPEND, *_BY, "processDefinitionWithoutTenantId"})
    chosen = {}
    for name, field in _BY.items():
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise RestError(f"{name} must be a string")
        chosen[field] = value
    run(rest_job_definitions.set_suspended_by, _flag(body, "suspended", True),
        _flag(body, "includeJobs"), **chosen)
    return "", 204


@routes.put("/job-definition/<job_definition_id>/jobPriority")
def set_job_definition_priority(job_definition_id: str) -> Any:
    """{priority, includeJobs}: priority null clears the override (not with includeJobs)."""
    body = _body({"priority", "includeJobs"})
    priority = None if body.get("priority") is None else bounded_int(
        body, "priority", low=-(2**63), high=2**63 - 1)
    run(rest_job_definitions.set_priority, job_definition_id, priority,
        _flag(body, "includeJobs"))
    return "", 204
