"""Camunda /history/external-task-log and /history/job-log: what workers and timers did.

Entries come from the history events: an external task's completion, BPMN error or
failure as reported, and each timer that fired. Creation and deletion are not recorded, so
those log kinds (and failed timer jobs, which become incidents) are refused, not faked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify

from api.engine_rest.common import json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Spec, many, parse, text, when
from api.engine_rest.variables import format_date
from engine.models import HistoryEvent, ProcessInstance
from engine.service import rest_history

EXTERNAL, JOB = "history_external_task_log", "history_job_log"
SUCCESS = ["external_task_completed", "external_task_bpmn_error"]
_COMMON = {"logId": text("id"), "processInstanceId": text("instance_id"),
           "processDefinitionId": text("definition_id"),
           "processDefinitionKey": text("process_key"), "activityIdIn": many("element_id"),
           "executionIdIn": many("instance_id")}
_SORTS = {"timestamp": "at", "activityId": "element_id", "executionId": "instance_id",
          "processInstanceId": "instance_id", "processDefinitionId": "definition_id",
          "processDefinitionKey": "process_key"}
EXTERNAL_SPEC = Spec(
    params={**_COMMON, "externalTaskId": text("job_id"), "topicName": text("topic"),
            "workerId": text("actor"), "errorMessage": text("error"),
            "activityInstanceIdIn": many("task_id"),
            "successLog": when("action", "in", SUCCESS),
            "failureLog": when("action", "eq", "external_task_failed")},
    sorts={**_SORTS, "externalTaskId": "job_id", "topicName": "topic", "workerId": "actor",
           "activityInstanceId": "task_id"},
)
# Every entry is a success: the flag filters nothing, and is accepted for that reason.
JOB_SPEC = Spec(params={**_COMMON, "jobId": text("job_id"),
                        "successLog": when("id", "null", False)},
                sorts={**_SORTS, "jobId": "job_id"})


def _ids(row: HistoryEvent, instance: ProcessInstance | None) -> dict[str, Any]:
    return {"id": str(row.id), "timestamp": format_date(row.at), "removalTime": None,
            "activityId": row.element_id, "processInstanceId": row.instance_id,
            "processDefinitionId": instance.definition_id if instance else None,
            "processDefinitionKey": instance.process_key if instance else None,
            "rootProcessInstanceId": row.instance_id, "tenantId": None,
            "creationLog": False, "deletionLog": False}


def external_log_dto(row: HistoryEvent, instance: ProcessInstance | None) -> dict[str, Any]:
    """Camunda's HistoricExternalTaskLogDto."""
    data, failed = row.data or {}, row.action == "external_task_failed"
    return {**_ids(row, instance), "externalTaskId": data.get("job_id"),
            "topicName": data.get("topic"), "workerId": None if failed else row.actor,
            "retries": data.get("retries") if failed else None, "priority": 0,
            "errorMessage": data.get("error") if failed else None,
            "activityInstanceId": row.task_id, "executionIds": [row.instance_id],
            "failureLog": failed, "successLog": not failed}


def _due(value: Any) -> str | None:
    return format_date(datetime.fromisoformat(value)) if isinstance(value, str) else None


def job_log_dto(row: HistoryEvent, instance: ProcessInstance | None) -> dict[str, Any]:
    """Camunda's HistoricJobLogDto of a timer job that fired."""
    data = row.data or {}
    return {**_ids(row, instance), "jobId": data.get("job_id"),
            "jobDueDate": _due(data.get("due_at")), "jobRetries": None, "jobPriority": 0,
            "jobExceptionMessage": None, "failedActivityId": None, "jobDefinitionId": None,
            "jobDefinitionType": None,
            "jobDefinitionConfiguration": None, "executionId": row.instance_id,
            "deploymentId": None, "hostname": None, "failureLog": False, "successLog": True}


def _list(resource: str, spec: Spec, dto: Any, body: dict[str, Any] | None) -> Any:
    rows = run(rest_history.query, resource, parse(spec, body))
    return jsonify([dto(*row) for row in rows])


def _count(resource: str, spec: Spec, body: dict[str, Any] | None) -> Any:
    return jsonify({"count": run(rest_history.count, resource,
                                 parse(spec, body, paged=False))})


@routes.get("/history/external-task-log")
def list_external_task_log() -> Any:
    return _list(EXTERNAL, EXTERNAL_SPEC, external_log_dto, None)


@routes.post("/history/external-task-log")
def query_external_task_log() -> Any:
    return _list(EXTERNAL, EXTERNAL_SPEC, external_log_dto, json_body())


@routes.get("/history/external-task-log/count")
def count_external_task_log() -> Any:
    return _count(EXTERNAL, EXTERNAL_SPEC, None)


@routes.post("/history/external-task-log/count")
def count_external_task_log_post() -> Any:
    return _count(EXTERNAL, EXTERNAL_SPEC, json_body())


@routes.get("/history/external-task-log/<entry_id>")
def get_external_task_log(entry_id: str) -> Any:
    return jsonify(external_log_dto(*run(rest_history.log_entry, EXTERNAL, entry_id)))


@routes.get("/history/external-task-log/<entry_id>/error-details")
def external_task_log_error_details(entry_id: str) -> Any:
    """The details a failing worker sent (text/plain); an entry without any is a 404."""
    row, _instance = run(rest_history.log_entry, EXTERNAL, entry_id)
    details = (row.data or {}).get("details")
    if row.action != "external_task_failed" or not details:
        raise RestError(f"external task log {entry_id} has no error details", 404)
    return Response(str(details), mimetype="text/plain")


@routes.get("/history/job-log")
def list_job_log() -> Any:
    return _list(JOB, JOB_SPEC, job_log_dto, None)


@routes.post("/history/job-log")
def query_job_log() -> Any:
    return _list(JOB, JOB_SPEC, job_log_dto, json_body())


@routes.get("/history/job-log/count")
def count_job_log() -> Any:
    return _count(JOB, JOB_SPEC, None)


@routes.post("/history/job-log/count")
def count_job_log_post() -> Any:
    return _count(JOB, JOB_SPEC, json_body())


@routes.get("/history/job-log/<entry_id>")
def get_job_log(entry_id: str) -> Any:
    return jsonify(job_log_dto(*run(rest_history.log_entry, JOB, entry_id)))


@routes.get("/history/job-log/<entry_id>/stacktrace")
def job_log_stacktrace(entry_id: str) -> Any:
    """Only failures have a stack trace; the job log holds timers that fired (a 404)."""
    run(rest_history.log_entry, JOB, entry_id)
    raise RestError(f"job log {entry_id} is no failure and has no stacktrace", 404)
