"""Camunda /history/decision-instance: DMN evaluations of processes and of REST, kept."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import FIXTURES

R = "/engine-rest"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def _deploy(client, headers, *names):
    data = {"deployment-name": "decisions"}
    for name in names:
        data[name] = (io.BytesIO((FIXTURES / name).read_bytes()), name)
    response = client.post(f"{R}/deployment/create", data=data, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    return response.json


def _start(client, headers, key, **values):
    response = client.post(f"{R}/process-definition/key/{key}/start", headers=headers,
                           json={"variables": {k: {"value": v} for k, v in values.items()}})
    assert response.status_code == 200, response.json
    return response.json["id"]


def _evaluated(client, uow_factory, designer, ops):
    _deploy(client, designer, "dmn_drd.dmn", "dmn_drd.bpmn")
    with time_machine.travel(T0, tick=False) as traveller:
        instance_id = _start(client, ops, "dmn_drd_process", month=1, guests=4)
        traveller.shift(timedelta(hours=1))
        dish = client.get(f"{R}/decision-definition/key/dmn_drd_dish", headers=ops).json
        answer = client.post(f"{R}/decision-definition/{dish['id']}/evaluate", headers=ops,
                             json={"variables": {"month": {"value": 7},
                                                 "guests": {"value": 3}}})
        assert answer.status_code == 200, answer.json
    return instance_id, dish


def test_a_business_rule_task_and_a_rest_evaluation_are_kept(client, uow_factory, designer,
                                                             ops):
    instance_id, dish = _evaluated(client, uow_factory, designer, ops)
    rows = client.get(f"{R}/history/decision-instance?includeInputs=true&includeOutputs=true"
                      "&sortBy=evaluationTime&sortOrder=asc", headers=ops).json
    assert len(rows) == 4  # each evaluation of the dish needed the season first
    in_process = [r for r in rows if r["processInstanceId"] == instance_id]
    [root] = [r for r in in_process if r["rootDecisionInstanceId"] is None]
    [season] = [r for r in in_process if r["rootDecisionInstanceId"] == root["id"]]
    assert root["decisionDefinitionId"] == dish["id"]
    assert (root["decisionDefinitionKey"], root["decisionDefinitionName"]) == (
        "dmn_drd_dish", "菜")
    assert root["evaluationTime"] == "2026-11-30T01:00:00.000+0000"
    assert root["activityId"] == "Rule_Dish" and root["activityInstanceId"].startswith(
        "Rule_Dish:")
    assert root["processDefinitionKey"] == "dmn_drd_process"
    assert [(i["clauseName"], i["type"], i["value"]) for i in root["inputs"]] == [
        ("季节", "String", "winter"), ("人数", "Integer", 4)]
    [out] = root["outputs"]
    assert (out["ruleId"], out["ruleOrder"], out["variableName"], out["value"]) == (
        "Rule_Stew", 1, "dish", "stew")
    assert season["decisionDefinitionKey"] == "dmn_drd_season"
    assert season["outputs"][0]["value"] == "winter"
    alone = [r for r in rows if r["processInstanceId"] is None]
    assert {r["decisionDefinitionKey"] for r in alone} == {"dmn_drd_dish", "dmn_drd_season"}
    assert all(r["userId"] == "ops1" for r in alone)
    plain = client.get(f"{R}/history/decision-instance/{root['id']}", headers=ops).json
    assert plain["inputs"] is None and plain["outputs"] is None
    full = client.get(f"{R}/history/decision-instance/{root['id']}?includeOutputs=true",
                      headers=ops).json
    assert full["outputs"] == root["outputs"] and full["inputs"] is None
    # the runtime's activity history and the decision name the same activity instance
    [task] = client.get(f"{R}/history/activity-instance?activityId=Rule_Dish",
                        headers=ops).json
    assert task["id"] == root["activityInstanceId"] and task["activityType"] == (
        "businessRuleTask")


def test_filters_sorting_paging_and_count(client, uow_factory, designer, ops):
    instance_id, dish = _evaluated(client, uow_factory, designer, ops)
    for query, expected in (
            ("", 4), (f"processInstanceId={instance_id}", 2),
            ("decisionDefinitionKey=dmn_drd_season", 2),
            (f"decisionDefinitionId={dish['id']}", 2),
            ("decisionDefinitionKeyIn=dmn_drd_season,dmn_drd_dish", 4),
            ("decisionDefinitionNameLike=%25季%25", 2), ("rootDecisionInstancesOnly=true", 2),
            ("activityIdIn=Rule_Dish", 2), ("processDefinitionKey=dmn_drd_process", 2),
            ("userId=ops1", 4), ("evaluatedAfter=2026-11-30T01:30:00.000%2B0000", 2),
            ("evaluatedBefore=2026-11-30T01:30:00.000%2B0000", 2),
            ("caseInstanceId=c1", 0), ("withoutTenantId=true", 4), ("tenantIdIn=t", 0)):
        got = client.get(f"{R}/history/decision-instance/count?{query}", headers=ops).json
        assert got == {"count": expected}, query
        assert len(client.get(f"{R}/history/decision-instance?{query}",
                              headers=ops).json) == expected, query
    asc = client.get(f"{R}/history/decision-instance?sortBy=evaluationTime&sortOrder=asc",
                     headers=ops).json
    desc = client.get(f"{R}/history/decision-instance?sortBy=evaluationTime&sortOrder=desc",
                      headers=ops).json
    assert [r["evaluationTime"] for r in asc] == sorted(r["evaluationTime"] for r in asc)
    assert [r["evaluationTime"] for r in desc] == sorted(
        (r["evaluationTime"] for r in asc), reverse=True)
    page = client.get(f"{R}/history/decision-instance?sortBy=evaluationTime&sortOrder=asc"
                      "&firstResult=1&maxResults=2", headers=ops).json
    assert [r["id"] for r in page] == [r["id"] for r in asc[1:3]]
    [root] = [r for r in asc if r["processInstanceId"] == instance_id
              and r["rootDecisionInstanceId"] is None]
    assert client.get(f"{R}/history/decision-instance/count?rootDecisionInstanceId="
                      f"{root['id']}", headers=ops).json == {"count": 1}


def test_refusals_scope_and_deletion(client, uow_factory, designer, ops, user):
    instance_id, _dish = _evaluated(client, uow_factory, designer, ops)
    for url in ("/history/decision-instance?decisionRequirementsDefinitionId=x",
                "/history/decision-instance?sortBy=activityId&sortOrder=asc",
                "/history/decision-instance/count?evaluatedAfter=soon",
                "/history/decision-instance/nope?includeThings=true"):
        answer = client.get(f"{R}{url}", headers=ops)
        assert answer.status_code == 400, url
    assert client.get(f"{R}/history/decision-instance/nope", headers=ops).status_code == 404
    stranger = user("li", "province:44:reviewer")
    assert client.get(f"{R}/history/decision-instance/count", headers=stranger).json == {
        "count": 0}  # neither the instance nor the evaluations of others are theirs
    refused = client.post(f"{R}/history/decision-instance/delete", headers=stranger,
                          json={"historicDecisionInstanceQuery": {}})
    assert refused.status_code == 403
    gone = client.post(f"{R}/history/decision-instance/delete", headers=ops, json={
        "historicDecisionInstanceQuery": {"processInstanceId": instance_id,
                                          "rootDecisionInstancesOnly": True},
        "deleteReason": "test data"})
    assert gone.status_code == 200 and gone.json["type"] == "decision-instance-deletion"
    assert gone.json["totalJobs"] == 1
    assert client.get(f"{R}/history/decision-instance/count", headers=ops).json == {
        "count": 2}  # the root and the season it required went; the REST pair stays
    unknown = client.post(f"{R}/history/decision-instance/delete", headers=ops,
                          json={"historicDecisionInstanceIds": ["nope"]})
    assert unknown.status_code == 404
    empty = client.post(f"{R}/history/decision-instance/delete", headers=ops, json={})
    assert empty.status_code == 400
