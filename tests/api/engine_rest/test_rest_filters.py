"""Camunda /filter: saved task queries, a user's own, validated on save, run in scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import NOW, deploy_fixture, open_tasks, start

R = "/engine-rest"


@pytest.fixture
def tasks(uow_factory, user):
    """Two tasks of province 11 (one claimed by wang), one of province 12."""
    deploy_fixture(uow_factory, "review.bpmn")
    ids = {}
    for minute, (key, province) in enumerate((("A-1", "11"), ("A-2", "11"), ("B-1", "12"))):
        instance = start(uow_factory, "simple_review", NOW + timedelta(minutes=minute),
                         business_key=key, province_code=province, review_due="")
        ids[key] = open_tasks(uow_factory, instance.id)[0].id
    return {"ids": ids, "wang": user("wang", "province:11:reviewer"),
            "li": user("li", "province:12:reviewer")}


def _create(client, headers, query, name="待办", **extra):
    return client.post(f"{R}/filter/create", headers=headers, json={
        "resourceType": "Task", "name": name, "query": query,
        "properties": {"color": "#555555", "priority": 1}, **extra})


def test_a_saved_filter_lists_counts_and_extends_its_query(client, tasks):
    wang, ids = tasks["wang"], tasks["ids"]
    client.post(f"{R}/task/{ids['A-1']}/claim", json={}, headers=wang)
    made = _create(client, wang, {"processInstanceBusinessKeyLike": "%-%",
                                  "sorting": [{"sortBy": "created", "sortOrder": "asc"}]})
    assert made.status_code == 200, made.json
    dto = made.json
    assert (dto["owner"], dto["resourceType"], dto["name"]) == ("wang", "Task", "待办")
    assert dto["properties"] == {"color": "#555555", "priority": 1}
    url = f"{R}/filter/{dto['id']}"
    listed = client.get(f"{url}/list", headers=wang).json
    assert [t["id"] for t in listed] == [ids["A-1"], ids["A-2"]]  # scope: not B-1
    assert client.get(f"{url}/count", headers=wang).json == {"count": 2}
    assert [t["id"] for t in client.get(f"{url}/list?firstResult=1&maxResults=5",
                                        headers=wang).json] == [ids["A-2"]]
    extended = client.post(f"{url}/list", headers=wang, json={"unassigned": True}).json
    assert [t["id"] for t in extended] == [ids["A-2"]]
    assert client.post(f"{url}/count", headers=wang,
                       json={"assignee": "wang"}).json == {"count": 1}
    single = client.post(f"{url}/singleResult", headers=wang, json={"assignee": "wang"})
    assert single.status_code == 200 and single.json["id"] == ids["A-1"]
    assert client.get(f"{url}/singleResult", headers=wang).status_code == 400
    none = client.post(f"{url}/singleResult", headers=wang, json={"assignee": "zhou"})
    assert none.status_code == 204
    counted = client.get(f"{url}?itemCount=true", headers=wang).json
    assert counted["itemCount"] == 2
    [listed_filter] = client.get(f"{R}/filter?itemCount=true&owner=wang", headers=wang).json
    assert listed_filter["itemCount"] == 2
    bad = client.post(f"{url}/list", headers=wang, json={"superProcessInstance": "x"})
    assert bad.status_code == 400 and "superProcessInstance" in bad.json["message"]


def test_current_user_expressions_of_tasklist_filters(client, tasks):
    wang, ids = tasks["wang"], tasks["ids"]
    client.post(f"{R}/task/{ids['A-2']}/claim", json={}, headers=wang)
    mine = _create(client, wang, {"assigneeExpression": "${currentUser()}"}).json
    assert [t["id"] for t in client.get(f"{R}/filter/{mine['id']}/list",
                                        headers=wang).json] == [ids["A-2"]]
    groups = _create(client, tasks["li"],
                     {"candidateGroupsExpression": "${currentUserGroups()}"}).json
    assert [t["id"] for t in client.get(f"{R}/filter/{groups['id']}/list",
                                        headers=tasks["li"]).json] == [ids["B-1"]]
    other = _create(client, wang, {"assigneeExpression": "${someoneElse()}"})
    assert other.status_code == 400 and "assigneeExpression" in other.json["message"]


def test_unsupported_query_keys_are_refused_when_saved(client, tasks):
    wang = tasks["wang"]
    for query, name in (({"processVariables": [{"name": "x"}]}, "processVariables"),
                        ({"orQueries": [{}]}, "orQueries"),
                        ({"minPriority": "high"}, "minPriority"),
                        ({"sorting": [{"sortBy": "colour", "sortOrder": "asc"}]}, "colour")):
        response = _create(client, wang, query)
        assert response.status_code == 400 and name in response.json["message"], query
    wrong = client.post(f"{R}/filter/create", headers=wang,
                        json={"resourceType": "Case", "name": "x", "query": {}})
    assert wrong.status_code == 400 and "resourceType" in wrong.json["message"]
    field = client.post(f"{R}/filter/create", headers=wang,
                        json={"resourceType": "Task", "name": "x", "shared": True})
    assert field.status_code == 400 and "shared" in field.json["message"]
    assert client.get(f"{R}/filter/count", headers=wang).json == {"count": 0}


def test_a_user_sees_only_their_own_filters_admin_all(client, tasks, user):
    wang, li = tasks["wang"], tasks["li"]
    own = _create(client, wang, {}, name="王的").json
    _create(client, li, {}, name="李的")
    assert [f["name"] for f in client.get(f"{R}/filter", headers=wang).json] == ["王的"]
    assert client.get(f"{R}/filter/count", headers=li).json == {"count": 1}
    for method in ("get", "delete"):
        assert getattr(client, method)(f"{R}/filter/{own['id']}",
                                       headers=li).status_code == 404
    assert client.get(f"{R}/filter/{own['id']}/list", headers=li).status_code == 404
    assert client.put(f"{R}/filter/{own['id']}", headers=li,
                      json={"name": "抢", "query": {}}).status_code == 404
    forged = _create(client, li, {}, name="冒名", owner="wang")
    assert forged.status_code == 403
    admin = user("root", "admin")
    assert sorted(f["name"] for f in client.get(f"{R}/filter", headers=admin).json) == [
        "李的", "王的"]
    assert _create(client, admin, {}, name="给王", owner="wang").json["owner"] == "wang"
    assert client.put(f"{R}/filter/{own['id']}", headers=admin,
                      json={"name": "王的", "query": {}}).status_code == 204
    assert client.get(f"{R}/filter/{own['id']}", headers=wang).json["owner"] == "wang"
    assert client.put(f"{R}/filter/{own['id']}", headers=wang, json={
        "name": "王的待办", "query": {"assignee": "wang"}}).status_code == 204
    assert client.get(f"{R}/filter/{own['id']}", headers=wang).json["query"] == {
        "assignee": "wang"}
    bad = client.put(f"{R}/filter/{own['id']}", headers=wang,
                     json={"name": "x", "query": {"nope": 1}})
    assert bad.status_code == 400 and "nope" in bad.json["message"]
    assert client.delete(f"{R}/filter/{own['id']}", headers=wang).status_code == 204
    assert client.get(f"{R}/filter/{own['id']}", headers=wang).status_code == 404
    named = client.get(f"{R}/filter?nameLike=%25王%25", headers=admin).json
    assert [f["name"] for f in named] == ["给王"]
