"""Camunda's asynchronous batches on process instances, done before we answer.

VocFlow has no batch jobs: delete, suspended-async, variables-async, job-retries,
message-async and modification-async do their work in the request (all or nothing) and
answer Camunda's BatchDto of a batch that is already complete (it is not kept:
/batch/{id} does not know it). A historicProcessInstanceQuery is refused here (400): the
*-historic-query-based calls take one (process_instance_historic).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import jsonify

from api.engine_rest import process_instance, variables
from api.engine_rest.common import bounded_int, flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_instance_runtime import SKIP_FLAGS, modification_request
from api.engine_rest.query import parse
from api.engine_rest.variables import format_date
from engine import clock
from engine.service import rest_batches
from engine.service.rest_queries import Query


def finished_batch(kind: str, total: int) -> Any:
    """Camunda's BatchDto for work that is already done."""
    now = format_date(clock.now())
    return jsonify({
        "id": str(uuid.uuid4()), "type": kind, "totalJobs": total, "jobsCreated": total,
        "batchJobsPerSeed": total, "invocationsPerBatchJob": 1, "seedJobDefinitionId": None,
        "monitorJobDefinitionId": None, "batchJobDefinitionId": None, "suspended": False,
        "tenantId": None, "createUserId": None, "startTime": now, "executionStartTime": now})


def selection(body: dict[str, Any], ids_field: str, allowed: set[str]
               ) -> tuple[list[str], Query | None]:
    unknown = sorted(set(body) - allowed - {ids_field, "processInstanceQuery"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    query = body.get("processInstanceQuery")
    if query is not None and not isinstance(query, dict):
        raise RestError("processInstanceQuery must be an object")
    parsed = parse(process_instance.SPEC, query, paged=False) if query is not None else None
    return id_list(body.get(ids_field), ids_field) or [], parsed


@routes.post("/process-instance/delete")
def delete_instances() -> Any:
    body = json_body()
    for name in (*SKIP_FLAGS, "skipSubprocesses", "failIfNotExists"):
        flag(body.get(name), name)
    listed, query = selection(body, "processInstanceIds", {
        "deleteReason", "skipSubprocesses", "failIfNotExists", *SKIP_FLAGS})
    skip = flag(body.get("skipCustomListeners"), "skipCustomListeners") or False
    strict = flag(body.get("failIfNotExists"), "failIfNotExists") is not False
    return finished_batch("instance-deletion",
                          run(rest_batches.delete_many, listed, query, skip_listeners=skip,
                              fail_if_not_exists=strict))


@routes.post("/process-instance/suspended-async")
def suspend_instances() -> Any:
    body = json_body()
    suspended = flag(body.get("suspended"), "suspended")
    if suspended is None:
        raise RestError("suspended must be true or false")
    listed, query = selection(body, "processInstanceIds", {"suspended"})
    return finished_batch("instance-update-suspension-state",
                          run(rest_batches.suspend_many, listed, query, suspended))


@routes.post("/process-instance/variables-async")
def set_variables_many() -> Any:
    body = json_body()
    listed, query = selection(body, "processInstanceIds", {"variables"})
    values = variables.from_camunda(body.get("variables"))
    return finished_batch("set-variables",
                          run(rest_batches.variables_many, listed, query, values))


@routes.post("/process-instance/job-retries")
def set_job_retries_many() -> Any:
    body = json_body()
    listed, query = selection(body, "processInstances", {"retries"})
    retries = bounded_int(body, "retries")
    return finished_batch("set-job-retries",
                          run(rest_batches.job_retries_many, listed, query, retries))


@routes.post("/process-instance/<instance_id>/modification-async")
def modify_async(instance_id: str) -> Any:
    instructions, annotation = modification_request(json_body())
    return finished_batch("instance-modification", run(
        rest_batches.modify_now, instance_id, instructions, annotation=annotation))


@routes.post("/process-instance/message-async")
def correlate_many() -> Any:
    """The message reaches each chosen instance that waits for it; totalJobs counts those."""
    body = json_body()
    listed, query = selection(body, "processInstanceIds", {"messageName", "variables"})
    name = body.get("messageName")
    if not isinstance(name, str) or not name:
        raise RestError("messageName must be a non-empty string")
    values = variables.from_camunda(body.get("variables"))
    return finished_batch("correlate-message",
                          run(rest_batches.message_many, listed, query, name, values))
