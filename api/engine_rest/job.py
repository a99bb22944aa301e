"""Camunda /job: list by process instance, execute now, set due date, set retries."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import actor, arg, bounded_int, json_body, now, page, routes, unit_of_work
from api.engine_rest.errors import RestError
from api.engine_rest.variables import format_date, parse_date
from engine.models import Job
from engine.service import job_control, scopes
from engine.uow import UnitOfWork


def job_dto(uow: UnitOfWork, job: Job) -> dict[str, Any]:
    instance = uow.instances.get(job.instance_id or "")
    return {
        "id": job.id, "jobDefinitionId": job.element_id,
        "processInstanceId": job.instance_id, "executionId": job.instance_id,
        "processDefinitionId": instance.definition_id if instance else job.definition_id,
        "processDefinitionKey": instance.process_key if instance else None,
        "exceptionMessage": job.last_error, "failedActivityId": (
            job.element_id if job.last_error else None),
        "retries": job.retries if job.retries is not None else 3,
        "dueDate": format_date(job.due_at),
        "suspended": bool(instance and instance.status == "suspended"),
        "priority": 0, "tenantId": None, "createTime": format_date(job.created_at),
        "batchId": None,
    }


def _query() -> list[dict[str, Any]]:
    with unit_of_work() as uow:
        who = actor(uow)
        jobs = scopes.list_jobs(uow, who, instance_id=arg("processInstanceId") or None,
                                limit=10_000)
        dtos = [job_dto(uow, j) for j in jobs]
    for param, key in (("jobId", "id"), ("processDefinitionId", "processDefinitionId"),
                       ("activityId", "jobDefinitionId")):
        wanted = arg(param)
        if wanted:
            dtos = [d for d in dtos if d[key] == wanted]
    return dtos


@routes.get("/job")
def list_jobs() -> Any:
    return jsonify(page(_query()))


@routes.get("/job/count")
def count_jobs() -> Any:
    return jsonify({"count": len(_query())})


@routes.get("/job/<job_id>")
def get_job(job_id: str) -> Any:
    matches = [d for d in _query() if d["id"] == job_id]
    if not matches:
        raise RestError(f"Job with id {job_id} does not exist", 404)
    return jsonify(matches[0])


@routes.post("/job/<job_id>/execute")
def execute(job_id: str) -> Any:
    """Fire a timer now (how Camunda users move a process past a timer by hand)."""
    with unit_of_work() as uow:
        who = actor(uow)
        job_control.execute_job(uow, job_id, who, now())
    return "", 204


@routes.put("/job/<job_id>/duedate")
def set_due_date(job_id: str) -> Any:
    with unit_of_work() as uow:
        who, body = actor(uow), json_body()
        due = parse_date(body.get("duedate"), "duedate")
        job_control.set_job_due_date(uow, job_id, due, who, now())
    return "", 204


@routes.put("/job/<job_id>/retries")
def set_retries(job_id: str) -> Any:
    with unit_of_work() as uow:
        who, body = actor(uow), json_body()
        retries = bounded_int(body, "retries")
        job_control.set_job_retries(uow, job_id, retries, who, now())
    return "", 204
