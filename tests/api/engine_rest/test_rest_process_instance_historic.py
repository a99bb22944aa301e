"""delete-historic-query-based and job-retries-historic-query-based: runtime batches on the
instances a historic-instance query chooses, done before the answer."""

from __future__ import annotations

import pytest
import time_machine

from tests.factories import NOW, deploy_fixture, start

R = "/engine-rest"
DELETE = f"{R}/process-instance/delete-historic-query-based"
RETRIES = f"{R}/process-instance/job-retries-historic-query-based"


def _reviews(uow_factory, *business_keys):
    deploy_fixture(uow_factory, "review.bpmn")
    return [start(uow_factory, "simple_review", business_key=key, province_code="11",
                  review_due="").id for key in business_keys]


def _running(client, headers) -> list[str]:
    return sorted(i["businessKey"] for i in client.get(f"{R}/process-instance",
                                                       headers=headers).json)


def test_a_historic_query_chooses_the_instances_to_delete(client, uow_factory, ops):
    first, _second, third, fourth = _reviews(uow_factory, "B-1", "B-2", "C-1", "C-2")
    one = client.post(DELETE, headers=ops, json={
        "historicProcessInstanceQuery": {"processInstanceBusinessKey": "C-1"},
        "deleteReason": "tidy", "skipCustomListeners": True})
    assert one.status_code == 200 and one.json["totalJobs"] == 1, one.json
    assert one.json["type"] == "instance-deletion"
    assert _running(client, ops) == ["B-1", "B-2", "C-2"]
    # C-1 has ended: it is in history, but no runtime instance is left to delete.
    everything = {"historicProcessInstanceQuery": {"processInstanceBusinessKeyLike": "%-%"}}
    refused = client.post(DELETE, headers=ops, json=everything)
    assert refused.status_code == 400 and third in refused.json["message"], refused.json
    assert _running(client, ops) == ["B-1", "B-2", "C-2"]
    rest = client.post(DELETE, headers=ops, json={
        **everything, "historicProcessInstanceQuery": {
            "processInstanceBusinessKeyLike": "B-%", "unfinished": True},
        "processInstanceIds": [first, fourth]})
    assert rest.status_code == 200 and rest.json["totalJobs"] == 3, rest.json
    assert _running(client, ops) == []
    skipped = client.post(DELETE, headers=ops, json={**everything, "failIfNotExists": False})
    assert skipped.status_code == 400 and "processInstanceIds" in skipped.json["message"]
    assert client.get(f"{R}/history/process-instance/count", headers=ops).json == {
        "count": 4}


def test_deleting_stays_in_the_callers_scope(client, uow_factory, ops, user):
    _reviews(uow_factory, "B-1")
    other = user("li", "province:44:reviewer")
    answer = client.post(DELETE, headers=other, json={"historicProcessInstanceQuery": {}})
    assert answer.status_code == 400  # finds nothing it may see
    assert _running(client, ops) == ["B-1"]


@pytest.mark.parametrize(("url", "body", "word"), [
    (DELETE, {}, "historicProcessInstanceQuery"),
    (DELETE, {"historicProcessInstanceQuery": []}, "historicProcessInstanceQuery"),
    (DELETE, {"historicProcessInstanceQuery": {"colour": "red"}}, "colour"),
    (DELETE, {"historicProcessInstanceQuery": {}, "processInstanceQuery": {}},
     "processInstanceQuery"),
    (DELETE, {"historicProcessInstanceQuery": {}, "failIfNotExists": "often"},
     "failIfNotExists"),
    (DELETE, {"historicProcessInstanceQuery": {}, "deleteReason": 7}, "deleteReason"),
    (RETRIES, {"historicProcessInstanceQuery": {}}, "retries"),
    (RETRIES, {"historicProcessInstanceQuery": {}, "retries": -1}, "retries"),
    (RETRIES, {"retries": 1}, "historicProcessInstanceQuery"),
    (RETRIES, {"processInstanceIds": ["x"], "retries": 1}, "processInstanceIds"),
    (RETRIES, {"historicProcessInstanceQuery": {"startedBefore": "soon"}, "retries": 1},
     "startedBefore")])
def test_bad_requests_are_400(client, ops, url, body, word):
    answer = client.post(url, headers=ops, json=body)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json


def test_a_historic_query_chooses_whose_job_retries_to_set(client, uow_factory, ops):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        kept, ended = start(uow_factory, "timer_duration").id, start(
            uow_factory, "timer_duration").id
    client.post(f"{R}/process-instance/delete", headers=ops,
                json={"processInstanceIds": [ended]})
    query = {"historicProcessInstanceQuery": {"processDefinitionKey": "timer_duration"}}
    batch = client.post(RETRIES, headers=ops, json={**query, "retries": 4})
    assert batch.status_code == 200, batch.json
    assert batch.json["type"] == "set-job-retries" and batch.json["totalJobs"] == 1
    [job] = client.get(f"{R}/job?processInstanceId={kept}", headers=ops).json
    assert job["retries"] == 4
    only_ended = client.post(RETRIES, headers=ops, json={
        "historicProcessInstanceQuery": {"processInstanceId": ended}, "retries": 2})
    assert only_ended.status_code == 400  # an ended instance has no jobs: none chosen
    listed = client.post(RETRIES, headers=ops, json={"processInstances": [kept],
                                                      "retries": 1})
    assert listed.status_code == 200 and listed.json["totalJobs"] == 1


def test_job_retries_stay_in_the_callers_scope(client, uow_factory, ops, user):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        instance_id = start(uow_factory, "timer_duration").id
    staff = user("wang", "province:11:reviewer")
    found = client.post(RETRIES, headers=staff, json={
        "historicProcessInstanceQuery": {"processDefinitionKey": "timer_duration"},
        "retries": 1})
    assert found.status_code == 400, found.json  # it sees no such instance
    named = client.post(RETRIES, headers=staff, json={
        "historicProcessInstanceQuery": {}, "processInstances": [instance_id], "retries": 1})
    assert named.status_code == 404, named.json
    [job] = client.get(f"{R}/job?processInstanceId={instance_id}", headers=ops).json
    assert job["retries"] == 3  # untouched
