"""Camunda /engine, /telemetry, /tenant and /metrics sums: one engine, no telemetry, no tenants."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from api.engine_rest.common import flag, json_body, routes, run
from api.engine_rest.deployment import CAMUNDA_VERSION
from api.engine_rest.errors import RestError
from api.engine_rest.query import Spec, parse, text
from api.engine_rest.variables import format_date, parse_date
from engine.service import rest_system

# The filters Camunda documents; each is honoured (no tenant matches any of them).
TENANTS = Spec(
    params={"id": text("id"), "name": text("name"), "nameLike": text("name", "like"),
            "userMember": text("user"), "groupMember": text("group"),
            "includingGroupsOfUser": text("groups_of_user")},
    sorts={"id": "id", "name": "name"},
)


@routes.get("/engine")
def engines() -> Any:
    return jsonify([{"name": name} for name in run(rest_system.engines)])


@routes.get("/telemetry/configuration")
def telemetry_configuration() -> Any:
    return jsonify({"enableTelemetry": run(rest_system.telemetry_enabled)})


@routes.post("/telemetry/configuration")
def configure_telemetry() -> Any:
    enable = flag(json_body().get("enableTelemetry"), "enableTelemetry")
    if enable is None:
        raise RestError("enableTelemetry must be true or false")
    run(rest_system.configure_telemetry, enable)
    return Response(status=204)


@routes.get("/telemetry/data")
def telemetry_data() -> Any:
    """What would be reported; nothing ever is (enableTelemetry is false)."""
    data = run(rest_system.telemetry_data, CAMUNDA_VERSION)
    return jsonify({
        "installation": None,
        "product": {
            "name": data["product"], "version": data["version"], "edition": "community",
            "internals": {
                "database": {"vendor": data["database"], "version": None},
                "application-server": None, "license-key": None, "jdk": None,
                "commands": {}, "metrics": {}, "webapps": [], "camunda-integration": [],
                "data-collection-start-date": None,
            },
        },
    })


@routes.get("/tenant")
def list_tenants() -> Any:
    parse(TENANTS)
    return jsonify(run(rest_system.tenants))


@routes.get("/tenant/count")
def count_tenants() -> Any:
    parse(TENANTS, paged=False)
    return jsonify({"count": len(run(rest_system.tenants))})


@routes.get("/tenant/<tenant_id>")
def get_tenant(tenant_id: str) -> Any:
    return jsonify(run(rest_system.tenant, tenant_id))


@routes.post("/tenant/create")
def create_tenant() -> Any:
    tenant_id = json_body().get("id")
    if not isinstance(tenant_id, str) or not tenant_id:
        raise RestError("id is required")
    run(rest_system.create_tenant, tenant_id)
    return Response(status=204)


@routes.put("/tenant/<tenant_id>")
@routes.delete("/tenant/<tenant_id>")
def change_tenant(tenant_id: str) -> Any:
    run(rest_system.change_tenant, tenant_id)
    return Response(status=204)


@routes.put("/tenant/<tenant_id>/user-members/<member>")
@routes.delete("/tenant/<tenant_id>/user-members/<member>")
@routes.put("/tenant/<tenant_id>/group-members/<member>")
@routes.delete("/tenant/<tenant_id>/group-members/<member>")
def change_tenant_member(tenant_id: str, member: str) -> Any:
    del member
    run(rest_system.change_tenant, tenant_id)
    return Response(status=204)


@routes.get("/metrics/<name>/sum")
def metric_sum(name: str) -> Any:
    """?startDate&endDate: root-process-instance-start counted from stored instances."""
    unknown = sorted(set(request.args) - {"startDate", "endDate"})
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    start, end = (parse_date(request.args[n], n) if request.args.get(n) else None
                  for n in ("startDate", "endDate"))
    return jsonify({"result": run(rest_system.metric_sum, name, start, end)})


METRIC_PARAMS = {"name", "reporter", "startDate", "endDate", "firstResult", "maxResults",
                 "interval", "aggregateByReporter"}


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError as exc:
        raise RestError(f"{name} must be an integer, not {text!r}") from exc
    if not low <= value <= high:
        raise RestError(f"{name} must be between {low} and {high}, not {value}")
    return value


@routes.get("/metrics")
def metric_intervals() -> Any:
    """Camunda's metrics in intervals (default 900 s): what we count, newest first. We keep
    no reporters, so a reporter filter finds nothing and aggregateByReporter changes
    nothing."""
    unknown = sorted(set(request.args) - METRIC_PARAMS)
    if unknown:
        raise RestError("unsupported query parameter(s): " + ", ".join(unknown))
    flag(request.args.get("aggregateByReporter"), "aggregateByReporter")
    start, end = (parse_date(request.args[n], n) if request.args.get(n) else None
                  for n in ("startDate", "endDate"))
    interval = _int_arg("interval", 900, 1, 10 * 365 * 86400)
    first = _int_arg("firstResult", 0, 0, 2**31 - 1)
    most = _int_arg("maxResults", 1000, 0, 1000)  # Camunda's maximum page too
    rows = run(rest_system.metric_intervals, request.args.get("name") or None, start, end,
               interval)
    if request.args.get("reporter"):
        rows = []
    return jsonify([{"timestamp": format_date(r.timestamp), "name": r.name, "reporter": None,
                     "value": r.value} for r in rows[first:first + most]])


@routes.delete("/metrics/task-worker")
def delete_task_worker_metrics() -> Any:
    if set(request.args) - {"date"}:
        raise RestError("unsupported query parameter(s): "
                        + ", ".join(sorted(set(request.args) - {"date"})))
    run(rest_system.delete_task_worker_metrics)
    return Response(status=204)
