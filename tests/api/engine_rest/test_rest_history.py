"""Camunda /history: process instances running and ended, incidents open and resolved."""

from __future__ import annotations

from tests.api.conftest import deploy_api_fixture
from tests.factories import deploy_fixture, open_tasks, start

R = "/engine-rest"


def test_historic_process_instances(client, uow_factory, ops):
    deploy_fixture(uow_factory, "review.bpmn")
    running = start(uow_factory, "simple_review", business_key="H-1", province_code="11",
                    review_due="")
    ended = start(uow_factory, "simple_review", business_key="H-2", province_code="11",
                  review_due="")
    assert client.delete(f"{R}/process-instance/{ended.id}", headers=ops).status_code == 204
    listed = client.get(f"{R}/history/process-instance?sortBy=businessKey&sortOrder=desc",
                        headers=ops).json
    assert [(i["businessKey"], i["state"]) for i in listed] == [
        ("H-2", "EXTERNALLY_TERMINATED"), ("H-1", "ACTIVE")]
    assert listed[0]["endTime"] and listed[0]["durationInMillis"] is not None
    assert listed[1]["endTime"] is None and listed[1]["processDefinitionName"] == "简单审核"
    finished = client.get(f"{R}/history/process-instance?finished=true", headers=ops).json
    assert [i["id"] for i in finished] == [ended.id]
    assert client.post(f"{R}/history/process-instance/count", headers=ops,
                       json={"unfinished": True}).json == {"count": 1}
    one = client.get(f"{R}/history/process-instance/{ended.id}", headers=ops).json
    assert one["id"] == ended.id and one["startUserId"] == "system"
    assert client.get(f"{R}/history/process-instance/{running.id}x",
                      headers=ops).status_code == 404
    bad = client.get(f"{R}/history/process-instance?superProcessInstanceId=x", headers=ops)
    assert bad.status_code == 400 and "superProcessInstanceId" in bad.json["message"]


def test_historic_incidents_open_and_resolved(client, uow_factory, ops, user):
    deploy_api_fixture(uow_factory, "form_review.bpmn")
    inst = start(uow_factory, "form_review", province_code="11",
                 review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(uow_factory, inst.id)
    reviewer = user("p11", "province:11:reviewer")
    done = client.post(f"{R}/task/{task.id}/complete", headers=reviewer, json={"variables": {
        "decision": {"value": "approve"}, "score": {"value": 80}}})
    assert done.status_code == 204, done.json
    [incident] = client.get(f"{R}/incident", headers=ops).json
    resolved = client.post(f"/api/v1/incidents/{incident['id']}/resolve", headers=ops, json={})
    assert resolved.status_code == 200
    assert client.get(f"{R}/incident", headers=ops).json == []
    [old] = client.get(f"{R}/history/incident?processInstanceId={inst.id}", headers=ops).json
    assert old["id"] == incident["id"] and old["resolved"] is True and old["endTime"]
    assert client.get(f"{R}/history/incident/count?open=true", headers=ops).json == {
        "count": 0}
