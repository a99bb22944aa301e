"""Camunda /task data: comments, attachments, local and task variables, forms."""

from __future__ import annotations

import io

import pytest

from api import create_app
from engine import Settings, files
from engine.models import FileAttachment
from engine.service import SYSTEM_ACTOR, show_instance
from tests.factories import NOW, deploy_fixture, open_tasks, start

R = "/engine-rest"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def app(uow_factory, tmp_path):
    settings = Settings(secret_key="test-secret", file_dir=tmp_path / "files")
    return create_app(settings, uow_factory=uow_factory, testing=True)


@pytest.fixture
def review(uow_factory, user):
    deploy_fixture(uow_factory, "review.bpmn")
    instance = start(uow_factory, "simple_review", province_code="11", review_due="")
    [task] = open_tasks(uow_factory, instance.id)
    return {"task": task.id, "instance": instance.id,
            "wang": user("wang", "province:11:reviewer"),
            "zhou": user("zhou", "province:11:reviewer"),
            "li": user("li", "province:12:reviewer")}


def _complete(client, review):
    body = {"variables": {"approved": {"value": True, "type": "Boolean"},
                          "score": {"value": 80, "type": "Integer"}}}
    response = client.post(f"{R}/task/{review['task']}/complete", json=body,
                           headers=review["wang"])
    assert response.status_code == 204, response.json


def test_comments_are_written_read_changed_and_kept_after_the_task(client, review, user):
    task, wang, zhou = review["task"], review["wang"], review["zhou"]
    made = client.post(f"{R}/task/{task}/comment/create", headers=wang,
                       json={"message": "材料齐全"})
    assert made.status_code == 200, made.json
    comment = made.json
    assert (comment["userId"], comment["taskId"], comment["message"]) == (
        "wang", task, "材料齐全")
    assert comment["processInstanceId"] == review["instance"] and comment["time"]
    assert comment["links"][0]["href"].endswith(f"/task/{task}/comment/{comment['id']}")
    second = client.post(f"{R}/task/{task}/comment/create", headers=zhou,
                         json={"message": "同意"}).json
    assert [c["message"] for c in client.get(f"{R}/task/{task}/comment",
                                             headers=zhou).json] == ["材料齐全", "同意"]
    assert client.put(f"{R}/task/{task}/comment", headers=zhou,
                      json={"id": comment["id"], "message": "改"}).status_code == 403
    assert client.put(f"{R}/task/{task}/comment", headers=wang,
                      json={"id": comment["id"], "message": "材料齐全，已核对"}
                      ).status_code == 204
    one = client.get(f"{R}/task/{task}/comment/{comment['id']}", headers=zhou).json
    assert one["message"] == "材料齐全，已核对"
    assert client.get(f"{R}/task/{task}/comment", headers=review["li"]).status_code == 404
    empty = client.post(f"{R}/task/{task}/comment/create", headers=wang, json={"message": ""})
    assert empty.status_code == 400 and "message" in empty.json["message"]
    assert client.delete(f"{R}/task/{task}/comment/{second['id']}",
                         headers=wang).status_code == 403
    assert client.delete(f"{R}/task/{task}/comment/{second['id']}",
                         headers=zhou).status_code == 204
    _complete(client, review)
    kept = client.get(f"{R}/task/{task}/comment", headers=wang).json
    assert [c["id"] for c in kept] == [comment["id"]]
    assert client.get(f"{R}/task/{task}/comment", headers=review["li"]).status_code == 404
    admin = user("root", "admin")
    assert client.delete(f"{R}/task/{task}/comment", headers=wang).status_code == 403
    assert client.delete(f"{R}/task/{task}/comment", headers=admin).status_code == 204
    assert client.get(f"{R}/task/{task}/comment", headers=admin).json == []
    missing = client.get(f"{R}/task/{task}/comment/nope", headers=admin)
    assert missing.status_code == 404


def test_attachments_are_the_files_the_task_attached(client, app, uow_factory, review):
    settings = app.extensions["vocflow"]["settings"]
    reviewer = SYSTEM_ACTOR
    with uow_factory() as uow:
        ref = files.upload_file(uow, settings, "province:11", "意见.pdf", PDF, reviewer, NOW)
        uow.product.attach([FileAttachment(file_id=ref.file_id, instance_id=review["instance"],
                                           task_id=review["task"], attached_by="wang",
                                           attached_at=NOW)])
    task, wang = review["task"], review["wang"]
    _complete(client, review)
    [listed] = client.get(f"{R}/task/{task}/attachment", headers=wang).json
    assert (listed["id"], listed["name"], listed["taskId"], listed["type"]) == (
        ref.file_id, "意见.pdf", task, "application/pdf")
    assert listed["createTime"] == "2026-11-28T04:00:00.000+0000"  # attached_at=NOW
    one = client.get(f"{R}/task/{task}/attachment/{ref.file_id}", headers=wang)
    assert one.status_code == 200 and one.json["name"] == "意见.pdf"
    data = client.get(f"{R}/task/{task}/attachment/{ref.file_id}/data", headers=wang)
    assert data.status_code == 200 and data.data == PDF
    for url in (f"{R}/task/{task}/attachment", f"{R}/task/{task}/attachment/{ref.file_id}"):
        assert client.get(url, headers=review["li"]).status_code == 404
    assert client.get(f"{R}/task/{task}/attachment/other", headers=wang).status_code == 404
    assert client.get(f"{R}/task/no-such-task/attachment", headers=wang).status_code == 404


def test_local_variables_stay_with_the_task(client, uow_factory, review):
    task, wang = review["task"], review["wang"]
    put = client.put(f"{R}/task/{task}/localVariables/note",
                     json={"value": "先看附件", "type": "String"}, headers=wang)
    assert put.status_code == 204, put.json
    modify = client.post(f"{R}/task/{task}/localVariables", headers=wang, json={
        "modifications": {"checked": {"value": 2, "type": "Integer"},
                          "remind": {"value": "2026-12-01T08:00:00.000+0800",
                                     "type": "Date"}}, "deletions": []})
    assert modify.status_code == 204
    local = client.get(f"{R}/task/{task}/localVariables", headers=wang).json
    assert local == {"note": {"type": "String", "value": "先看附件", "valueInfo": {}},
                     "checked": {"type": "Integer", "value": 2, "valueInfo": {}},
                     "remind": {"type": "Date", "value": "2026-12-01T08:00:00.000+0800",
                                "valueInfo": {}}}
    assert client.get(f"{R}/task/{task}/localVariables/checked",
                      headers=wang).json["value"] == 2
    assert client.get(f"{R}/task/{task}/variables", headers=wang).json["note"][
        "value"] == "先看附件"
    assert client.delete(f"{R}/task/{task}/localVariables/checked",
                         headers=wang).status_code == 204
    missing = client.get(f"{R}/task/{task}/localVariables/checked", headers=wang)
    assert missing.status_code == 404 and "checked" in missing.json["message"]
    assert client.put(f"{R}/task/{task}/localVariables/x", json={"value": 1},
                      headers=review["li"]).status_code == 404
    bad = client.put(f"{R}/task/{task}/localVariables/x", json={"value": "a",
                                                                "type": "Integer"},
                     headers=wang)
    assert bad.status_code == 400 and "'x'" in bad.json["message"]
    _complete(client, review)
    with uow_factory() as uow:
        variables = show_instance(uow, review["instance"], SYSTEM_ACTOR).variables
    assert "note" not in variables and variables["score"] == 80


def test_task_variables_reach_the_process_when_the_task_completes(client, uow_factory,
                                                                  review, ops):
    task, wang = review["task"], review["wang"]
    assert client.put(f"{R}/task/{task}/variables/remark", headers=wang,
                      json={"value": "ok", "type": "String"}).status_code == 204
    assert client.post(f"{R}/task/{task}/variables", headers=wang, json={
        "modifications": {"checked_by": {"value": "wang"}}, "deletions": ["remark"]}
    ).status_code == 204
    assert client.get(f"{R}/task/{task}/variables/remark", headers=wang).status_code == 404
    assert client.get(f"{R}/task/{task}/variables/checked_by",
                      headers=wang).json["value"] == "wang"
    moved = client.put(f"{R}/task/{task}/variables/province_code", headers=wang,
                       json={"value": "12", "type": "String"})
    assert moved.status_code == 403 and "province_code" in moved.json["message"]
    assert client.put(f"{R}/task/{task}/variables/x", headers=review["zhou"],
                      json={"value": 1}).status_code == 204  # offered to zhou too
    client.post(f"{R}/task/{task}/claim", json={}, headers=wang)
    assert client.put(f"{R}/task/{task}/variables/x", headers=review["zhou"],
                      json={"value": 1}).status_code == 403
    assert client.delete(f"{R}/task/{task}/variables/x", headers=wang).status_code == 204
    _complete(client, review)
    with uow_factory() as uow:
        variables = show_instance(uow, review["instance"], SYSTEM_ACTOR).variables
    assert variables["checked_by"] == "wang" and "remark" not in variables
    assert "x" not in variables


@pytest.fixture
def form_task(uow_factory, user):
    deploy_fixture(uow_factory, "form_review.bpmn")
    instance = start(uow_factory, "form_review", province_code="11", initiator="designer1")
    [task] = open_tasks(uow_factory, instance.id)
    return task.id, user("wang", "province:11:reviewer")


def test_form_rendered_form_and_submit_form(client, form_task):
    task, wang = form_task
    assert client.get(f"{R}/task/{task}/form", headers=wang).json == {
        "key": "review_decision", "contextPath": None, "camundaFormRef": None}
    html = client.get(f"{R}/task/{task}/rendered-form", headers=wang)
    assert html.status_code == 200 and html.mimetype == "application/xhtml+xml"
    text = html.get_data(as_text=True)
    assert 'cam-variable-name="decision"' in text and "评审结论" in text
    assert '<option value="return">退回修改</option>' in text
    assert 'type="number"' in text and "required" in text
    refused = client.put(f"{R}/task/{task}/variables/decision", headers=wang,
                         json={"value": "approve"})
    assert refused.status_code == 400 and "submit-form" in refused.json["message"]
    bad = client.post(f"{R}/task/{task}/submit-form", headers=wang, json={
        "variables": {"decision": {"value": "maybe"}, "score": {"value": 120}}})
    assert bad.status_code == 400
    assert "评审结论 (decision)" in bad.json["message"] and "评分 (score)" in bad.json[
        "message"]
    good = client.post(f"{R}/task/{task}/submit-form", headers=wang, json={
        "variables": {"decision": {"value": "approve"}, "score": {"value": 90}},
        "withVariablesInReturn": True})
    assert good.status_code == 200, good.json
    assert good.json["decision"]["value"] == "approve"
    assert client.get(f"{R}/task/{task}/form", headers=wang).status_code == 404


def test_a_task_without_a_registered_form_has_no_rendered_form(client, review):
    response = client.get(f"{R}/task/{review['task']}/rendered-form", headers=review["wang"])
    assert response.status_code == 404 and "rendered form" in response.json["message"]
    assert client.get(f"{R}/task/{review['task']}/form", headers=review["wang"]).json[
        "key"] == "simple_review"
    assert client.get(f"{R}/task/{review['task']}/form",
                      headers=review["li"]).status_code == 404


def test_attachments_created_and_removed_through_the_api(client, review):
    task, wang, zhou = review["task"], review["wang"], review["zhou"]
    client.post(f"{R}/task/{task}/claim", json={}, headers=wang)

    def upload(headers, **form):
        data = {"attachment-name": "补充.pdf", "content": (io.BytesIO(PDF), "x.pdf"), **form}
        return client.post(f"{R}/task/{task}/attachment/create", data=data, headers=headers,
                           content_type="multipart/form-data")

    assert upload(zhou).status_code == 403  # wang holds the task
    assert upload(review["li"]).status_code == 404
    link = upload(wang, url="http://example.org/x")
    assert link.status_code == 400 and "url" in link.json["message"]
    made = upload(wang)
    assert made.status_code == 200, made.json
    assert (made.json["name"], made.json["type"]) == ("补充.pdf", "application/pdf")
    file_id = made.json["id"]
    assert upload(wang).status_code == 400  # the same file twice
    data = client.get(f"{R}/task/{task}/attachment/{file_id}/data", headers=zhou)
    assert data.data == PDF
    assert client.delete(f"{R}/task/{task}/attachment/{file_id}",
                         headers=zhou).status_code == 403
    assert client.delete(f"{R}/task/{task}/attachment/{file_id}",
                         headers=wang).status_code == 204
    assert client.get(f"{R}/task/{task}/attachment", headers=wang).json == []
