"""Camunda /external-task: fetchAndLock, complete, failure, extendLock, unlock, list."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest import variables
from api.engine_rest.common import actor, arg, json_body, now, page, routes, unit_of_work
from api.engine_rest.errors import RestError
from engine import authz, service
from engine.models import Job
from engine.service import scopes
from engine.uow import UnitOfWork


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


def _job_dto(uow: UnitOfWork, job: Job) -> dict[str, Any]:
    instance = uow.instances.get(job.instance_id or "")
    return {
        "activityId": job.element_id, "activityInstanceId": job.element_id,
        "errorMessage": job.last_error, "executionId": job.instance_id, "id": job.id,
        "lockExpirationTime": variables.format_date(job.lock_expires_at),
        "processDefinitionId": instance.definition_id if instance else None,
        "processDefinitionKey": instance.process_key if instance else None,
        "processInstanceId": job.instance_id, "tenantId": None, "retries": job.retries,
        "suspended": bool(instance and instance.status == "suspended"),
        "workerId": authz.worker_id_of(job.lock_owner), "priority": 0, "topicName": job.topic,
        "businessKey": instance.business_key if instance else None,
    }


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RestError(f"{name} must be an integer")
    return value


def _topics(body: dict[str, Any]) -> list[dict[str, Any]]:
    topics = body.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, dict) for t in topics):
        raise RestError("topics must be a list of {topicName, lockDuration, variables}")
    return topics


@routes.post("/external-task/fetchAndLock")
def fetch_and_lock_tasks() -> Any:
    """Lock up to maxTasks tasks of the topics; answers at once (no long polling)."""
    with unit_of_work() as uow:
        who = actor(uow)
        body = json_body()
        topics = _topics(body)
        locked = service.fetch_and_lock(uow, str(body.get("workerId") or ""), topics,
                                        _int(body, "maxTasks", 10), now(), actor=who)
    wanted = {t.get("topicName"): t.get("variables") for t in topics}
    return jsonify([_locked_dto(t, wanted.get(t.topic_name)) for t in locked])


@routes.post("/external-task/<task_id>/complete")
def complete_external(task_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        body = json_body()
        values = variables.from_camunda(body.get("variables"))
        values.update(variables.from_camunda(body.get("localVariables")))
        service.complete_external_task(uow, task_id, str(body.get("workerId") or ""), values,
                                       now(), actor=who)
    return "", 204


@routes.post("/external-task/<task_id>/failure")
def external_failure(task_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        body = json_body()
        service.handle_failure(
            uow, task_id, str(body.get("workerId") or ""),
            str(body.get("errorMessage") or "external task failed"),
            body.get("errorDetails"), _int(body, "retries", 0),
            _int(body, "retryTimeout", 0), now(), actor=who)
    return "", 204


@routes.post("/external-task/<task_id>/extendLock")
def extend_external_lock(task_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        body = json_body()
        service.extend_lock(uow, task_id, str(body.get("workerId") or ""),
                            _int(body, "newDuration"), now(), actor=who)
    return "", 204


@routes.post("/external-task/<task_id>/unlock")
def unlock_external(task_id: str) -> Any:
    with unit_of_work() as uow:
        service.unlock(uow, task_id, now(), actor=actor(uow))
    return "", 204


@routes.get("/external-task")
def list_external() -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        jobs = scopes.list_jobs(uow, who, kind="external",
                                instance_id=arg("processInstanceId") or None, limit=10_000)
        dtos = [_job_dto(uow, j) for j in jobs]
    topic = arg("topicName")
    return jsonify(page([d for d in dtos if not topic or d["topicName"] == topic]))


@routes.get("/external-task/<task_id>")
def get_external(task_id: str) -> Any:
    with unit_of_work() as uow:
        who = actor(uow)
        jobs = [j for j in scopes.list_jobs(uow, who, kind="external", limit=10_000)
                if j.id == task_id]
        if not jobs:
            raise RestError(f"External task with id {task_id} does not exist", 404)
        return jsonify(_job_dto(uow, jobs[0]))
