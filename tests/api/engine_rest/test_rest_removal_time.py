"""set-removal-time on historic process instances, decision evaluations and batches."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import FIXTURES, deploy_fixture, start

R = "/engine-rest"
PI_URL = f"{R}/history/process-instance/set-removal-time"
DI_URL = f"{R}/history/decision-instance/set-removal-time"
BATCH_URL = f"{R}/history/batch/set-removal-time"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
WHEN = "2027-03-01T08:00:00.000+0000"


def _instances(client, uow_factory, ops) -> tuple[str, str]:
    """simple_review (historyTimeToLive 180): one running, one ended (deleted) at T0."""
    deploy_fixture(uow_factory, "review.bpmn")
    with time_machine.travel(T0 - timedelta(days=1), tick=False):
        running, ended = (start(uow_factory, "simple_review", business_key=key,
                                province_code="11", review_due="").id
                          for key in ("R-1", "R-2"))
    with time_machine.travel(T0, tick=False):
        assert client.delete(f"{R}/process-instance/{ended}", headers=ops).status_code == 204
    return running, ended


def _removal(client, ops, kind: str, ident: str) -> str | None:
    return client.get(f"{R}/history/{kind}/{ident}", headers=ops).json["removalTime"]


def test_absolute_calculated_and_cleared_on_instances(client, uow_factory, ops):
    running, ended = _instances(client, uow_factory, ops)
    absolute = client.post(PI_URL, headers=ops, json={
        "absoluteRemovalTime": WHEN, "historicProcessInstanceIds": [running, ended]})
    assert absolute.status_code == 200, absolute.json
    assert (absolute.json["type"], absolute.json["totalJobs"]) == ("process-set-removal-time", 2)
    assert [_removal(client, ops, "process-instance", i) for i in (running, ended)] == [
        WHEN, WHEN]
    calculated = client.post(PI_URL, headers=ops, json={
        "calculatedRemovalTime": True, "hierarchical": True, "updateInChunks": False,
        "historicProcessInstanceQuery": {"processInstanceBusinessKeyLike": "R-%"}})
    assert calculated.status_code == 200 and calculated.json["totalJobs"] == 2
    # ended at T0 + 180 days; a running instance has no end to count from
    assert _removal(client, ops, "process-instance", ended) == "2027-05-29T01:00:00.000+0000"
    assert _removal(client, ops, "process-instance", running) is None
    listed = client.get(f"{R}/history/process-instance?finished=true", headers=ops).json
    assert [r["removalTime"] for r in listed] == ["2027-05-29T01:00:00.000+0000"]
    cleared = client.post(PI_URL, headers=ops, json={
        "clearedRemovalTime": True, "historicProcessInstanceIds": [ended]})
    assert cleared.status_code == 200 and cleared.json["totalJobs"] == 1
    assert _removal(client, ops, "process-instance", ended) is None
    # nothing removes history by it: VocFlow runs no cleanup
    assert client.get(f"{R}/history/process-instance/count", headers=ops).json == {"count": 2}


@pytest.mark.parametrize(("body", "word"), [
    ({"historicProcessInstanceIds": ["x"]}, "absoluteRemovalTime"),
    ({"historicProcessInstanceIds": ["x"], "clearedRemovalTime": True,
      "calculatedRemovalTime": True}, "clearedRemovalTime and calculatedRemovalTime"),
    ({"historicProcessInstanceIds": ["x"], "absoluteRemovalTime": "soon"},
     "absoluteRemovalTime"),
    ({"clearedRemovalTime": True}, "historicProcessInstanceIds"),
    ({"clearedRemovalTime": True, "historicProcessInstanceQuery": []},
     "historicProcessInstanceQuery"),
    ({"clearedRemovalTime": True, "historicProcessInstanceQuery": {"colour": "red"}},
     "colour"),
    ({"clearedRemovalTime": True, "historicProcessInstanceIds": ["x"], "chunkSize": 0},
     "chunkSize"),
    ({"clearedRemovalTime": "yes", "historicProcessInstanceIds": ["x"]},
     "clearedRemovalTime"),
    ({"clearedRemovalTime": True, "historicProcessInstanceIds": ["x"], "tenantId": "a"},
     "tenantId")])
def test_bad_instance_requests_are_400(client, ops, body, word):
    answer = client.post(PI_URL, headers=ops, json=body)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json


def test_instance_removal_times_are_for_ops_and_in_scope(client, uow_factory, ops, user):
    running, _ended = _instances(client, uow_factory, ops)
    reviewer = user("wang", "province:11:reviewer")
    body = {"absoluteRemovalTime": WHEN, "historicProcessInstanceIds": [running]}
    assert client.post(PI_URL, headers=reviewer, json=body).status_code == 403
    unknown = client.post(PI_URL, headers=ops, json={
        "absoluteRemovalTime": WHEN, "historicProcessInstanceIds": [running, "nope"]})
    assert unknown.status_code == 404 and "nope" in unknown.json["message"]
    assert _removal(client, ops, "process-instance", running) is None  # all or nothing
    none = client.post(PI_URL, headers=ops, json={
        "absoluteRemovalTime": WHEN,
        "historicProcessInstanceQuery": {"processInstanceBusinessKey": "Z"}})
    assert none.status_code == 400 and "empty" in none.json["message"]


def _evaluations(client, designer, ops) -> list[dict]:
    """Two REST evaluations of the dish (each needs the season), T0 and T0 + 1 h; the dish
    keeps its history one day, the season has no time to live."""
    data = {"deployment-name": "decisions", "dmn_drd.dmn": (
        io.BytesIO((FIXTURES / "dmn_drd.dmn").read_bytes()), "dmn_drd.dmn")}
    assert client.post(f"{R}/deployment/create", data=data, headers=designer,
                       content_type="multipart/form-data").status_code == 200
    dish = client.get(f"{R}/decision-definition/key/dmn_drd_dish", headers=ops).json
    client.put(f"{R}/decision-definition/{dish['id']}/history-time-to-live",
               json={"historyTimeToLive": 1}, headers=ops)
    with time_machine.travel(T0, tick=False) as traveller:
        for month in (1, 7):
            assert client.post(f"{R}/decision-definition/{dish['id']}/evaluate", headers=ops,
                               json={"variables": {"month": {"value": month},
                                                   "guests": {"value": 3}}}
                               ).status_code == 200
            traveller.shift(timedelta(hours=1))
    return list(client.get(f"{R}/history/decision-instance?sortBy=evaluationTime"
                           "&sortOrder=asc", headers=ops).json)


def _decision_times(client, ops) -> dict[str, str | None]:
    rows = client.get(f"{R}/history/decision-instance", headers=ops).json
    return {r["id"]: r["removalTime"] for r in rows}


def test_decision_removal_times(client, designer, ops):
    rows = _evaluations(client, designer, ops)
    roots = [r["id"] for r in rows if r["rootDecisionInstanceId"] is None]
    assert len(rows) == 4 and len(roots) == 2
    flat = client.post(DI_URL, headers=ops, json={
        "absoluteRemovalTime": WHEN, "historicDecisionInstanceIds": roots[:1]})
    assert (flat.json["type"], flat.json["totalJobs"]) == ("decision-set-removal-time", 1)
    assert list(_decision_times(client, ops).values()).count(WHEN) == 1
    deep = client.post(DI_URL, headers=ops, json={
        "absoluteRemovalTime": WHEN, "historicDecisionInstanceIds": roots[:1],
        "hierarchical": True})
    assert deep.json["totalJobs"] == 2  # and the season it required
    calculated = client.post(DI_URL, headers=ops, json={
        "calculatedRemovalTime": True,
        "historicDecisionInstanceQuery": {"decisionDefinitionKey": "dmn_drd_dish"}})
    assert calculated.status_code == 200 and calculated.json["totalJobs"] == 2
    times = _decision_times(client, ops)
    assert sorted(times[i] for i in roots) == ["2026-12-01T01:00:00.000+0000",
                                               "2026-12-01T02:00:00.000+0000"]
    season = [r["id"] for r in rows if r["rootDecisionInstanceId"] is not None]
    assert [times[i] for i in season].count(WHEN) == 1  # untouched by the dish query
    client.post(DI_URL, headers=ops, json={"calculatedRemovalTime": True,
                                          "historicDecisionInstanceIds": season})
    assert [_decision_times(client, ops)[i] for i in season] == [None, None]  # no TTL


@pytest.mark.parametrize(("body", "word"), [
    ({"historicDecisionInstanceIds": ["x"]}, "absoluteRemovalTime"),
    ({"clearedRemovalTime": True}, "historicDecisionInstanceIds"),
    ({"clearedRemovalTime": True, "historicDecisionInstanceQuery": {"colour": 1}}, "colour"),
    ({"clearedRemovalTime": True, "historicDecisionInstanceIds": ["x"], "chunkSize": 5},
     "chunkSize"),
    ({"clearedRemovalTime": True, "historicDecisionInstanceIds": ["x"],
      "hierarchical": "deep"}, "hierarchical")])
def test_bad_decision_requests_are_400(client, ops, body, word):
    answer = client.post(DI_URL, headers=ops, json=body)
    assert answer.status_code == 400 and word in answer.json["message"], answer.json


def test_decision_removal_times_are_for_ops(client, designer, ops, user):
    rows = _evaluations(client, designer, ops)
    reviewer = user("wang", "province:11:reviewer")
    answer = client.post(DI_URL, headers=reviewer, json={
        "clearedRemovalTime": True, "historicDecisionInstanceIds": [rows[0]["id"]]})
    assert answer.status_code == 403


def test_no_historic_batch_takes_a_removal_time(client, ops, user):
    query = client.post(BATCH_URL, headers=ops, json={
        "absoluteRemovalTime": WHEN, "historicBatchQuery": {"type": "instance-deletion"}})
    assert query.status_code == 400 and "historicBatchIds is empty" in query.json["message"]
    named = client.post(BATCH_URL, headers=ops, json={
        "clearedRemovalTime": True, "historicBatchIds": ["b-1"]})
    assert named.status_code == 404 and "b-1" in named.json["message"]
    for body, word in (({"historicBatchIds": ["b-1"]}, "absoluteRemovalTime"),
                       ({"clearedRemovalTime": True, "historicBatchQuery": {"x": 1}}, "x"),
                       ({"clearedRemovalTime": True}, "historicBatchIds")):
        answer = client.post(BATCH_URL, headers=ops, json=body)
        assert answer.status_code == 400 and word in answer.json["message"], answer.json
    reviewer = user("wang", "province:11:reviewer")
    assert client.post(BATCH_URL, headers=reviewer, json={
        "clearedRemovalTime": True, "historicBatchIds": ["b-1"]}).status_code == 403
