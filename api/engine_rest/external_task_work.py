"""Camunda /external-task for workers: fetchAndLock, complete, failure, bpmnError, locks."""

from __future__ import annotations

import time
from typing import Any

from flask import jsonify, request

from api.engine_rest import variables
from api.engine_rest.common import bounded_int, flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from engine import service, work_bell
from engine.service import external_protocol

MAX_DURATION_MS = 10 * 366 * 24 * 3600 * 1000  # ten years: a lock or a retry timeout
MAX_WAIT_MS = 30 * 60 * 1000  # Camunda's limit for asyncResponseTimeout
RETRY_SECONDS = 2.0
LONG_POLL = "vocflow.long_poll"  # api.asgi.SCOPE_KEY: the ASGI door waits for this request
TOPIC_FIELDS = {"topicName", "lockDuration", "variables", "localVariables",
                "processDefinitionId", "processDefinitionIdIn", "processDefinitionKey",
                "processDefinitionKeyIn", "businessKey", "tenantIdIn", "withoutTenantId",
                "deserializeValues", "includeExtensionProperties", "processDefinitionVersionTag"}
BODY_FIELDS = {"workerId", "maxTasks", "usePriority", "topics", "sorting",
               "asyncResponseTimeout"}
# What our engine puts into every instance that Camunda would not hand a worker.
ENGINE_VARIABLES = ("business_key", "initiator")


def _int(body: dict[str, Any], name: str, default: int | None = None) -> int:
    high = MAX_DURATION_MS if name in ("newDuration", "retryTimeout", "lockDuration") else (
        2**31 - 1)
    return bounded_int(body, name, default, high=high)


def _topic(number: int, topic: dict[str, Any]) -> dict[str, Any]:
    where = f"topics[{number}]"
    if not topic.get("processVariables"):  # an empty filter (the Python client sends {})
        topic = {k: v for k, v in topic.items() if k != "processVariables"}
    unknown = sorted(set(topic) - TOPIC_FIELDS)
    if unknown:
        raise RestError(f"{where}: unsupported field(s) " + ", ".join(unknown)
                        + " (processVariables filters are not supported)")
    if not isinstance(topic.get("topicName"), str) or not topic["topicName"]:
        raise RestError(f"{where}.topicName must be a non-empty string")
    checked = dict(topic, lockDuration=bounded_int(topic, "lockDuration", low=1,
                                                   high=MAX_DURATION_MS))
    for name in ("variables", "processDefinitionIdIn", "processDefinitionKeyIn",
                 "tenantIdIn"):
        if topic.get(name) is not None:
            checked[name] = id_list(topic[name], f"{where}.{name}")
    for name in ("processDefinitionId", "processDefinitionKey", "businessKey"):
        if topic.get(name) is not None and not isinstance(topic[name], str):
            raise RestError(f"{where}.{name} must be a string")
    for name in ("withoutTenantId", "localVariables", "deserializeValues",
                 "includeExtensionProperties"):
        flag(topic.get(name), f"{where}.{name}")
    return checked


def _topics(body: dict[str, Any]) -> list[dict[str, Any]]:
    unknown = sorted(set(body) - BODY_FIELDS)
    if unknown:
        raise RestError("fetchAndLock: unsupported field(s) " + ", ".join(unknown))
    topics = body.get("topics")
    if not isinstance(topics, list) or not all(isinstance(t, dict) for t in topics):
        raise RestError("topics must be a list of {topicName, lockDuration, variables}")
    order = _create_time_order(body.get("sorting"))
    return [dict(_topic(n, t), _createTimeOrder=order) for n, t in enumerate(topics)]


def _create_time_order(sorting: Any) -> str | None:
    """Camunda's fetchAndLock sorting: only createTime exists, asc or desc."""
    if sorting in (None, []):
        return None
    if (not isinstance(sorting, list) or len(sorting) != 1 or not isinstance(sorting[0], dict)
            or sorting[0].get("sortBy") != "createTime"
            or sorting[0].get("sortOrder") not in ("asc", "desc")):
        raise RestError('sorting must be [{"sortBy": "createTime", "sortOrder": "asc|desc"}]')
    return str(sorting[0]["sortOrder"])


def locked_dto(task: service.LockedTask, wanted: list[str] | None) -> dict[str, Any]:
    key = task.process_definition_id.split(":", 1)[0] if task.process_definition_id else None
    values = {k: v for k, v in task.variables.items()
              if k not in ENGINE_VARIABLES or (wanted and k in wanted)}
    return {
        "activityId": task.activity_id, "activityInstanceId": task.activity_id,
        "errorMessage": task.error_message, "errorDetails": None,
        "executionId": task.process_instance_id, "id": task.id,
        "lockExpirationTime": variables.format_date(task.lock_expiration_time),
        "processDefinitionId": task.process_definition_id, "processDefinitionKey": key,
        "processDefinitionVersionTag": None, "processInstanceId": task.process_instance_id,
        "tenantId": None, "workerId": task.worker_id,
        "retries": task.retries if task.error_message is not None else None,
        "priority": task.priority, "topicName": task.topic_name, "businessKey": task.business_key,
        "extensionProperties": {}, "variables": variables.to_camunda(values, wanted),
    }


@routes.post("/external-task/fetchAndLock")
def fetch_and_lock_tasks() -> Any:
    """Lock up to maxTasks tasks of the topics, each topic's filters applied in SQL.

    Long polling (asyncResponseTimeout): under `vocflow serve` (ASGI) this view tries once
    and, finding nothing, tells the door what to wait for; the waiting then holds neither
    a thread nor a database connection (api/asgi.py). Served as plain WSGI (tests, another
    server), it waits in its thread without a connection: woken when this process commits
    new external work, retrying every RETRY_SECONDS for other processes' work.
    """
    body = json_body()
    topics = _topics(body)
    use_priority = bool(flag(body.get("usePriority"), "usePriority"))
    worker, most = _worker(body), _int(body, "maxTasks", 10)
    wait_ms = bounded_int(body, "asyncResponseTimeout", 0, high=MAX_WAIT_MS)
    poll = request.environ.get("asgi.scope", {}).get(LONG_POLL)
    if poll is None:
        locked = _fetch_waiting_here(worker, topics, most, wait_ms, use_priority)
    else:  # the ASGI door (api/asgi.py) does the waiting, in its event loop
        locked = run(service.fetch_and_lock, worker, topics, most, use_priority=use_priority)
        if not locked and wait_ms:
            poll.update(timeout=wait_ms / 1000, interests=_interests(topics))
    wanted = {t.get("topicName"): t.get("variables") for t in topics}
    return jsonify([locked_dto(t, wanted.get(t.topic_name)) for t in locked])


def _fetch_waiting_here(worker: str, topics: list[dict[str, Any]], most: int,
                        wait_ms: int, use_priority: bool) -> list[service.LockedTask]:
    deadline = time.monotonic() + wait_ms / 1000
    while True:
        seen = external_protocol.WORK.generation()
        locked = run(service.fetch_and_lock, worker, topics, most, use_priority=use_priority)
        left = deadline - time.monotonic()
        if locked or left <= 0:
            return locked
        external_protocol.WORK.wait(seen, min(RETRY_SECONDS, left))


def _interests(topics: list[dict[str, Any]]) -> list[work_bell.Interest]:
    """What a ring must carry to wake this subscription (other filters: checked on retry)."""
    def keys(topic: dict[str, Any]) -> frozenset[str] | None:
        named = [k for k in [topic.get("processDefinitionKey"),
                             *(topic.get("processDefinitionKeyIn") or [])] if k is not None]
        if topic.get("processDefinitionKey") is None and topic.get(
                "processDefinitionKeyIn") is None:
            return None
        return frozenset(named)

    return [work_bell.Interest(t["topicName"], keys(t), t.get("businessKey")) for t in topics]


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
    values = variables.from_camunda(body.get("variables"))
    values.update(variables.from_camunda(body.get("localVariables")))
    run(service.handle_failure, task_id, _worker(body), message or "external task failed",
        details, _int(body, "retries", 0), _int(body, "retryTimeout", 0),
        variables=values or None)
    return "", 204


@routes.post("/external-task/<task_id>/bpmnError")
def external_bpmn_error(task_id: str) -> Any:
    """The worker throws a BPMN error: an error boundary or event subprocess takes over."""
    body = json_body()
    code, message = body.get("errorCode"), body.get("errorMessage")
    if not isinstance(code, str) or not code:
        raise RestError("errorCode is required")
    if not isinstance(message, str | None):
        raise RestError("errorMessage must be a string")
    run(external_protocol.bpmn_error, task_id, _worker(body), code, message,
        variables.from_camunda(body.get("variables")))
    return "", 204


@routes.post("/external-task/<task_id>/extendLock")
def extend_external_lock(task_id: str) -> Any:
    body = json_body()
    run(service.extend_lock, task_id, _worker(body), _int(body, "newDuration"))
    return "", 204


@routes.post("/external-task/<task_id>/lock")
def lock_external(task_id: str) -> Any:
    body = json_body()
    run(external_protocol.lock, task_id, _worker(body),
        bounded_int(body, "lockDuration", low=1, high=MAX_DURATION_MS))
    return "", 204


@routes.post("/external-task/<task_id>/unlock")
def unlock_external(task_id: str) -> Any:
    run(service.unlock, task_id)
    return "", 204
