"""Camunda /history/batch and /history/cleanup: what VocFlow does not run, said so plainly.

VocFlow has no batch operations and no history cleanup (history is append-only and
kept): the lists are empty, the counts 0, a batch or cleanup job by id is a 404, and the
cleanup configuration says it is disabled. Unknown parameters are still a 400.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.engine_rest.common import routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Spec, many, parse, text, when
from engine.service import batch_records, rest_history

BATCH_SPEC = Spec(
    params={"batchId": text("id"), "type": text("type"), "completed": when("completed", "eq"),
            "tenantIdIn": many("tenant_id"), "withoutTenantId": when("tenant_id", "null")},
    sorts={"batchId": "id", "startTime": "started_at", "endTime": "ended_at",
           "tenantId": "tenant_id"},
)
CLEANABLE_SPEC = Spec(
    params={"batchId": text("id"), "type": text("type")},
    sorts={"finished": "finished"},
)


def _empty(spec: Spec, *, count: bool = False) -> Any:
    parse(spec, paged=not count)
    rows = run(rest_history.batches)
    return jsonify({"count": len(rows)} if count else rows)


@routes.get("/history/batch")
def list_historic_batches() -> Any:
    return _empty(BATCH_SPEC)


@routes.get("/history/batch/count")
def count_historic_batches() -> Any:
    return _empty(BATCH_SPEC, count=True)


@routes.get("/history/batch/<batch_id>")
def get_historic_batch(batch_id: str) -> Any:
    run(rest_history.batches)
    raise RestError(f"Historic batch with id '{batch_id}' does not exist", 404)


@routes.delete("/history/batch/<batch_id>")
def delete_historic_batch(batch_id: str) -> Any:
    run(batch_records.delete_historic_batch, batch_id)


@routes.get("/history/batch/cleanable-batch-report")
def cleanable_batch_report() -> Any:
    return _empty(CLEANABLE_SPEC)


@routes.get("/history/batch/cleanable-batch-report/count")
def count_cleanable_batch_report() -> Any:
    return _empty(CLEANABLE_SPEC, count=True)


@routes.get("/history/cleanup/configuration")
def cleanup_configuration() -> Any:
    """HistoryCleanupConfigurationDto: no window, not enabled."""
    run(rest_history.cleanup_jobs)
    return jsonify({"batchWindowStartTime": None, "batchWindowEndTime": None,
                    "enabled": False})


@routes.get("/history/cleanup/jobs")
def cleanup_jobs() -> Any:
    return jsonify(run(rest_history.cleanup_jobs))


@routes.get("/history/cleanup/job")
def cleanup_job() -> Any:
    run(rest_history.cleanup_jobs)  # none is ever scheduled
    raise RestError("History cleanup job does not exist", 404)
