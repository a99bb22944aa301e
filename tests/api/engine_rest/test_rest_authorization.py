"""Camunda /authorization: a read-only view of our roles; checks answer for the caller."""

from __future__ import annotations

from tests.factories import deploy_fixture, start

R = "/engine-rest"


def test_grants_are_listed_per_caller_and_cannot_change(client, user):
    admin = user("root", "admin")
    wang = user("wang", "province:11:reviewer")
    designer = user("designer1", "designer")
    mine = client.get(f"{R}/authorization", headers=wang).json
    assert {g["userId"] for g in mine} == {"*"} and all(g["type"] == 0 for g in mine)
    assert "Deployment" not in {g["id"].split(":")[-1] for g in mine if g["groupId"]}
    theirs = client.get(f"{R}/authorization?groupIdIn=designer", headers=designer).json
    assert {(g["resourceType"], tuple(g["permissions"])) for g in theirs} == {
        (9, ("CREATE", "DELETE")), (6, ("DELETE",))}
    assert client.get(f"{R}/authorization?groupIdIn=designer", headers=wang).json == []
    every = client.get(f"{R}/authorization/count", headers=admin).json["count"]
    assert every > len(mine)
    one = client.get(f"{R}/authorization/{theirs[0]['id']}", headers=designer).json
    assert one["id"] == theirs[0]["id"] and one["resourceId"] == "*"
    assert client.get(f"{R}/authorization/{theirs[0]['id']}", headers=wang).status_code == 404
    typed = client.get(f"{R}/authorization?resourceType=8&sortBy=resourceId&sortOrder=asc",
                       headers=admin).json
    assert typed and {g["resourceType"] for g in typed} == {8}
    assert client.get(f"{R}/authorization?type=x", headers=admin).status_code == 400
    refused = client.post(f"{R}/authorization/create", headers=admin, json={})
    assert refused.status_code == 400 and "group" in refused.json["message"]
    assert client.post(f"{R}/authorization/create", headers=wang, json={}).status_code == 403
    assert client.put(f"{R}/authorization/{one['id']}", headers=admin,
                      json={}).status_code == 400
    assert client.delete(f"{R}/authorization/nope", headers=admin).status_code == 404


def test_check_answers_roles_and_scope(client, user, uow_factory):
    wang = user("wang", "province:11:reviewer")
    designer = user("designer1", "designer")
    deploy_fixture(uow_factory, "review.bpmn")
    ours = start(uow_factory, "simple_review", province_code="11", review_due="")
    other = start(uow_factory, "simple_review", province_code="12", review_due="")

    def check(headers, permission, kind, resource_id=None):
        url = (f"{R}/authorization/check?permissionName={permission}&resourceName=x"
               f"&resourceType={kind}")
        response = client.get(url + (f"&resourceId={resource_id}" if resource_id else ""),
                              headers=headers)
        assert response.status_code == 200, response.json
        return response.json["authorized"]

    assert check(designer, "CREATE", 9) is True
    assert check(wang, "CREATE", 9) is False
    assert check(wang, "READ", 6) is True
    assert check(wang, "READ", 8, ours.id) is True
    assert check(wang, "READ", 8, other.id) is False
    assert check(wang, "UPDATE", 8, ours.id) is False
    answer = client.get(f"{R}/authorization/check?permissionName=READ&resourceName="
                        f"ProcessInstance&resourceType=8&resourceId={ours.id}",
                        headers=wang).json
    assert answer == {"permissionName": "READ", "resourceName": "ProcessInstance",
                      "resourceId": ours.id, "authorized": True}
    for query in ("permissionName=READ", "permissionName=READ&resourceName=x&resourceType=99",
                  "permissionName=READ&resourceName=x&resourceType=8&userId=li",
                  "permissionName=READ&resourceName=x&resourceType=8&colour=red"):
        assert client.get(f"{R}/authorization/check?{query}",
                          headers=wang).status_code == 400, query
