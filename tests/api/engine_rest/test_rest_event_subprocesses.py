"""Event subprocesses through /engine-rest with pycamunda: a message that starts one is
correlated to the running instance, and an interrupting one leaves only its own task."""

from __future__ import annotations

import pycamunda.message
import pycamunda.task
import pytest
import requests

from tests.factories import deploy_fixture, start

pytestmark = pytest.mark.committed_db


def _as(request, username="ops1"):
    request.auth = requests.auth.HTTPBasicAuth(username, "s3cret-pass")
    return request


def test_pycamunda_correlates_messages_to_event_subprocesses(server_url, uow_factory, ops):
    deploy_fixture(uow_factory, "compat_esp_interrupting.bpmn")
    instance_id = start(uow_factory, "compat_esp_interrupting").id
    subscriptions = requests.get(f"{server_url}/event-subscription",
                                 params={"processInstanceId": instance_id},
                                 auth=("ops1", "s3cret-pass"), timeout=10).json()
    assert sorted((s["eventType"], s["eventName"], s["activityId"]) for s in subscriptions) == [
        ("message", "remind", "Start_Remind"), ("message", "withdraw", "Start_Withdraw")]
    _as(pycamunda.message.CorrelateSingle(server_url, "remind",
                                          process_instance_id=instance_id, result_enabled=True))()
    tasks = _as(pycamunda.task.GetList(server_url, process_instance_id=instance_id))()
    assert sorted(t.task_definition_key for t in tasks) == ["Task_Budget", "Task_Plan",
                                                            "Task_Remind"]
    _as(pycamunda.message.CorrelateSingle(server_url, "withdraw", result_enabled=True))()
    tasks = _as(pycamunda.task.GetList(server_url, process_instance_id=instance_id))()
    assert [t.task_definition_key for t in tasks] == ["Task_Archive"]
    with pytest.raises(pycamunda.PyCamundaException):  # nothing may start it any more
        _as(pycamunda.message.CorrelateSingle(server_url, "remind", result_enabled=True))()
