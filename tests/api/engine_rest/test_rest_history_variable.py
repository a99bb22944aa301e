"""Camunda /history/variable-instance and /history/detail: values now and each update."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import deploy_fixture

R = "/engine-rest"
T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def _reviewed(client, uow_factory, ops, wang):
    """An instance started with a note, the note changed, the review completed."""
    deploy_fixture(uow_factory, "review.bpmn")
    with time_machine.travel(T0, tick=False) as traveller:
        started = client.post(f"{R}/process-definition/key/simple_review/start", headers=ops,
                              json={"variables": {"province_code": {"value": "11"},
                                                  "review_due": {"value": ""},
                                                  "note": {"value": "first"}}})
        instance_id = started.json["id"]
        traveller.shift(timedelta(minutes=1))
        assert client.put(f"{R}/process-instance/{instance_id}/variables/note", headers=ops,
                          json={"value": "second", "type": "String"}).status_code == 204
        traveller.shift(timedelta(minutes=1))
        [task] = client.get(f"{R}/task?processInstanceId={instance_id}", headers=wang).json
        assert client.post(f"{R}/task/{task['id']}/complete", headers=wang, json={
            "variables": {"approved": {"value": True}, "score": {"value": 80}}}
        ).status_code == 204
    return instance_id, task["id"]


def test_historic_variables_of_an_ended_instance(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    li = user("li", "province:44:reviewer")
    instance_id, _task_id = _reviewed(client, uow_factory, ops, wang)
    url = f"{R}/history/variable-instance?processInstanceId={instance_id}"
    listed = client.get(f"{url}&sortBy=variableName&sortOrder=asc", headers=wang).json
    values = {v["name"]: (v["type"], v["value"]) for v in listed}
    assert values["note"] == ("String", "second") and values["score"] == ("Integer", 80)
    assert values["approved"] == ("Boolean", True)
    assert [v["name"] for v in listed] == sorted(values)
    assert listed[0]["processDefinitionKey"] == "simple_review"
    [province] = client.get(f"{url}&variableNameLike=prov%25", headers=wang).json
    assert province["value"] == "11"
    assert client.post(f"{R}/history/variable-instance/count", headers=wang, json={
        "processInstanceIdIn": [instance_id], "variableName": "note"}).json == {"count": 1}
    one = client.get(f"{R}/history/variable-instance/{instance_id}:note", headers=wang)
    assert one.status_code == 200 and one.json["value"] == "second"
    data = client.get(f"{R}/history/variable-instance/{instance_id}:note/data", headers=wang)
    assert data.status_code == 400 and "binary" in data.json["message"]
    assert client.get(url, headers=li).json == []
    assert client.get(f"{R}/history/variable-instance/{instance_id}:note",
                      headers=li).status_code == 404
    unnamed = client.get(f"{R}/history/variable-instance?variableName=note", headers=wang)
    assert unnamed.status_code == 400 and "processInstanceId" in unnamed.json["message"]


def test_historic_details_are_the_recorded_updates(client, uow_factory, ops, user):
    wang = user("wang", "province:11:reviewer")
    instance_id, task_id = _reviewed(client, uow_factory, ops, wang)
    url = f"{R}/history/detail?processInstanceId={instance_id}"
    notes = client.get(f"{url}&variableInstanceId={instance_id}:note&sortBy=time"
                       "&sortOrder=desc", headers=wang).json
    assert [(d["value"], d["revision"], d["initial"]) for d in notes] == [
        ("second", 2, False), ("first", 1, True)]
    assert notes[0]["time"] == "2026-11-30T01:01:00.000+0000"
    by_task = [d for d in client.get(url, headers=wang).json if d["taskId"]]
    assert sorted((d["variableName"], d["value"]) for d in by_task) == [
        ("approved", True), ("score", 80)]
    assert {d["taskId"] for d in by_task} == {task_id}
    initial = client.get(f"{url}&initial=true&excludeTaskDetails=true", headers=wang).json
    assert sorted(d["variableName"] for d in initial) == [
        "initiator", "note", "province_code", "review_due"]  # initiator: who started it
    assert client.get(f"{R}/history/detail/count?processInstanceId={instance_id}"
                      "&excludeTaskDetails=true", headers=wang).json == {"count": 5}
    one = client.get(f"{R}/history/detail/{notes[0]['id']}", headers=wang)
    assert one.status_code == 200 and one.json == notes[0]
    assert client.get(f"{R}/history/detail/{notes[0]['id']}/data",
                      headers=wang).status_code == 400
    posted = client.post(f"{R}/history/detail?maxResults=1", headers=wang, json={
        "processInstanceIdIn": [instance_id],
        "sorting": [{"sortBy": "variableRevision", "sortOrder": "desc"}]}).json
    assert [(d["variableName"], d["revision"]) for d in posted] == [("note", 2)]
    forms = client.get(f"{url}&formFields=true", headers=wang)
    assert forms.status_code == 400 and "formFields" in forms.json["message"]
