"""Camunda /batch: runtime batches. VocFlow finishes each batch before it answers, so the
lists are empty (filters still checked: an unknown one is a 400), an id is not found, and
suspending or deleting one is Camunda's 400 for an unknown batch."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import flag, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, text, when
from engine.service import batch_records

_PARAMS = {"batchId": text("id"), "type": text("type"), "tenantIdIn": many("tenant_id"),
           "withoutTenantId": when("tenant_id", "null"),
           "suspended": when("suspended", "eq"), "createdBy": text("created_by"),
           "startedBefore": Param("started_at", "lt", "date"),
           "startedAfter": Param("started_at", "gt", "date"),
           "withFailures": when("failed_jobs", "gt", 0),
           "withoutFailures": when("failed_jobs", "eq", 0)}
SPEC = Spec(params=_PARAMS, sorts={"batchId": "id", "tenantId": "tenant_id"})


def _list(*, count: bool = False) -> Any:
    parse(SPEC, paged=not count)
    rows = run(batch_records.runtime_batches)
    return jsonify({"count": len(rows)} if count else rows)


@routes.get("/batch")
def list_batches() -> Any:
    return _list()


@routes.get("/batch/count")
def count_batches() -> Any:
    return _list(count=True)


@routes.get("/batch/statistics")
def batch_statistics() -> Any:
    """BatchStatisticsDto per runtime batch: none."""
    return _list()


@routes.get("/batch/statistics/count")
def count_batch_statistics() -> Any:
    return _list(count=True)


@routes.get("/batch/<batch_id>")
def get_batch(batch_id: str) -> Any:
    run(batch_records.runtime_batch, batch_id)


@routes.put("/batch/<batch_id>/suspended")
def suspend_batch(batch_id: str) -> Any:
    body = json_body()
    unknown = sorted(set(body) - {"suspended"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    suspended = flag(body.get("suspended"), "suspended")
    if suspended is None:
        raise RestError("suspended must be true or false")
    run(batch_records.change_batch, batch_id, "suspend" if suspended else "activate")


@routes.delete("/batch/<batch_id>")
def delete_batch(batch_id: str) -> Any:
    unknown = sorted(set(request.args) - {"cascade"})
    if unknown:
        raise RestError(f"unsupported query parameter(s): {', '.join(unknown)}")
    flag(request.args.get("cascade"), "cascade")
    run(batch_records.change_batch, batch_id, "delete")
