"""Camunda /history/task/report and /history/process-instance/report (JSON, not CSV)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from api.engine_rest.common import flag, routes, run
from api.engine_rest.errors import RestError
from api.engine_rest.query import Param, Spec, many, parse, when
from engine.service import history_reports
from engine.service.history_reports import Cleanable, Duration, TaskCount

TASK_SPEC = Spec(
    params={"completedBefore": Param("ended_at", "lt", "date"),
            "completedAfter": Param("ended_at", "gt", "date")},
    sorts={}, shaping=("reportType", "periodUnit", "groupBy"))
INSTANCE_SPEC = Spec(
    params={"processDefinitionIdIn": many("definition_id"),
            "processDefinitionKeyIn": many("process_key"),
            "startedBefore": Param("started_at", "lt", "date"),
            "startedAfter": Param("started_at", "gt", "date")},
    sorts={}, shaping=("reportType", "periodUnit"))


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    value = request.args.get(name)
    if value not in allowed:
        raise RestError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def duration_dto(row: Duration) -> dict[str, Any]:
    """Camunda's DurationReportResultDto."""
    return {"period": row.period, "periodUnit": row.unit, "minimum": row.minimum,
            "maximum": row.maximum, "average": row.average}


def task_count_dto(row: TaskCount) -> dict[str, Any]:
    """Camunda's HistoricTaskInstanceReportResultDto."""
    return {"count": row.count, "processDefinitionKey": row.definition.key,
            "processDefinitionId": row.definition.id,
            "processDefinitionName": row.definition.name, "taskName": row.task_name,
            "tenantId": None}


@routes.get("/history/task/report")
def task_report() -> Any:
    """reportType=count (groupBy=taskName or processDefinition) or duration (periodUnit)."""
    filters = parse(TASK_SPEC, paged=False).filters
    if _choice("reportType", ("count", "duration")) == "duration":
        unit = _choice("periodUnit", history_reports.PERIODS)
        rows = run(history_reports.task_durations, unit, filters)
        return jsonify([duration_dto(r) for r in rows])
    by_name = _choice("groupBy", ("taskName", "processDefinition")) == "taskName"
    return jsonify([task_count_dto(r) for r in run(history_reports.task_counts, by_name,
                                                   filters)])


@routes.get("/history/process-instance/report")
def instance_report() -> Any:
    """reportType=duration, periodUnit=month or quarter: ended instances by start period."""
    filters = parse(INSTANCE_SPEC, paged=False).filters
    _choice("reportType", ("duration",))
    unit = _choice("periodUnit", history_reports.PERIODS)
    return jsonify([duration_dto(r) for r in run(history_reports.instance_durations, unit,
                                                 filters)])


CLEANABLE_SPEC = Spec(
    params={"processDefinitionIdIn": many("id"), "processDefinitionKeyIn": many("key")},
    sorts={"finished": "finished"}, shaping=("compact",))


def cleanable_dto(row: Cleanable) -> dict[str, Any]:
    """Camunda's CleanableProcessInstanceReportResultDto."""
    return {"processDefinitionId": row.definition.id,
            "processDefinitionKey": row.definition.key,
            "processDefinitionName": row.definition.name,
            "processDefinitionVersion": row.definition.version,
            "historyTimeToLive": row.time_to_live,
            "finishedProcessInstanceCount": row.finished,
            "cleanableProcessInstanceCount": row.cleanable, "tenantId": None}


def decision_cleanable_dto(row: Cleanable) -> dict[str, Any]:
    """Camunda's CleanableHistoricDecisionInstanceReportResultDto."""
    return {"decisionDefinitionId": row.definition.id,
            "decisionDefinitionKey": row.definition.key,
            "decisionDefinitionName": row.definition.name,
            "decisionDefinitionVersion": row.definition.version,
            "historyTimeToLive": row.time_to_live,
            "finishedDecisionInstanceCount": row.finished,
            "cleanableDecisionInstanceCount": row.cleanable, "tenantId": row.tenant_id}


DECISION_CLEANABLE_SPEC = Spec(
    params={"decisionDefinitionIdIn": many("id"), "decisionDefinitionKeyIn": many("key"),
            "tenantIdIn": many("tenant"), "withoutTenantId": when("tenant", "null")},
    sorts={"finished": "finished"}, shaping=("compact",))


def _cleanable(paged: bool, spec: Spec = CLEANABLE_SPEC,
               command: Any = history_reports.cleanable_instances) -> list[Cleanable]:
    query = parse(spec, paged=paged)
    rows: list[Cleanable] = run(command, query.filters)
    if flag(request.args.get("compact"), "compact"):
        rows = [r for r in rows if r.finished]
    for _field, descending in query.sort:
        rows.sort(key=lambda r: r.finished, reverse=descending)
    end = None if query.limit is None else query.offset + query.limit
    return rows[query.offset:end]


@routes.get("/history/process-definition/cleanable-process-instance-report")
def cleanable_instance_report() -> Any:
    """Ended instances per definition and those past its historyTimeToLive (none are
    removed: VocFlow keeps its history)."""
    return jsonify([cleanable_dto(r) for r in _cleanable(paged=True)])


@routes.get("/history/process-definition/cleanable-process-instance-report/count")
def count_cleanable_instance_report() -> Any:
    return jsonify({"count": len(_cleanable(paged=False))})


def _cleanable_decisions(paged: bool) -> list[Cleanable]:
    return _cleanable(paged, DECISION_CLEANABLE_SPEC, history_reports.cleanable_decisions)


@routes.get("/history/decision-definition/cleanable-decision-instance-report")
def cleanable_decision_report() -> Any:
    """Evaluations per decision definition and those past its historyTimeToLive (none are
    removed: VocFlow keeps its history)."""
    return jsonify([decision_cleanable_dto(r) for r in _cleanable_decisions(paged=True)])


@routes.get("/history/decision-definition/cleanable-decision-instance-report/count")
def count_cleanable_decision_report() -> Any:
    return jsonify({"count": len(_cleanable_decisions(paged=False))})
