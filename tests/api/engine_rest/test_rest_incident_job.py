"""Camunda REST /incident/{id} (resolve, annotation) and the rest of /job."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from engine import Settings, jobs
from tests.factories import NOW, deploy_fixture, start

R = "/engine-rest"


def _failed_gateway(client, uow_factory, user):
    """A review approved without a score: the gateway's condition fails, an incident opens."""
    deploy_fixture(uow_factory, "review.bpmn")
    instance_id = start(uow_factory, "simple_review", province_code="11", review_due="").id
    reviewer = user("wang", "province:11:reviewer")
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=reviewer).json
    client.post(f"{R}/task/{task['id']}/complete", headers=reviewer,
                json={"variables": {"approved": {"value": True, "type": "Boolean"}}})
    return instance_id, reviewer


def test_incident_read_annotate_and_resolve(client, uow_factory, ops, user):
    instance_id, reviewer = _failed_gateway(client, uow_factory, user)
    [listed] = client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json
    url = f"{R}/incident/{listed['id']}"
    assert client.get(url, headers=ops).json == listed
    assert listed["annotation"] is None and listed["incidentType"] == "failedJob"
    assert client.put(f"{url}/annotation", json={"annotation": "score missing"},
                      headers=reviewer).status_code == 403
    assert client.put(f"{url}/annotation", json={"annotation": 7},
                      headers=ops).status_code == 400
    assert client.put(f"{url}/annotation", json={"annotation": "score missing"},
                      headers=ops).status_code == 204
    assert client.get(url, headers=ops).json["annotation"] == "score missing"
    assert client.delete(f"{url}/annotation", headers=ops).status_code == 204
    assert client.get(url, headers=ops).json["annotation"] is None
    other = user("li", "province:44:reviewer")
    assert client.get(url, headers=other).status_code == 404
    assert client.delete(url, headers=other).status_code == 404
    assert client.delete(url, headers=reviewer).status_code == 403
    assert client.delete(url, headers=ops).status_code == 204
    gone = client.get(url, headers=ops)
    assert gone.status_code == 404 and gone.json["type"] == "InvalidRequestException"
    assert client.get(f"{R}/incident/count?processInstanceId={instance_id}",
                      headers=ops).json == {"count": 0}


def _timer(uow_factory):
    """An instance waiting 10 minutes at a timer, started at NOW (the clock pinned there)."""
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        return start(uow_factory, "timer_duration").id


def test_job_queries_suspension_and_priority(client, uow_factory, ops, user):
    first, second = _timer(uow_factory), _timer(uow_factory)
    posted = client.post(f"{R}/job", json={"processInstanceId": first}, headers=ops).json
    [job] = posted
    assert job["suspended"] is False and job["priority"] == 0
    assert client.post(f"{R}/job/count", json={"processDefinitionKey": "timer_duration"},
                       headers=ops).json == {"count": 2}
    assert client.post(f"{R}/job", json={"colour": "red"}, headers=ops).status_code == 400
    url = f"{R}/job/{job['id']}"
    reviewer = user("wang", "province:11:reviewer")
    assert client.put(f"{url}/suspended", json={"suspended": True},
                      headers=reviewer).status_code == 403
    assert client.put(f"{url}/suspended", json={"suspended": True},
                      headers=ops).status_code == 204
    assert client.get(url, headers=ops).json["suspended"] is True
    settings = Settings(secret_key="x")
    later = NOW + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        fired = jobs.run_until_idle(uow_factory, settings, "w1", now=lambda: later)
    assert len(fired) == 1  # the other instance's timer; the suspended one waits
    assert client.get(f"{R}/process-instance/{second}", headers=ops).status_code == 404
    assert client.get(url, headers=ops).status_code == 200
    assert client.put(f"{R}/job/suspended", headers=ops, json={
        "processInstanceId": first, "suspended": False}).status_code == 204
    assert client.get(url, headers=ops).json["suspended"] is False
    assert client.put(f"{R}/job/suspended", json={"suspended": True},
                      headers=ops).status_code == 400
    assert client.put(f"{url}/priority", json={"priority": 7}, headers=ops).status_code == 204
    assert client.get(url, headers=ops).json["priority"] == 7
    assert client.put(f"{url}/priority", json={"priority": "high"},
                      headers=ops).status_code == 400
    missing = client.get(f"{url}/stacktrace", headers=ops)
    assert missing.status_code == 404
    assert client.put(f"{R}/job/nope/priority", json={"priority": 1},
                      headers=ops).status_code == 404


def test_bulk_retries_answer_a_finished_batch(client, uow_factory, ops, user):
    first, second = _timer(uow_factory), _timer(uow_factory)
    ids = [client.post(f"{R}/job", json={"processInstanceId": i}, headers=ops).json[0]["id"]
           for i in (first, second)]
    batch = client.post(f"{R}/job/retries", headers=ops, json={
        "jobIds": ids[:1], "jobQuery": {"processInstanceId": second}, "retries": 5})
    assert batch.status_code == 200, batch.json
    assert batch.json["type"] == "set-job-retries" and batch.json["totalJobs"] == 2
    assert all(client.get(f"{R}/job/{j}", headers=ops).json["retries"] == 5 for j in ids)
    for bad, word in (({"retries": 1}, "jobIds"), ({"jobIds": ids, "retries": -1}, "retries"),
                      ({"jobIds": ids, "retries": 1, "dueDate": "x"}, "dueDate"),
                      ({"jobQuery": {"colour": 1}, "retries": 1}, "colour")):
        response = client.post(f"{R}/job/retries", json=bad, headers=ops)
        assert response.status_code == 400 and word in response.json["message"], bad
    reviewer = user("wang", "province:11:reviewer")
    assert client.post(f"{R}/job/retries", json={"jobIds": ids, "retries": 1},
                       headers=reviewer).status_code == 403
