"""Conditional event subprocesses as Camunda 7 runs them, driven over /engine-rest: each
starts when its condition holds (on the scope's start and on each variable change); a
non-interrupting one again on each later change that finds it holding (camunda:variableName:
a change of that variable), an interrupting one cancels the rest of its scope. Until then
neither shows as an activity instance, in the tree or in history."""

from __future__ import annotations

from typing import Any

from engine import bpmn
from tests.api.engine_rest.test_rest_modeler import deploy_like_modeler
from tests.factories import FIXTURES

R = "/engine-rest"
KEY = "compat_conditional_event_subprocess"


def _tasks(client: Any, headers: dict[str, str], instance_id: str) -> list[str]:
    found = client.get(f"{R}/task?processInstanceId={instance_id}", headers=headers).json
    return sorted(t["taskDefinitionKey"] for t in found)


def _set(client: Any, headers: dict[str, str], instance_id: str, **values: Any) -> list[str]:
    answer = client.post(f"{R}/process-instance/{instance_id}/variables", headers=headers,
                         json={"modifications": {k: {"value": v} for k, v in values.items()}})
    assert answer.status_code == 204, answer.json
    bpmn.WORKFLOWS.clear()  # what is armed is in the stored state, not only in memory
    return _tasks(client, headers, instance_id)


def _activities(client: Any, headers: dict[str, str], instance_id: str) -> list[str]:
    def walk(node: dict[str, Any]) -> list[str]:
        return [n for child in node["childActivityInstances"]
                for n in [child["activityId"], *walk(child)]]
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=headers).json
    return sorted(walk(tree))


def _history(client: Any, headers: dict[str, str], instance_id: str) -> list[str]:
    found = client.get(f"{R}/history/activity-instance?processInstanceId={instance_id}",
                       headers=headers).json
    return sorted(a["activityId"] for a in found)


def _start(client: Any, headers: dict[str, str], **values: Any) -> str:
    started = client.post(f"{R}/process-definition/key/{KEY}/start", headers=headers, json={
        "variables": {k: {"value": v} for k, v in values.items()}})
    assert started.status_code == 200, started.json
    return str(started.json["id"])


def _deploy(client: Any, designer: dict[str, str]) -> None:
    xml = (FIXTURES / f"{KEY}.bpmn").read_bytes()
    assert deploy_like_modeler(client, designer, f"{KEY}.bpmn", xml).status_code == 200


def test_conditional_event_subprocesses_start_when_their_condition_holds(
        client, designer, user):
    admin = user("cesp_admin", "admin", "ops")
    _deploy(client, designer)
    instance_id = _start(client, admin, score=80, withdrawn=False)
    assert _tasks(client, admin, instance_id) == ["Task_Main"]
    # armed, not started: as in Camunda, no activity instance for either event subprocess
    assert _activities(client, admin, instance_id) == ["Task_Main"]
    assert _history(client, admin, instance_id) == ["StartEvent_1", "Task_Main"]

    assert _set(client, admin, instance_id, score=50) == ["Task_Main", "Task_Note"]
    assert _activities(client, admin, instance_id) == ["Sub_Note", "Task_Main", "Task_Note"]
    assert _set(client, admin, instance_id, remark="x") == ["Task_Main", "Task_Note"]
    assert _set(client, admin, instance_id, score=40) == ["Task_Main", "Task_Note", "Task_Note"]

    assert _set(client, admin, instance_id, withdrawn=True) == ["Task_Withdrawn"]
    assert _set(client, admin, instance_id, score=10) == ["Task_Withdrawn"]  # interrupted
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=admin).json
    assert client.post(f"{R}/task/{task['id']}/complete", headers=admin,
                       json={}).status_code == 204
    state = client.get(f"{R}/history/process-instance/{instance_id}", headers=admin).json
    assert state["state"] == "COMPLETED"
    assert _history(client, admin, instance_id) == sorted([
        "StartEvent_1", "Task_Main", *["Sub_Note", "Start_Note", "Task_Note"] * 2,
        "Sub_Withdraw", "Start_Withdraw", "Task_Withdrawn", "End_Withdraw"])


def test_one_that_holds_as_the_scope_starts_starts_with_it(client, designer, user):
    admin = user("cesp_admin", "admin", "ops")
    _deploy(client, designer)
    low = _start(client, admin, score=30, withdrawn=False)
    assert _tasks(client, admin, low) == ["Task_Main", "Task_Note"]
    unset = _start(client, admin, score=90)  # withdrawn unset: that condition does not hold
    assert _tasks(client, admin, unset) == ["Task_Main"]


def test_variable_events_limit_the_changes_it_looks_again_after(client, designer, user):
    """camunda:variableEvents="create": an update of score that makes the condition hold
    does not start it, nor does deleting score; setting score again (a create) does."""
    admin = user("cesp_events", "admin", "ops")
    xml = (FIXTURES / f"{KEY}.bpmn").read_text().replace(
        'camunda:variableName="score"', 'camunda:variableName="score" '
        'camunda:variableEvents="create"')
    deployed = deploy_like_modeler(client, designer, f"{KEY}.bpmn", xml.encode())
    assert deployed.status_code == 200, deployed.json
    assert not [w for w in deployed.json["warnings"] if "variableEvents" in w]
    instance_id = _start(client, admin, score=80, withdrawn=False)
    assert _set(client, admin, instance_id, score=50) == ["Task_Main"]  # an update
    gone = client.delete(f"{R}/process-instance/{instance_id}/variables/score", headers=admin)
    assert gone.status_code == 204, gone.get_data(as_text=True)
    bpmn.WORKFLOWS.clear()
    assert _tasks(client, admin, instance_id) == ["Task_Main"]  # a delete
    assert _set(client, admin, instance_id, score=40) == ["Task_Main", "Task_Note"]  # create


def _subscriptions(client: Any, headers: dict[str, str], instance_id: str) -> list[Any]:
    found = client.get(f"{R}/event-subscription?processInstanceId={instance_id}",
                       headers=headers).json
    return sorted((s["eventType"], s["eventName"], s["activityId"]) for s in found)


def test_event_subscription_lists_the_armed_conditional_starts(client, designer, user):
    """As Camunda's GET /event-subscription: eventType conditional, no event name, one per
    armed start; an interrupting one that fired is gone with its scope's other work."""
    admin = user("cesp_admin", "admin", "ops")
    _deploy(client, designer)
    instance_id = _start(client, admin, score=80, withdrawn=False)
    armed = [("conditional", None, "Start_Note"), ("conditional", None, "Start_Withdraw")]
    assert _subscriptions(client, admin, instance_id) == armed
    only = client.get(f"{R}/event-subscription?processInstanceId={instance_id}"
                      "&eventType=conditional", headers=admin).json
    assert len(only) == 2
    assert client.get(f"{R}/event-subscription/count?processInstanceId={instance_id}"
                      "&eventType=message", headers=admin).json == {"count": 0}

    _set(client, admin, instance_id, score=50)  # non-interrupting: armed again
    assert _subscriptions(client, admin, instance_id) == armed
    _set(client, admin, instance_id, withdrawn=True)
    assert _subscriptions(client, admin, instance_id) == []


def test_event_subscription_lists_a_waiting_conditional_catch(client, designer, user):
    admin = user("cesp_admin", "admin", "ops")
    key = "compat_conditional_events"
    xml = (FIXTURES / f"{key}.bpmn").read_bytes()
    assert deploy_like_modeler(client, designer, f"{key}.bpmn", xml).status_code == 200
    started = client.post(f"{R}/process-definition/key/{key}/start", headers=admin,
                          json={"variables": {"score": {"value": 90}}})
    instance_id = started.json["id"]
    assert _subscriptions(client, admin, instance_id) == [
        ("conditional", None, "Catch_LowScore")]
    _set(client, admin, instance_id, score=40)
    assert _subscriptions(client, admin, instance_id) == []
    assert "Task_Rectify" in _tasks(client, admin, instance_id)


def test_deleting_a_variable_is_a_change_a_waiting_condition_sees(client, designer, user):
    """Camunda's variable event 'delete': `${empty score}` holds once score is deleted,
    by DELETE .../variables/{name} or by a modification's deletions; the deleted variable
    is not read back from the token's past."""
    admin = user("cesp_admin", "admin", "ops")
    key = "compat_conditional_on_delete"
    xml = (FIXTURES / "compat_conditional_events.bpmn").read_text().replace(
        "compat_conditional_events", key).replace("${score &lt; 60}", "${empty score}")
    assert deploy_like_modeler(client, designer, f"{key}.bpmn", xml.encode()).status_code == 200

    def started() -> str:
        answer = client.post(f"{R}/process-definition/key/{key}/start", headers=admin,
                             json={"variables": {"score": {"value": 90}}})
        return str(answer.json["id"])

    first, second = started(), started()
    assert _tasks(client, admin, first) == ["Task_Score"]
    _set(client, admin, first, remark="x")  # another variable changes: score is still set
    assert _tasks(client, admin, first) == ["Task_Score"]
    assert client.delete(f"{R}/process-instance/{first}/variables/score",
                         headers=admin).status_code == 204
    assert _tasks(client, admin, first) == ["Task_Rectify", "Task_Score"]
    variables = client.get(f"{R}/process-instance/{first}/variables", headers=admin).json
    assert "score" not in variables and variables["remark"]["value"] == "x"

    modified = client.post(f"{R}/process-instance/{second}/variables", headers=admin,
                           json={"deletions": ["score"]})
    assert modified.status_code == 204, modified.json
    assert _tasks(client, admin, second) == ["Task_Rectify", "Task_Score"]
