"""Camunda /job beyond the basics: POST queries, suspension, priority, stack trace, bulk
retries (answered at once: VocFlow has no batches, so the batch it returns is complete)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api.engine_rest.common import bounded_int, flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.job import job_dto, job_query
from api.engine_rest.process_instance_batch import finished_batch
from engine import ids
from engine.service import rest_jobs, rest_queries
from engine.service.rest_queries import Query

SUSPEND_BY = {"jobDefinitionId": "job_definition", "processDefinitionId": "definition_id",
              "processInstanceId": "instance_id", "processDefinitionKey": "process_key"}


@routes.post("/job")
def query_jobs() -> Any:
    return jsonify([job_dto(*row) for row in run(rest_queries.query, "job",
                                                 job_query(json_body()))])


@routes.post("/job/count")
def count_jobs_post() -> Any:
    return jsonify({"count": run(rest_queries.count, "job",
                                 job_query(json_body(), paged=False))})


def _suspended(body: dict[str, Any]) -> bool:
    value = flag(body.get("suspended"), "suspended")
    if value is None:
        raise RestError("suspended must be true or false")
    return value


@routes.put("/job/<job_id>/suspended")
def suspend_job(job_id: str) -> Any:
    run(rest_jobs.set_suspended, job_id, _suspended(json_body()))
    return "", 204


@routes.put("/job/suspended")
def suspend_jobs() -> Any:
    """By jobDefinitionId (the element), processInstanceId, processDefinitionId or -Key."""
    body = json_body()
    unknown = sorted(set(body) - {"suspended", "processDefinitionWithoutTenantId",
                                  *SUSPEND_BY})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    filters = []
    for name, field in SUSPEND_BY.items():
        value = body.get(name)
        if value is not None:
            if not isinstance(value, str):
                raise RestError(f"{name} must be a string")
            if field == "job_definition":
                definition_id, element_id = ids.split_job_definition_id(value) or ("", value)
                filters += [("definition_id", "eq", definition_id),
                            ("element_id", "eq", element_id)]
            else:
                filters.append((field, "eq", value))
    run(rest_jobs.set_suspended_many, Query(filters=tuple(filters)), _suspended(body))
    return "", 204


@routes.put("/job/<job_id>/priority")
def set_priority(job_id: str) -> Any:
    body = json_body()
    run(rest_jobs.set_priority, job_id,
        bounded_int(body, "priority", low=-(2**63), high=2**63 - 1))
    return "", 204


@routes.delete("/job/<job_id>")
def delete_job(job_id: str) -> Any:
    """Ops: a timer start job; an instance's timer job is refused (400, naming why)."""
    run(rest_jobs.delete_job, job_id)
    return "", 204


@routes.get("/job/<job_id>/stacktrace")
def stacktrace(job_id: str) -> Any:
    return Response(run(rest_jobs.stacktrace, job_id), mimetype="text/plain")


@routes.post("/job/retries")
def set_retries_many() -> Any:
    """Camunda answers with an asynchronous batch; the retries are set before we answer."""
    body = json_body()
    unknown = sorted(set(body) - {"jobIds", "jobQuery", "retries"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    query = body.get("jobQuery")
    if query is not None and not isinstance(query, dict):
        raise RestError("jobQuery must be an object")
    retries = bounded_int(body, "retries")
    total = run(rest_jobs.set_retries_many, id_list(body.get("jobIds"), "jobIds") or [],
                job_query(query, paged=False) if query is not None else None, retries)
    return finished_batch("set-job-retries", total)


@routes.post("/job/<job_id>/duedate/recalculate")
def recalculate_due_date(job_id: str) -> Any:
    """Evaluate the timer again from now; creationDateBased=true is not supported."""
    if flag(request.args.get("creationDateBased"), "creationDateBased"):
        raise RestError("creationDateBased=true is not supported: the due date is "
                        "recalculated from now")
    run(rest_jobs.recalculate_due, job_id)
    return "", 204
