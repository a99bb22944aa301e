"""Camunda /task people and fields: delegate/resolve, PUT, identity links, candidate counts,
BPMN errors and escalations from a user task, and who may do each (scope and authz)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import deploy_files, deploy_fixture, open_tasks, start

R = "/engine-rest"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def review(uow_factory, user):
    """One simple_review task offered to province 11's reviewers; wang (11), li (12)."""
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    [task] = open_tasks(uow_factory, instance.id)
    return {"task": task.id, "instance": instance.id,
            "wang": user("wang", "province:11:reviewer"),
            "zhou": user("zhou", "province:11:reviewer"),
            "li": user("li", "province:12:reviewer")}


def test_delegate_then_resolve_returns_the_task_to_its_owner(client, review):
    task, wang, zhou = review["task"], review["wang"], review["zhou"]
    assert client.post(f"{R}/task/{task}/claim", json={"userId": "wang"},
                       headers=wang).status_code == 204
    assert client.post(f"{R}/task/{task}/delegate", json={"userId": "zhou"},
                       headers=wang).status_code == 204
    dto = client.get(f"{R}/task/{task}", headers=zhou).json
    assert (dto["assignee"], dto["owner"], dto["delegationState"]) == ("zhou", "wang",
                                                                        "PENDING")
    assert dto["lastUpdated"] is not None
    pending = client.get(f"{R}/task?delegationState=PENDING&owner=wang", headers=zhou).json
    assert [t["id"] for t in pending] == [task]
    refused = client.post(f"{R}/task/{task}/complete", json={}, headers=zhou)
    assert refused.status_code == 400 and "resolve" in refused.json["message"]
    assert client.post(f"{R}/task/{task}/resolve", headers=wang, json={}).status_code == 403
    resolved = client.post(f"{R}/task/{task}/resolve", headers=zhou, json={
        "variables": {"approved": {"value": True, "type": "Boolean"}}})
    assert resolved.status_code == 204, resolved.json
    dto = client.get(f"{R}/task/{task}", headers=wang).json
    assert (dto["assignee"], dto["owner"], dto["delegationState"]) == ("wang", "wang",
                                                                        "RESOLVED")
    variables = client.get(f"{R}/task/{task}/variables/approved", headers=wang).json
    assert variables == {"type": "Boolean", "value": True, "valueInfo": {}}
    again = client.post(f"{R}/task/{task}/resolve", headers=wang, json={})
    assert again.status_code == 400 and "not delegated" in again.json["message"]


def test_who_may_delegate_comment_or_resolve(client, review):
    task, zhou, li = review["task"], review["zhou"], review["li"]
    client.post(f"{R}/task/{task}/claim", json={"userId": "wang"}, headers=review["wang"])
    # another province: the task does not exist for li
    for url, body in ((f"{R}/task/{task}/delegate", {"userId": "li"}),
                      (f"{R}/task/{task}/comment/create", {"message": "看过了"}),
                      (f"{R}/task/{task}/resolve", {})):
        assert client.post(url, json=body, headers=li).status_code == 404, url
    assert client.get(f"{R}/task/{task}/identity-links", headers=li).status_code == 404
    # same province, but wang holds it: zhou may see it, not work it
    for url, body in ((f"{R}/task/{task}/delegate", {"userId": "zhou"}),
                      (f"{R}/task/{task}/comment/create", {"message": "看过了"}),
                      (f"{R}/task/{task}/bpmnError", {"errorCode": "MISSING"})):
        response = client.post(url, json=body, headers=zhou)
        assert response.status_code == 403, (url, response.json)
        assert response.json["type"] == "AuthorizationException"
    missing = client.post(f"{R}/task/{task}/delegate", json={"userId": "nobody"},
                          headers=review["wang"])
    assert missing.status_code == 404 and "nobody" in missing.json["message"]


def test_put_replaces_the_fields_and_only_ops_may(client, review, ops):
    task = review["task"]
    body = {"name": "复核", "description": "请在周五前完成", "priority": 80,
            "assignee": "zhou", "owner": "wang", "due": "2026-12-15T23:59:00.000+0800",
            "followUp": None, "delegationState": None}
    refused = client.put(f"{R}/task/{task}", json=body, headers=review["wang"])
    assert refused.status_code == 403
    assert client.put(f"{R}/task/{task}", json=body, headers=ops).status_code == 204
    dto = client.get(f"{R}/task/{task}", headers=ops).json
    assert (dto["name"], dto["description"], dto["priority"], dto["assignee"],
            dto["owner"]) == ("复核", "请在周五前完成", 80, "zhou", "wang")
    assert dto["due"] == "2026-12-15T15:59:00.000+0000"
    found = client.get(f"{R}/task?descriptionLike=%25周五%25", headers=ops).json
    assert [t["id"] for t in found] == [task]
    bad = client.put(f"{R}/task/{task}", json={**body, "tenantId": "t1"}, headers=ops)
    assert bad.status_code == 400 and "tenantId" in bad.json["message"]
    bad = client.put(f"{R}/task/{task}", json={**body, "colour": "red"}, headers=ops)
    assert bad.status_code == 400 and "colour" in bad.json["message"]
    bad = client.put(f"{R}/task/{task}", json={**body, "due": "friday"}, headers=ops)
    assert bad.status_code == 400 and "due" in bad.json["message"]


def test_identity_links_list_add_and_delete(client, review, ops, user):
    task, wang = review["task"], review["wang"]
    links = client.get(f"{R}/task/{task}/identity-links", headers=wang).json
    assert links == [{"userId": None, "groupId": "province:11:reviewer", "type": "candidate"}]
    helper = user("sun", "province:13:reviewer")
    assert client.get(f"{R}/task/{task}", headers=helper).status_code == 404
    add = {"groupId": "province:13:reviewer", "type": "candidate"}
    assert client.post(f"{R}/task/{task}/identity-links", json=add,
                       headers=wang).status_code == 403
    assert client.post(f"{R}/task/{task}/identity-links", json=add,
                       headers=ops).status_code == 204
    assert client.get(f"{R}/task/{task}", headers=helper).status_code == 200
    assert client.post(f"{R}/task/{task}/identity-links", headers=ops,
                       json={"userId": "wang", "type": "assignee"}).status_code == 204
    by_type = client.get(f"{R}/task/{task}/identity-links?type=assignee", headers=wang).json
    assert by_type == [{"userId": "wang", "groupId": None, "type": "assignee"}]
    assert client.post(f"{R}/task/{task}/identity-links/delete", json=add,
                       headers=ops).status_code == 204
    assert client.get(f"{R}/task/{task}", headers=helper).status_code == 404
    odd = client.post(f"{R}/task/{task}/identity-links", headers=ops,
                      json={"userId": "wang", "type": "watcher"})
    assert odd.status_code == 400 and "watcher" in odd.json["message"]
    both = client.post(f"{R}/task/{task}/identity-links", headers=ops,
                       json={"userId": "wang", "groupId": "ops", "type": "candidate"})
    assert both.status_code == 400
    unknown = client.get(f"{R}/task/{task}/identity-links?kind=x", headers=wang)
    assert unknown.status_code == 400 and "kind" in unknown.json["message"]


def test_candidate_group_count_counts_unassigned_tasks_in_scope(client, uow_factory,
                                                                review, ops):
    start(uow_factory, "simple_review", province_code="12", review_due="")
    report = client.get(f"{R}/task/report/candidate-group-count", headers=ops).json
    assert report == [{"groupName": "province:11:reviewer", "taskCount": 1},
                      {"groupName": "province:12:reviewer", "taskCount": 1}]
    mine = client.get(f"{R}/task/report/candidate-group-count", headers=review["li"]).json
    assert mine == [{"groupName": "province:12:reviewer", "taskCount": 1}]
    client.post(f"{R}/task/{review['task']}/claim", json={}, headers=review["wang"])
    assert client.get(f"{R}/task/report/candidate-group-count",
                      headers=review["wang"]).json == []


def test_delete_answers_that_process_tasks_cannot_be_deleted(client, review):
    response = client.delete(f"{R}/task/{review['task']}", headers=review["wang"])
    assert response.status_code == 400 and "standalone" in response.json["message"]
    assert client.delete(f"{R}/task/{review['task']}", headers=review["li"]).status_code == 404


@pytest.fixture
def events(uow_factory, user):
    deploy_files(uow_factory, FIXTURES / "task_events.bpmn")
    instance = start(uow_factory, "task_events", province_code="11")
    [task] = open_tasks(uow_factory, instance.id)
    return {"task": task.id, "instance": instance.id,
            "wang": user("wang", "province:11:reviewer")}


def _elements(uow_factory, instance_id):
    return sorted(t.element_id for t in open_tasks(uow_factory, instance_id))


def test_bpmn_error_from_a_user_task_reaches_its_boundary(client, uow_factory, events):
    task, wang = events["task"], events["wang"]
    response = client.post(f"{R}/task/{task}/bpmnError", headers=wang, json={
        "errorCode": "MISSING", "errorMessage": "缺少盖章页",
        "variables": {"missing": {"value": "盖章页", "type": "String"}}})
    assert response.status_code == 204, response.json
    assert _elements(uow_factory, events["instance"]) == ["Task_Fix"]
    [fix] = open_tasks(uow_factory, events["instance"])
    variables = client.get(f"{R}/task/{fix.id}/variables", headers=wang).json
    assert variables["errorCode"]["value"] == "MISSING"
    assert variables["missing"]["value"] == "盖章页"
    uncaught = client.post(f"{R}/task/{fix.id}/bpmnError", headers=wang,
                           json={"errorCode": "OTHER"})
    assert uncaught.status_code == 400 and "OTHER" in uncaught.json["message"]
    assert _elements(uow_factory, events["instance"]) == ["Task_Fix"]
    no_code = client.post(f"{R}/task/{fix.id}/bpmnError", headers=wang, json={})
    assert no_code.status_code == 400 and "errorCode" in no_code.json["message"]


def test_bpmn_escalation_keeps_the_task_and_starts_the_boundary_path(client, uow_factory,
                                                                     events):
    task, wang = events["task"], events["wang"]
    response = client.post(f"{R}/task/{task}/bpmnEscalation", headers=wang,
                           json={"escalationCode": "LATE"})
    assert response.status_code == 204, response.json
    assert _elements(uow_factory, events["instance"]) == ["Task_Notice", "Task_Work"]
    wrong = client.post(f"{R}/task/{task}/bpmnEscalation", headers=wang,
                        json={"escalationCode": "EARLY"})
    assert wrong.status_code == 400 and "EARLY" in wrong.json["message"]
