"""Camunda /external-task: fetchAndLock, complete, failure, extendLock, unlock, list."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import bounded_int, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine import service
from engine.models import Job, ProcessInstance
from engine.service import rest_queries


def _locked_dto(task: service.LockedTask, wanted: list[str] | None) -> dict[str, Any]:
    key = task.process_definition_id.split(":", 1)[0] if task.process_definition_id else None
    return {
        "activityId": task.activity_id, "activityInstanceId": task.activity_id,
        "errorMessage": task.error_message, "errorDetails": None,
        "executionId": task.process_instance_id, "id": task.id,
        "lockExpirationTime": variables.format_date(task.lock_expiration_time),
        "processDefinitionId": task.process_definition_id, "processDefinitionKey": key,
        "processDefinitionVersionTag": None, "processInstanceId": task.process_instance_id,
        "tenantId": None, "retries": task.retries, "workerId": task.worker_id,
        "priority": 0, "topicName": task.topic_name, "businessKey": task.business_key,
        "extensionProperties": {}, "variables": variables.to_camunda(task.variables, wanted),
    }


def _job_dto(job: Job, instance: ProcessInstance | None) -> dict[str, Any]:
    return {
        "activityId": job.element_id, "activityInstanceId": job.element_id,
        "errorMessage": job.last_error, "executionId": job.instance_id, "id": job.id,
        "lockExpirationTime": variables.format_date(job.lock_expires_at),
        "processDefinitionId": instance.definition_id if instance else None,
        "processDefinitionKey": instance.process_key if instance else None,
        "processInstanceId": job.instance_id, "tenantId": None, "retries": job.retries,
        "suspended": bool(instance and instance.status == "suspended"),
        "workerId": job.lock_owner, "priority": 0, "topicName": job.topic,
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


MAX_DURATION_MS = 10 * 366 * 24 * 3600 * 1000  # ten years: a lock or a retry timeout


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int:
    high = MAX_DURATION_MS if name in ("newDuration", "retryTimeout") else 2**31 - 1
    return bounded_int(body, name, default, high=high)


def _topics(body: dict[str, Any]) -> list[dict[str, Any]]:
    topics = body.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, dict) for t in topics):
        raise RestError("topics must be a list of {topicName, lockDuration, variables}")
    for number, topic in enumerate(topics):
        if not isinstance(topic.get("topicName"), str) or not topic["topicName"]:
            raise RestError(f"topics[{number}].topicName must be a non-empty string")
        topic["lockDuration"] = bounded_int(topic, "lockDuration", low=1,
                                            high=MAX_DURATION_MS)
        if topic.get("variables") is not None:
            id_list(topic["variables"], f"topics[{number}].variables")
    return topics


@routes.post("/external-task/fetchAndLock")
def fetch_and_lock_tasks() -> Any:
    """Lock up to maxTasks tasks of the topics; answers at once (no long polling)."""
    body = json_body()
    topics = _topics(body)
    locked = run(service.fetch_and_lock, _worker(body), topics, _int(body, "maxTasks", 10))
    wanted = {t.get("topicName"): t.get("variables") for t in topics}
    return jsonify([_locked_dto(t, wanted.get(t.topic_name)) for t in locked])


def _worker(body: dict[str, Any]) -> str:
    worker = body.get("workerId")
    if worker is not None and not isinstance(worker, str):
        raise RestError("workerId must be a string")
    return worker or ""


@routes.post("/external-task/<task_id>/complete")
def complete_external(task_id: str) -> Any:
    body = json_body()
    values = variables.from_camunda(body.get("variables"))
    values.update(variables.from_camunda(body.get("localVariables")))
    run(service.complete_external_task, task_id, _worker(body), values)
    return "", 204


@routes.post("/external-task/<task_id>/failure")
def external_failure(task_id: str) -> Any:
    body = json_body()
    message, details = body.get("errorMessage"), body.get("errorDetails")
    if not isinstance(message, str | None) or not isinstance(details, str | None):
        raise RestError("errorMessage and errorDetails must be strings")
    run(service.handle_failure, task_id, _worker(body), message or "external task failed",
        details, _int(body, "retries", 0), _int(body, "retryTimeout", 0))
    return "", 204


@routes.post("/external-task/<task_id>/extendLock")
def extend_external_lock(task_id: str) -> Any:
    body = json_body()
    run(service.extend_lock, task_id, _worker(body), _int(body, "newDuration"))
    return "", 204


@routes.post("/external-task/<task_id>/unlock")
def unlock_external(task_id: str) -> Any:
    run(service.unlock, task_id)
    return "", 204


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
