"""Camunda /metrics: the sums we can count truthfully, a 400 naming the ones we cannot."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from tests.factories import NOW, deploy_fixture, start

R = "/engine-rest"


def test_root_instance_starts_are_summed_between_dates(client, ops, user, uow_factory):
    wang = user("wang", "province:11:reviewer")
    admin = user("root", "admin")
    deploy_fixture(uow_factory, "review.bpmn")
    start(uow_factory, "simple_review", NOW - timedelta(days=2), province_code="11",
          review_due="")
    start(uow_factory, "simple_review", NOW, province_code="12", review_due="")
    url = f"{R}/metrics/root-process-instance-start/sum"
    assert client.get(url, headers=ops).json == {"result": 2}
    since = quote((NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))
    assert client.get(f"{url}?startDate={since}", headers=ops).json == {"result": 1}
    assert client.get(f"{url}?endDate={since}", headers=ops).json == {"result": 1}
    assert client.get(url, headers=wang).status_code == 403
    other = client.get(f"{R}/metrics/activity-instance-start/sum", headers=ops)
    assert other.status_code == 400 and "activity-instance-start" in other.json["message"]
    assert client.get(f"{url}?startDate=yesterday", headers=ops).status_code == 400
    assert client.get(f"{url}?colour=red", headers=ops).status_code == 400
    assert client.delete(f"{R}/metrics/task-worker", headers=ops).status_code == 403
    assert client.delete(f"{R}/metrics/task-worker", headers=admin).status_code == 204


def test_metric_intervals_count_starts_per_interval_newest_first(client, ops, user,
                                                                 uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    hour = NOW.replace(minute=0, second=0, microsecond=0)  # NOW is 04:00 UTC
    for at in (hour + timedelta(minutes=5), hour + timedelta(minutes=50),
               hour - timedelta(hours=1, minutes=-10)):
        start(uow_factory, "simple_review", at, province_code="11", review_due="")
    rows = client.get(f"{R}/metrics?name=root-process-instance-start&interval=3600",
                      headers=ops).json
    assert rows == [
        {"timestamp": "2026-11-28T04:00:00.000+0000", "name": "root-process-instance-start",
         "reporter": None, "value": 2},
        {"timestamp": "2026-11-28T03:00:00.000+0000", "name": "root-process-instance-start",
         "reporter": None, "value": 1}]
    quarter = client.get(f"{R}/metrics?interval=900&maxResults=1", headers=ops).json
    assert [(r["timestamp"], r["value"]) for r in quarter] == [
        ("2026-11-28T04:45:00.000+0000", 1)]
    assert client.get(f"{R}/metrics?reporter=node-1", headers=ops).json == []
    assert client.get(f"{R}/metrics?colour=red", headers=ops).status_code == 400
    assert client.get(f"{R}/metrics?interval=soon", headers=ops).status_code == 400
    unknown = client.get(f"{R}/metrics?name=job-successful", headers=ops)
    assert unknown.status_code == 400 and "job-successful" in unknown.json["message"]
    assert client.get(f"{R}/metrics", headers=user("li", "province:11:reviewer")
                      ).status_code == 403
