"""A process with a none, a message and a signal start event starts at one of them only:
the none start event over REST, the message's or the signal's when that starts it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
R = "/engine-rest"


@pytest.fixture
def deployed(client, designer):
    fixture = HERE / "fixtures" / "event_starts.bpmn"
    answer = client.post(f"{R}/deployment/create", headers=designer,
                         content_type="multipart/form-data", data={
                             fixture.name: (io.BytesIO(fixture.read_bytes()), fixture.name)})
    assert answer.status_code == 200, answer.json


def _instances(client, ops) -> dict[str, list[str]]:
    """Each running instance of event_starts: the ids of the activities it waits at."""
    found = {}
    for row in client.get(f"{R}/process-instance?processDefinitionKey=event_starts",
                          headers=ops).json:
        tree = client.get(f"{R}/process-instance/{row['id']}/activity-instances",
                          headers=ops).json
        found[row["id"]] = sorted(c["activityId"] for c in tree["childActivityInstances"])
    return found


def test_a_start_by_key_runs_the_none_start_event_alone(client, ops, deployed):
    started = client.post(f"{R}/process-definition/key/event_starts/start", headers=ops,
                          json={})
    assert started.status_code == 200, started.json
    assert _instances(client, ops) == {started.json["id"]: ["Task_Normal"]}
    waiting = client.get(f"{R}/event-subscription?processInstanceId={started.json['id']}",
                         headers=ops).json
    assert waiting == []  # the message and signal start events start other instances


def test_a_message_starts_at_its_start_event_alone(client, ops, deployed):
    answer = client.post(f"{R}/message", headers=ops, json={
        "messageName": "urgent-request", "resultEnabled": True,
        "processVariables": {"reason": {"value": "deadline", "type": "String"}}})
    assert answer.status_code == 200, answer.json
    [result] = answer.json
    instance = result["processInstance"]["id"]
    assert _instances(client, ops) == {instance: ["Task_Urgent"]}
    reason = client.get(f"{R}/process-instance/{instance}/variables/reason", headers=ops)
    assert reason.json["value"] == "deadline"


def test_a_signal_starts_at_its_start_event_alone(client, ops, deployed):
    answer = client.post(f"{R}/signal", headers=ops, json={"name": "bulk-intake"})
    assert answer.status_code == 204, answer.json
    [(_, waiting)] = _instances(client, ops).items()
    assert waiting == ["Task_Bulk"]
