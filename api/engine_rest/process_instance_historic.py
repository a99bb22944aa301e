"""Camunda's batches on process instances chosen by a historic-instance query
(delete-historic-query-based, job-retries-historic-query-based), done before we answer."""

from __future__ import annotations

from typing import Any

from api.engine_rest import history
from api.engine_rest.common import bounded_int, flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_instance_batch import finished_batch
from api.engine_rest.process_instance_runtime import SKIP_FLAGS
from api.engine_rest.query import parse
from engine.service import rest_batches
from engine.service.rest_queries import Query


def _selection(body: dict[str, Any], ids_field: str, allowed: set[str]
               ) -> tuple[list[str], Query | None]:
    unknown = sorted(set(body) - allowed - {ids_field, "historicProcessInstanceQuery"})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    query = body.get("historicProcessInstanceQuery")
    if query is not None and not isinstance(query, dict):
        raise RestError("historicProcessInstanceQuery must be an object")
    listed = id_list(body.get(ids_field), ids_field) or []
    if not listed and query is None:
        raise RestError(f"{ids_field} or historicProcessInstanceQuery is required")
    return listed, (parse(history.INSTANCE_SPEC, query, paged=False) if query is not None
                    else None)


@routes.post("/process-instance/delete-historic-query-based")
def delete_instances_by_history() -> Any:
    body = json_body()
    for name in (*SKIP_FLAGS, "skipSubprocesses", "failIfNotExists"):
        flag(body.get(name), name)
    reason = body.get("deleteReason")
    if reason is not None and not isinstance(reason, str):
        raise RestError("deleteReason must be a string")
    listed, query = _selection(body, "processInstanceIds", {
        "deleteReason", "skipSubprocesses", "failIfNotExists", *SKIP_FLAGS})
    total = run(rest_batches.delete_many_historic, listed, query,
                skip_listeners=flag(body.get("skipCustomListeners")) or False,
                fail_if_not_exists=flag(body.get("failIfNotExists")) is not False)
    return finished_batch("instance-deletion", total)


@routes.post("/process-instance/job-retries-historic-query-based")
def set_job_retries_by_history() -> Any:
    body = json_body()
    listed, query = _selection(body, "processInstances", {"retries"})
    retries = bounded_int(body, "retries")
    return finished_batch("set-job-retries", run(
        rest_batches.job_retries_many_historic, listed, query, retries))
