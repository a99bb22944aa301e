"""GET /task/{id}/deployed-form: the deployment's file a task's form key names."""

from __future__ import annotations

import io
from pathlib import Path

from tests.factories import deploy_fixture

HERE = Path(__file__).resolve().parent



def test_a_tasks_deployed_form_is_served(client, designer, user):
    """GET /task/{id}/deployed-form: the deployment's file the task's form key names."""
    html = b"<form><input name='checked'></form>"
    fixture = HERE / "fixtures" / "task_deployed_form.bpmn"
    deployed = client.post("/engine-rest/deployment/create", headers=designer,
                           content_type="multipart/form-data", data={
                               "deployment-name": "forms",
                               fixture.name: (io.BytesIO(fixture.read_bytes()), fixture.name),
                               "task_form.html": (io.BytesIO(html), "task_form.html")})
    assert deployed.status_code == 200, deployed.json
    checker = user("checker", "ops")
    instance = _start_key(client, checker, "task_deployed_form")
    [task] = client.get(f"/engine-rest/task?processInstanceId={instance}",
                        headers=checker).json
    served = client.get(f"/engine-rest/task/{task['id']}/deployed-form", headers=checker)
    assert served.status_code == 200 and served.data == html
    assert served.mimetype == "text/html"
    outsider = user("unit9", "unit:u9")
    assert client.get(f"/engine-rest/task/{task['id']}/deployed-form",
                      headers=outsider).status_code == 404


def test_a_task_without_a_deployed_form_key_is_400(client, uow_factory, user):
    deploy_fixture(uow_factory, "review.bpmn")
    reviewer = user("wang", "ops", "province:11:reviewer")
    started = client.post("/engine-rest/process-definition/key/simple_review/start",
                          headers=reviewer, json={"variables": {
                              "province_code": {"value": "11"}, "review_due": {"value": ""}}})
    assert started.status_code == 200, started.json
    [human] = client.get(f"/engine-rest/task?processInstanceId={started.json['id']}",
                         headers=reviewer).json
    answer = client.get(f"/engine-rest/task/{human['id']}/deployed-form", headers=reviewer)
    assert answer.status_code == 400 and "deployed form" in answer.json["message"], answer.json


def _start_key(client, headers, key: str) -> str:
    answer = client.post(f"/engine-rest/process-definition/key/{key}/start", json={},
                         headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return str(answer.json["id"])
