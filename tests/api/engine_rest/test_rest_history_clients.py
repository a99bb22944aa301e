"""Real clients against a real HTTP server: pycamunda drives a review and a DMN evaluation;
the activity and decision history it leaves are read over HTTP (pycamunda 0.6 has no
/history calls) and match what pycamunda's own runtime calls showed."""

from __future__ import annotations

import pycamunda.decisiondef
import pycamunda.deployment
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
import requests

from tests.factories import FIXTURES

pytestmark = pytest.mark.committed_db


def _as(request, username):
    request.auth = requests.auth.HTTPBasicAuth(username, "s3cret-pass")
    return request


def _get(url, username, **params):
    answer = requests.get(url, params=params, auth=(username, "s3cret-pass"), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_history_of_a_review_driven_by_pycamunda(server_url, user):
    user("designer1", "designer", "ops")
    user("wang", "province:11:reviewer")
    user("li", "province:44:reviewer")
    create = _as(pycamunda.deployment.Create(server_url, name="review"), "designer1")
    with open(FIXTURES / "review.bpmn", "rb") as bpmn_file:
        create.add_resource(bpmn_file)
        create()
    start = _as(pycamunda.processdef.StartInstance(server_url, key="simple_review"),
                "designer1")
    start.add_variable("province_code", "11", type_="String")
    start.add_variable("review_due", "", type_="String")
    instance = start()
    tree = _as(pycamunda.processinst.GetActivityInstance(server_url, instance.id_),
               "wang")()
    [waiting] = tree.child_activity_instances
    open_runs = _get(f"{server_url}/history/activity-instance", "wang",
                     processInstanceId=instance.id_, unfinished="true")
    assert [r["id"] for r in open_runs] == [waiting.id_]
    [task] = _as(pycamunda.task.GetList(server_url, process_instance_id=instance.id_),
                 "wang")()
    _as(pycamunda.task.Claim(server_url, task.id_, user_id="wang"), "wang")()
    complete = _as(pycamunda.task.Complete(server_url, task.id_), "wang")
    complete.add_variable("approved", False, type_="Boolean")
    complete.add_variable("score", 10, type_="Integer")
    complete()
    runs = _get(f"{server_url}/history/activity-instance", "wang",
                processInstanceId=instance.id_, sortBy="occurrence", sortOrder="asc")
    assert [r["activityId"] for r in runs] == [
        "StartEvent_1", "Task_Review", "Gateway_Decision", "Script_Rejected", "End_Rejected"]
    assert all(r["endTime"] is not None for r in runs)
    assert runs[1]["id"] == waiting.id_ and runs[1]["assignee"] == "wang"
    assert runs[1]["taskId"] == task.id_
    assert _get(f"{server_url}/history/activity-instance/count", "li") == {"count": 0}
    answer = requests.get(f"{server_url}/history/activity-instance", timeout=10,
                          params={"activityIdIn": "Task_Review"},
                          auth=("wang", "s3cret-pass"))
    assert answer.status_code == 400 and "activityIdIn" in answer.json()["message"]


def test_decision_history_of_a_pycamunda_evaluation(server_url, user):
    user("designer1", "designer", "ops")
    create = _as(pycamunda.deployment.Create(server_url, name="dmn"), "designer1")
    with open(FIXTURES / "dmn_collect_aggregate.dmn", "rb") as dmn:
        create.add_resource(dmn)
        create()
    evaluate = _as(pycamunda.decisiondef.Evaluate(server_url, key="dmn_collect_sum"),
                   "designer1")
    evaluate.add_variable("size", 7, type_="Integer")
    [result] = evaluate()
    assert result["fee"].value == 30
    [row] = _get(f"{server_url}/history/decision-instance", "designer1",
                 decisionDefinitionKey="dmn_collect_sum", includeInputs="true",
                 includeOutputs="true")
    assert row["collectResultValue"] == 30 and row["userId"] == "designer1"
    assert [i["value"] for i in row["inputs"]] == [7]
    assert [(o["ruleOrder"], o["value"]) for o in row["outputs"]] == [(1, 10), (2, 20)]
    definition = _as(pycamunda.decisiondef.Get(server_url, key="dmn_collect_sum"),
                     "designer1")()
    assert row["decisionDefinitionId"] == definition.id_
