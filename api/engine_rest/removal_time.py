"""Camunda's set-removal-time on /history/process-instance, /decision-instance and /batch:
done before the answer, a finished BatchDto. Nothing removes history by it (no cleanup)."""

from __future__ import annotations

from typing import Any

from api.engine_rest import history, history_cleanup, history_decision
from api.engine_rest.common import bounded_int, flag, id_list, json_body, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.process_instance_batch import finished_batch
from api.engine_rest.query import Spec, parse
from api.engine_rest.variables import parse_date
from engine.service import removal_times
from engine.service.removal_times import RemovalMode
from engine.service.rest_queries import Query

MODES = ("absoluteRemovalTime", "clearedRemovalTime", "calculatedRemovalTime")


def _mode(body: dict[str, Any]) -> RemovalMode:
    raw = body.get("absoluteRemovalTime")
    absolute = parse_date(raw, "absoluteRemovalTime") if raw is not None else None
    cleared = flag(body.get("clearedRemovalTime"), "clearedRemovalTime") or False
    calculated = flag(body.get("calculatedRemovalTime"), "calculatedRemovalTime") or False
    chosen = [name for name, on in zip(MODES, (absolute is not None, cleared, calculated),
                                       strict=True) if on]
    if len(chosen) != 1:
        raise RestError("give exactly one of " + ", ".join(MODES)
                        + (f" (not {' and '.join(chosen)})" if chosen else ""))
    return RemovalMode(absolute, cleared, calculated)


def _selection(body: dict[str, Any], ids: str, query: str, spec: Spec, extra: set[str]
               ) -> tuple[list[str], Query | None]:
    unknown = sorted(set(body) - {ids, query, *MODES, *extra})
    if unknown:
        raise RestError(f"unsupported field(s): {', '.join(unknown)}")
    raw = body.get(query)
    if raw is not None and not isinstance(raw, dict):
        raise RestError(f"{query} must be an object")
    listed = id_list(body.get(ids), ids) or []
    if not listed and raw is None:
        raise RestError(f"{ids} or {query} is required")
    return listed, parse(spec, raw, paged=False) if raw is not None else None


@routes.post("/history/process-instance/set-removal-time")
def set_instance_removal_time() -> Any:
    body = json_body()
    mode = _mode(body)
    listed, query = _selection(body, "historicProcessInstanceIds",
                               "historicProcessInstanceQuery", history.INSTANCE_SPEC,
                               {"hierarchical", "updateInChunks", "chunkSize"})
    hierarchical = flag(body.get("hierarchical"), "hierarchical") or False
    flag(body.get("updateInChunks"), "updateInChunks")  # one transaction here either way
    if body.get("chunkSize") is not None:
        bounded_int(body, "chunkSize", low=1, high=500)
    return finished_batch("process-set-removal-time", run(
        removal_times.for_instances, listed, query, mode, hierarchical=hierarchical))


@routes.post("/history/decision-instance/set-removal-time")
def set_decision_removal_time() -> Any:
    body = json_body()
    mode = _mode(body)
    listed, query = _selection(body, "historicDecisionInstanceIds",
                               "historicDecisionInstanceQuery", history_decision.SPEC,
                               {"hierarchical"})
    hierarchical = flag(body.get("hierarchical"), "hierarchical") or False
    return finished_batch("decision-set-removal-time", run(
        removal_times.for_decisions, listed, query, mode, hierarchical=hierarchical))


@routes.post("/history/batch/set-removal-time")
def set_batch_removal_time() -> Any:
    body = json_body()
    mode = _mode(body)
    listed, _query = _selection(body, "historicBatchIds", "historicBatchQuery",
                                history_cleanup.BATCH_SPEC, set())
    return finished_batch("batch-set-removal-time", run(
        removal_times.for_batches, listed, mode))
