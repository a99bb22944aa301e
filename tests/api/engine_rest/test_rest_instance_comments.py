"""/process-instance/{id}/comment: the comments on an instance's tasks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import deploy_files

HERE = Path(__file__).resolve().parent
R = "/engine-rest"


@pytest.fixture
def waiting(client, uow_factory, user) -> tuple[str, str, dict[str, str]]:
    """A js_flow instance at Task_After (the check done) and its staff member's headers."""
    deploy_files(uow_factory, HERE / "fixtures" / "js_flow.bpmn")
    staff = user("zhao", "ops", "staff", "worker")
    instance = client.post(f"{R}/process-definition/key/js_flow/start", json={},
                           headers=staff).json["id"]
    [task] = client.post(f"{R}/external-task/fetchAndLock", headers=staff, json={
        "workerId": "w", "maxTasks": 1,
        "topics": [{"topicName": "js-check", "lockDuration": 1000}]}).json
    assert client.post(f"{R}/external-task/{task['id']}/complete", headers=staff,
                       json={"workerId": "w"}).status_code == 204
    [human] = client.get(f"{R}/task?processInstanceId={instance}", headers=staff).json
    return instance, human["id"], staff


def test_list_update_and_delete_comments_of_an_instance(client, waiting, user):
    instance, task, staff = waiting
    first = client.post(f"{R}/task/{task}/comment/create", headers=staff,
                        json={"message": "材料齐全"}).json
    client.post(f"{R}/task/{task}/comment/create", headers=staff, json={"message": "已核对"})
    listed = client.get(f"{R}/process-instance/{instance}/comment", headers=staff).json
    assert [c["message"] for c in listed] == ["材料齐全", "已核对"]
    assert {c["processInstanceId"] for c in listed} == {instance}
    changed = client.put(f"{R}/process-instance/{instance}/comment", headers=staff,
                         json={"id": first["id"], "message": "材料齐全（已复核）"})
    assert changed.status_code == 204, changed.json
    other = user("qian", "ops")
    assert client.put(f"{R}/process-instance/{instance}/comment", headers=other,
                      json={"id": first["id"], "message": "x"}).status_code == 403
    assert client.delete(f"{R}/process-instance/{instance}/comment",
                         headers=other).status_code == 403  # all of them: admin only
    gone = client.delete(f"{R}/process-instance/{instance}/comment/{first['id']}",
                         headers=staff)
    assert gone.status_code == 204
    admin = user("sun", "admin")
    assert client.delete(f"{R}/process-instance/{instance}/comment",
                         headers=admin).status_code == 204
    assert client.get(f"{R}/process-instance/{instance}/comment", headers=staff).json == []


def test_comments_of_an_unseen_instance_are_404(client, waiting, user):
    instance, task, staff = waiting
    client.post(f"{R}/task/{task}/comment/create", headers=staff, json={"message": "内部"})
    outsider = user("unit9", "unit:u9")
    answer = client.get(f"{R}/process-instance/{instance}/comment", headers=outsider)
    assert answer.status_code == 404 and "内部" not in answer.get_data(as_text=True)
    missing = client.put(f"{R}/process-instance/{instance}/comment", headers=staff,
                         json={"id": "nope", "message": "x"})
    assert missing.status_code == 404
    no_id = client.put(f"{R}/process-instance/{instance}/comment", headers=staff,
                       json={"message": "x"})
    assert no_id.status_code == 400 and "id" in no_id.json["message"]
