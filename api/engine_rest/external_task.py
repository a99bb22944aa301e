"""Camunda /external-task as a resource: list, count, one, topic names, retries, priority,
error details."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from api.engine_rest import process_instance, process_instance_batch, variables
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
        "workerId": authz.worker_id_of(job.lock_owner), "priority": job.priority or 0,
        "topicName": job.topic,
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
            "lockExpirationAfter": Param("lock_expires_at", "gt", "date"),
            "priorityHigherThanOrEquals": Param("priority", "ge", "int"),
            "priorityLowerThanOrEquals": Param("priority", "le", "int")},
    sorts={"id": "id", "taskPriority": "priority", "lockExpirationTime": "lock_expires_at",
           "processInstanceId": "instance_id", "processDefinitionId": "definition_id",
           "processDefinitionKey": "process_key", "createTime": "created_at"},
)


@routes.get("/external-task")
def list_external() -> Any:
    rows = run(rest_queries.query, "external_task", parse(SPEC))
    return jsonify([_job_dto(*row) for row in rows])


@routes.post("/external-task")
def query_external() -> Any:
    rows = run(rest_queries.query, "external_task", parse(SPEC, json_body()))
    return jsonify([_job_dto(*row) for row in rows])


@routes.get("/external-task/count")
def count_external() -> Any:
    return jsonify({"count": run(rest_queries.count, "external_task",
                                 parse(SPEC, paged=False))})


@routes.post("/external-task/count")
def count_external_post() -> Any:
    return jsonify({"count": run(rest_queries.count, "external_task",
                                 parse(SPEC, json_body(), paged=False))})


TOPIC_SPEC = Spec(
    params={"withLockedTasks": when("locked", "true"),
            "withUnlockedTasks": when("locked", "true", False),
            "withRetriesLeft": Param("retries", "gt", "flag", 0)},
    sorts={})


@routes.get("/external-task/topic-names")
def external_topic_names() -> Any:
    """The distinct topics of the external tasks the caller may see, sorted."""
    rows = run(rest_queries.query, "external_task", parse(TOPIC_SPEC, paged=False))
    return jsonify(sorted({job.topic for job, _instance in rows if job.topic}))


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


@routes.put("/external-task/<task_id>/priority")
def set_external_priority(task_id: str) -> Any:
    body = json_body()
    run(external_protocol.set_priority, task_id,
        bounded_int(body, "priority", low=-(2**63), high=2**63 - 1))
    return "", 204


def _retries_many() -> int:
    """Camunda's SetRetriesForExternalTasksDto: ids and queries of external tasks and of
    process instances (historic ones are not supported), all at once."""
    body = json_body()
    if body.get("historicProcessInstanceQuery") is not None:
        raise RestError("historicProcessInstanceQuery is not supported")
    unsupported = sorted(set(body) - {"externalTaskIds", "processInstanceIds", "retries",
                                      "externalTaskQuery", "processInstanceQuery",
                                      "historicProcessInstanceQuery"})
    if unsupported:
        raise RestError("unsupported field(s): " + ", ".join(unsupported))
    task_query, instance_query = body.get("externalTaskQuery"), body.get("processInstanceQuery")
    for name, value in (("externalTaskQuery", task_query),
                        ("processInstanceQuery", instance_query)):
        if value is not None and not isinstance(value, dict):
            raise RestError(f"{name} must be an object")
    count: int = run(
        external_protocol.retries_many,
        id_list(body.get("externalTaskIds"), "externalTaskIds") or [],
        parse(SPEC, task_query, paged=False) if task_query is not None else None,
        id_list(body.get("processInstanceIds"), "processInstanceIds") or [],
        parse(process_instance.SPEC, instance_query, paged=False)
        if instance_query is not None else None,
        bounded_int(body, "retries"))
    return count


@routes.put("/external-task/retries")
def set_external_retries_batch() -> Any:
    _retries_many()
    return "", 204


@routes.post("/external-task/retries-async")
def set_external_retries_async() -> Any:
    """Done before the answer: a finished BatchDto."""
    return process_instance_batch.finished_batch("set-external-task-retries", _retries_many())
