"""Camunda history reports, the cleanable-instance report, batches and cleanup (none)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import deploy_fixture

R = "/engine-rest"
HOUR = 3_600_000
# Three reviews done in 1 h and 3 h (January) and 2 h (April), one still open (May).
RUNS = [(datetime(2026, 1, 10, 2, tzinfo=UTC), 1), (datetime(2026, 1, 20, 2, tzinfo=UTC), 3),
        (datetime(2026, 4, 5, 2, tzinfo=UTC), 2), (datetime(2026, 5, 1, 2, tzinfo=UTC), None)]


def _reviews(client, uow_factory, ops, wang):
    deploy_fixture(uow_factory, "review.bpmn", "loop_review.bpmn")
    for started, hours in RUNS:
        with time_machine.travel(started, tick=False) as traveller:
            response = client.post(f"{R}/process-definition/key/simple_review/start",
                                   headers=ops, json={"variables": {
                                       "province_code": {"value": "11"},
                                       "review_due": {"value": ""}}})
            if hours is None:
                continue
            [task] = client.get(f"{R}/task?processInstanceId={response.json['id']}",
                                headers=wang).json
            traveller.shift(timedelta(hours=hours))
            assert client.post(f"{R}/task/{task['id']}/complete", headers=wang, json={
                "variables": {"approved": {"value": True}, "score": {"value": 80}}}
            ).status_code == 204


def _report(client, headers, path, query):
    response = client.get(f"{R}/history/{path}/report?{query}", headers=headers)
    assert response.status_code == 200, response.json
    keys = ("period", "periodUnit", "minimum", "maximum", "average")
    return [tuple(row[k] for k in keys) for row in response.json]


def test_duration_and_count_reports(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    li = user("li", "province:44:reviewer")
    _reviews(client, uow_factory, ops, wang)
    january, april = (1, "MONTH", HOUR, 3 * HOUR, 2 * HOUR), (4, "MONTH", *[2 * HOUR] * 3)
    for path in ("task", "process-instance"):
        assert _report(client, wang, path, "reportType=duration&periodUnit=month") == [
            january, april]
        assert _report(client, wang, path, "reportType=duration&periodUnit=quarter") == [
            (1, "QUARTER", HOUR, 3 * HOUR, 2 * HOUR), (2, "QUARTER", *[2 * HOUR] * 3)]
        assert _report(client, li, path, "reportType=duration&periodUnit=month") == []
    [by_name] = client.get(f"{R}/history/task/report?reportType=count&groupBy=taskName",
                           headers=wang).json
    assert (by_name["count"], by_name["taskName"], by_name["processDefinitionKey"]) == (
        3, "省级审核", "simple_review")
    [late] = client.get(f"{R}/history/task/report?reportType=count&groupBy=processDefinition"
                        "&completedAfter=2026-03-01T00:00:00.000%2B0000", headers=wang).json
    assert (late["count"], late["taskName"]) == (1, None)
    missing = client.get(f"{R}/history/task/report", headers=wang)
    assert missing.status_code == 400 and "reportType" in missing.json["message"]
    week = client.get(f"{R}/history/process-instance/report?reportType=duration"
                      "&periodUnit=week", headers=wang)
    assert week.status_code == 400 and "periodUnit" in week.json["message"]


def test_cleanable_process_instance_report(client, uow_factory, ops, user):
    _reviews(client, uow_factory, ops, user("wang", "province:11:reviewer"))
    url = f"{R}/history/process-definition/cleanable-process-instance-report"
    with time_machine.travel(datetime(2026, 8, 1, tzinfo=UTC), tick=False):
        rows = client.get(f"{url}?sortBy=finished&sortOrder=desc", headers=ops).json
        compact = client.get(f"{url}?compact=true", headers=ops).json
        counts = [client.get(f"{url}/count{q}", headers=ops).json for q in ("", "?compact=true")]
    assert [(r["processDefinitionKey"], r["historyTimeToLive"], r["finishedProcessInstanceCount"],
             r["cleanableProcessInstanceCount"]) for r in rows] == [
        ("simple_review", 180, 3, 2), ("loop_review", 180, 0, 0)]  # 180 days: Jan, not Apr
    assert [r["processDefinitionKey"] for r in compact] == ["simple_review"]
    assert counts == [{"count": 2}, {"count": 1}]
    tenant = client.get(f"{url}?tenantIdIn=a", headers=ops)
    assert tenant.status_code == 400 and "tenantIdIn" in tenant.json["message"]


def test_no_batches_and_no_cleanup(client, ops):
    assert client.get(f"{R}/history/batch?completed=true", headers=ops).json == []
    assert client.get(f"{R}/history/batch/count", headers=ops).json == {"count": 0}
    assert client.get(f"{R}/history/batch/b-1", headers=ops).status_code == 404
    assert client.get(f"{R}/history/batch/cleanable-batch-report",
                      headers=ops).json == []
    assert client.get(f"{R}/history/batch/cleanable-batch-report/count",
                      headers=ops).json == {"count": 0}
    assert client.get(f"{R}/history/cleanup/configuration", headers=ops).json == {
        "batchWindowStartTime": None, "batchWindowEndTime": None, "enabled": False}
    assert client.get(f"{R}/history/cleanup/jobs", headers=ops).json == []
    assert client.get(f"{R}/history/cleanup/job", headers=ops).status_code == 404
    bad = client.get(f"{R}/history/batch?colour=red", headers=ops)
    assert bad.status_code == 400 and "colour" in bad.json["message"]
    assert client.get(f"{R}/history/batch").status_code == 401
