"""An element's camunda:inputOutput and its listeners run as scripts VocFlow places beside
it (engine/bpmn/io_mappings.py, listener_tasks.py); Camunda shows them as part of the
element: no activity of their own in /activity-instances or history, and a failing one is
the element's incident."""

from __future__ import annotations

from tests.factories import deploy_fixture

R = "/engine-rest"


def _start(client, headers, **values):
    variables = {"waitTime": {"value": "PT1H"}, **{k: {"value": v} for k, v in values.items()}}
    started = client.post(f"{R}/process-definition/key/io_mapping/start", headers=headers,
                          json={"variables": variables})
    assert started.status_code == 200, started.get_data(as_text=True)
    return started.json["id"]


def _tree_ids(node):
    yield node["activityId"], node["activityType"]
    for child in node.get("childActivityInstances") or []:
        yield from _tree_ids(child)


def test_mapping_scripts_are_no_activities_of_their_own(client, uow_factory, ops):
    deploy_fixture(uow_factory, "io_mapping.bpmn")
    instance_id = _start(client, ops, amount=21)
    history = client.get(f"{R}/history/activity-instance?processInstanceId={instance_id}",
                         headers=ops).json
    assert [a["activityId"] for a in history] == ["StartEvent_1", "Task_Prepare",
                                                  "Timer_Wait"]
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    assert [i for i in _tree_ids(tree) if i[1] != "processDefinition"] == [
        ("Timer_Wait", "intermediateTimer")]


def test_a_failing_input_mapping_is_an_incident_of_its_element(client, uow_factory, ops):
    deploy_fixture(uow_factory, "io_mapping.bpmn")
    instance_id = _start(client, ops)  # no amount: the mapping ${amount * 2} cannot run
    [incident] = client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json
    assert incident["activityId"] == "Task_Prepare"
    assert "(at the input mapping of Task_Prepare)" in incident["incidentMessage"]
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    assert [i for i in _tree_ids(tree) if i[1] != "processDefinition"] == [
        ("Task_Prepare", "scriptTask")]
    history = client.get(f"{R}/history/activity-instance?processInstanceId={instance_id}",
                         headers=ops).json
    assert all("Mapping" not in a["activityId"] for a in history)


def test_listener_scripts_are_part_of_their_element_too(client, uow_factory, ops):
    """Execution and task listener scripts: no activities of their own; a failing one is an
    incident of the element it listens to."""
    deploy_fixture(uow_factory, "compat_listeners.bpmn")
    started = client.post(f"{R}/process-definition/key/compat_listeners/start", headers=ops,
                          json={})
    assert started.status_code == 200, started.get_data(as_text=True)
    instance_id = started.json["id"]
    [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=ops).json
    done = client.post(f"{R}/task/{task['id']}/complete", headers=ops, json={})
    assert done.status_code == 204, done.get_data(as_text=True)  # its listener reads `ok`
    [incident] = client.get(f"{R}/incident?processInstanceId={instance_id}", headers=ops).json
    assert incident["activityId"] == "Task_Review"
    assert "the complete listener of Task_Review" in incident["incidentMessage"]
    assert "Cannot resolve identifier 'ok'" in incident["incidentMessage"]
    history = client.get(f"{R}/history/activity-instance?processInstanceId={instance_id}",
                         headers=ops).json
    assert [a["activityId"] for a in history] == ["StartEvent_1", "Task_Review"]
    tree = client.get(f"{R}/process-instance/{instance_id}/activity-instances",
                      headers=ops).json
    assert [i for i in _tree_ids(tree) if i[1] != "processDefinition"] == [
        ("Task_Review", "userTask")]
