"""Camunda /external-task as a resource: list, count, one, retries, error details."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from api.engine_rest import variables
from api.engine_rest.common import bounded_int, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine import authz
from engine.models import Job, ProcessInstance
from engine.service import external_protocol, rest_queries


def _job_dto(job: Job, instance: ProcessInstance | None) -> dict[str, Any]:
    return {
        "activityId": job.element_id, "activityInstanceId": job.element_id,
        "errorMessage": job.last_error, "executionId": job.instance_id, "id": job.id,
        "lockExpirationTime": variables.format_date(job.lock_expires_at),
        "processDefinitionId": instance.definition_id if instance else None,
        "processDefinitionKey": instance.process_key if instance else None,
        "processInstanceId": job.instance_id, "tenantId": None,
        "retries": job.retries if job.attempts else None,  # null until the first failure
        "suspended": bool(instance and instance.status == "suspended"),
        "workerId": authz.worker_id_of(job.lock_owner), "priority": 0, "topicName": job.topic,
        "businessKey": instance.business_key if instance else None,
    }


SPEC = Spec(
    params={"externalTaskId": text("id"), "externalTaskIdIn": many("id"),
            "topicName": text("topic"), "workerId": text("worker_id"),
            "locked": when("locked", "true"), "notLocked": when("locked", "true", False),
            "withRetriesLeft": Param("retries", "gt", "flag", 0),
            "noRetriesLeft": Param("retries", "eq", "flag", 0),
            "activityId": text("element_id"), "activityIdIn": many("element_id"),
            "processInstanceId": text("instance_id"),
            "processInstanceIdIn": many("instance_id"),
            "processDefinitionId": text("definition_id"),
            "processDefinitionKey": text("process_key"),
            "suspended": when("suspended", "true"), "active": when("suspended", "true", False),
            "lockExpirationBefore": Param("lock_expires_at", "lt", "date"),
            "lockExpirationAfter": Param("lock_expires_at", "gt", "date")},
    sorts={"id": "id", "lockExpirationTime": "lock_expires_at",
           "processInstanceId": "instance_id", "processDefinitionId": "definition_id",
           "processDefinitionKey": "process_key", "createTime": "created_at"},
)


@routes.get("/external-task")
def list_external() -> Any:
    rows = run(rest_queries.query, "external_task", parse(SPEC))
    return jsonify([_job_dto(*row) for row in rows])


@routes.get("/external-task/count")
def count_external() -> Any:
    return jsonify({"count": run(rest_queries.count, "external_task",
                                 parse(SPEC, paged=False))})


@routes.get("/external-task/<task_id>")
def get_external(task_id: str) -> Any:
    return jsonify(_job_dto(*run(rest_queries.external_task, task_id)))


@routes.get("/external-task/<task_id>/errorDetails")
def external_error_details(task_id: str) -> Any:
    """The stack trace of the last failure, as text/plain (Camunda's answer)."""
    details = run(external_protocol.error_details, task_id)
    return Response(details or "", mimetype="text/plain")


@routes.put("/external-task/<task_id>/retries")
def set_external_retries(task_id: str) -> Any:
    run(external_protocol.set_retries, [task_id], bounded_int(json_body(), "retries"))
    return "", 204


@routes.put("/external-task/retries")
def set_external_retries_batch() -> Any:
    """{"externalTaskIds": [...], "retries": n}; the query forms are not supported."""
    body = json_body()
    unsupported = sorted(set(body) - {"externalTaskIds", "retries"})
    if unsupported:
        raise RestError("unsupported field(s): " + ", ".join(unsupported))
    ids = id_list(body.get("externalTaskIds"), "externalTaskIds") or []
    run(external_protocol.set_retries, ids, bounded_int(body, "retries"))
    return "", 204
