"""Camunda clients on Camunda 7 diagrams: delegate topics in the deploy answer, subscriptions."""

from __future__ import annotations

import json

from tests.api.engine_rest.test_rest_modeler import deploy_like_modeler
from tests.factories import FIXTURES, start


def test_deploy_answer_lists_delegate_topics_and_warnings(client, designer):
    content = (FIXTURES / "compat_delegates.bpmn").read_bytes()
    response = deploy_like_modeler(client, designer, "compat_delegates.bpmn", content)
    assert response.status_code == 200, response.json
    assert response.json["externalTaskTopics"] == ["ChargeCardDelegate", "ledger.book",
                                                   "mailBean"]
    assert any("'Task_Mail'" in w for w in response.json["warnings"])


def test_event_subscriptions_show_what_an_instance_waits_for(client, designer, ops,
                                                             uow_factory):
    content = (FIXTURES / "signal_wait.bpmn").read_bytes()
    assert deploy_like_modeler(client, designer, "signal_wait.bpmn", content).status_code == 200
    instance = start(uow_factory, "signal_wait")
    answer = client.get(f"/engine-rest/event-subscription?processInstanceId={instance.id}",
                        headers=ops)
    assert answer.status_code == 200
    [sub] = answer.json
    assert (sub["eventType"], sub["eventName"], sub["activityId"]) == (
        "signal", "window_open", "Catch_Open")
    assert client.get("/engine-rest/event-subscription/count?eventType=signal",
                      headers=ops).json == {"count": 1}
    stranger = client.get(f"/engine-rest/event-subscription?processInstanceId={instance.id}",
                          headers=designer)
    assert stranger.json == []


def test_put_assignee_fires_the_assignment_listener_and_timeout_shows_as_a_timer_job(
        client, designer, ops, user, uow_factory):
    user("bob", "ops")
    content = (FIXTURES / "compat_task_events.bpmn").read_bytes()
    assert deploy_like_modeler(client, designer, "compat_task_events.bpmn",
                               content).status_code == 200
    started = client.post("/engine-rest/process-definition/key/compat_task_events/start",
                          json={"variables": {"starter": {"value": "", "type": "String"}}},
                          headers=ops)
    assert started.status_code == 200, started.json
    pi = started.json["id"]
    [task] = client.get(f"/engine-rest/task?processInstanceId={pi}", headers=ops).json
    answer = client.post(f"/engine-rest/task/{task['id']}/assignee", json={"userId": "bob"},
                         headers=ops)
    assert answer.status_code == 204, answer.json
    variables = client.get(f"/engine-rest/process-instance/{pi}/variables", headers=ops).json
    assert json.loads(variables["assignments"]["value"]) == ["bob@assignment"]
    assert variables["last_assignee"]["value"] == "bob"
    jobs = client.get(f"/engine-rest/job?processInstanceId={pi}", headers=ops).json
    assert len(jobs) == 2  # the escalation boundary timer and the timeout listener's timer
    assert client.delete(f"/engine-rest/process-instance/{pi}", headers=ops).status_code == 204
    with uow_factory() as uow:
        assert '"deleted_task"' in uow.instances.get(pi).state_json


def test_a_modification_that_cancels_the_task_fires_its_delete_listener(
        client, designer, ops, uow_factory):
    content = (FIXTURES / "compat_task_events.bpmn").read_bytes()
    assert deploy_like_modeler(client, designer, "compat_task_events.bpmn",
                               content).status_code == 200
    instance = start(uow_factory, "compat_task_events", starter="")
    tree = client.get(f"/engine-rest/process-instance/{instance.id}/activity-instances",
                      headers=ops).json
    [review] = [n for n in tree["childActivityInstances"] if n["activityId"] == "Task_Review"]
    body = {"instructions": [{"type": "cancel", "activityInstanceId": review["id"]},
                             {"type": "startBeforeActivity", "activityId": "EndEvent_Done"}]}
    moved = client.post(f"/engine-rest/process-instance/{instance.id}/modification",
                        json=body, headers=ops)
    assert moved.status_code == 204, moved.json
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        assert row.status == "completed"
        assert '"deleted_task"' in row.state_json


def test_delete_with_skip_custom_listeners_runs_no_delete_listener(
        client, designer, ops, uow_factory):
    content = (FIXTURES / "compat_task_events.bpmn").read_bytes()
    assert deploy_like_modeler(client, designer, "compat_task_events.bpmn",
                               content).status_code == 200
    instance = start(uow_factory, "compat_task_events", starter="")
    answer = client.delete(
        f"/engine-rest/process-instance/{instance.id}?skipCustomListeners=true", headers=ops)
    assert answer.status_code == 204
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        assert row.status == "terminated"
        assert '"deleted_task"' not in row.state_json
