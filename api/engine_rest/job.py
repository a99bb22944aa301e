"""Camunda /job: timers only (external tasks are /external-task): list, execute, due, retries."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import bounded_int, json_body, routes, run
from api.engine_rest.query import Param, Spec, many, parse, text, when
from api.engine_rest.variables import format_date, parse_date
from engine import ids
from engine.models import Job, ProcessInstance
from engine.service import job_control, rest_queries
from engine.service.rest_queries import Query

SPEC = Spec(
    params={"jobId": text("id"), "jobIds": many("id"),
            "processInstanceId": text("instance_id"),
            "processInstanceIds": many("instance_id"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"),
            "activityId": text("element_id"), "jobDefinitionId": text("job_definition"),
            "withException": when("last_error", "null", False),
            "noRetriesLeft": Param("retries", "eq", "flag", 0),
            "withRetriesLeft": Param("retries", "gt", "flag", 0),
            "dueDates": Param("due_at", "eq", "date"),
            "suspended": when("suspended", "true"), "active": when("suspended", "true", False)},
    sorts={"jobId": "id", "processInstanceId": "instance_id",
           "processDefinitionId": "definition_id", "processDefinitionKey": "process_key",
           "jobDueDate": "due_at", "jobRetries": "retries"},
)


def job_query(body: dict[str, Any] | None = None, paged: bool = True) -> Query:
    """The Query of a job list; a jobDefinitionId (engine.ids) is its definition and element."""
    query = parse(SPEC, body, paged=paged)
    filters: list[tuple[str, str, Any]] = []
    for field, op, value in query.filters:
        if field != "job_definition":
            filters.append((field, op, value))
            continue
        definition_id, element_id = ids.split_job_definition_id(value) or ("", value)
        filters += [("definition_id", "eq", definition_id), ("element_id", "eq", element_id)]
    return Query(tuple(filters), query.sort, query.offset, query.limit)


def job_dto(job: Job, instance: ProcessInstance | None) -> dict[str, Any]:
    definition_id = instance.definition_id if instance else job.definition_id
    return {
        "id": job.id, "jobDefinitionId": ids.job_definition_id(definition_id, job.element_id),
        "processInstanceId": job.instance_id, "executionId": job.instance_id,
        "processDefinitionId": instance.definition_id if instance else job.definition_id,
        "processDefinitionKey": instance.process_key if instance else None,
        "exceptionMessage": job.last_error, "failedActivityId": (
            job.element_id if job.last_error else None),
        "retries": job.retries if job.retries is not None else 3,
        "dueDate": format_date(job.due_at),
        "suspended": bool(job.suspended or (instance and instance.status == "suspended")),
        "priority": job.priority or 0, "tenantId": None, "createTime": format_date(job.created_at),
        "batchId": None,
    }


@routes.get("/job")
def list_jobs() -> Any:
    return jsonify([job_dto(*row) for row in run(rest_queries.query, "job", job_query())])


@routes.get("/job/count")
def count_jobs() -> Any:
    return jsonify({"count": run(rest_queries.count, "job", job_query(paged=False))})


@routes.get("/job/<job_id>")
def get_job(job_id: str) -> Any:
    return jsonify(job_dto(*run(rest_queries.job, job_id)))


@routes.post("/job/<job_id>/execute")
def execute(job_id: str) -> Any:
    """Fire a timer now (how Camunda users move a process past a timer by hand)."""
    run(job_control.execute_job, job_id)
    return "", 204


@routes.put("/job/<job_id>/duedate")
def set_due_date(job_id: str) -> Any:
    due = parse_date(json_body().get("duedate"), "duedate")
    run(job_control.set_job_due_date, job_id, due)
    return "", 204


@routes.put("/job/<job_id>/retries")
def set_retries(job_id: str) -> Any:
    run(job_control.set_job_retries, job_id, bounded_int(json_body(), "retries"))
    return "", 204
