"""Messages and signals between instances: correlation, message start, no silent drop."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import MessageNotCorrelated
from engine.service import SYSTEM_ACTOR
from tests.factories import NOW, deploy_fixture, start


def status(uow_factory, instance_id):
    with uow_factory() as uow:
        return uow.instances.get(instance_id).status


def test_correlate_by_business_key_reaches_only_that_instance(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    first = start(uow_factory, "msg_wait", business_key="P-1")
    second = start(uow_factory, "msg_wait", business_key="P-2")
    with uow_factory() as uow:
        reached = service.correlate_message(uow, "reply_received", SYSTEM_ACTOR, NOW,
                                            business_key="P-2", variables={"ok": True})
    assert reached == [second.id]
    assert status(uow_factory, second.id) == "completed"
    assert status(uow_factory, first.id) == "running"
    with uow_factory() as uow:
        assert service.show_instance(uow, second.id, SYSTEM_ACTOR).variables["ok"] is True


def test_correlate_by_correlation_keys(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    first = start(uow_factory, "msg_wait", unit_code="A")
    second = start(uow_factory, "msg_wait", unit_code="B")
    with uow_factory() as uow:
        reached = service.correlate_message(uow, "reply_received", SYSTEM_ACTOR, NOW,
                                            correlation_keys={"unit_code": "A"})
    assert reached == [first.id]
    assert status(uow_factory, second.id) == "running"


def test_message_nobody_waits_for_is_an_error_and_ambiguity_too(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn")
    with uow_factory() as uow, pytest.raises(MessageNotCorrelated):
        service.correlate_message(uow, "reply_received", SYSTEM_ACTOR, NOW)
    start(uow_factory, "msg_wait")
    start(uow_factory, "msg_wait")
    with uow_factory() as uow, pytest.raises(MessageNotCorrelated,
                                             match="2 executions match .*in 2 instances"):
        service.correlate_message(uow, "reply_received", SYSTEM_ACTOR, NOW)


def test_message_start_event_starts_an_instance(uow_factory):
    deploy_fixture(uow_factory, "msg_start.bpmn")
    with uow_factory() as uow:
        [instance_id] = service.correlate_message(
            uow, "application_filed", SYSTEM_ACTOR, NOW, business_key="APP-7",
            variables={"unit_name": "某职业学院"})
    with uow_factory() as uow:
        detail = service.show_instance(uow, instance_id, SYSTEM_ACTOR)
    assert detail.instance.business_key == "APP-7"
    assert [t.element_id for t in detail.tasks] == ["Task_Check"]
    assert detail.variables["unit_name"] == "某职业学院"


def test_message_thrown_by_one_instance_reaches_the_waiting_one(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn", "msg_send.bpmn")
    waiting = start(uow_factory, "msg_wait", business_key="K-1")
    sender = start(uow_factory, "msg_send", business_key="K-1", answer="同意")
    assert status(uow_factory, sender.id) == "completed"
    assert status(uow_factory, waiting.id) == "completed"


def test_thrown_message_nobody_waits_for_opens_incident_on_the_sender(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn", "msg_send.bpmn")
    sender = start(uow_factory, "msg_send", business_key="K-9", answer="x")
    with uow_factory() as uow:
        [incident] = uow.incidents.open_for(sender.id)
    assert incident.kind == "message_not_correlated"
    assert "reply_received" in incident.message
    assert incident.element_id == "Throw_Reply"  # the element that threw it


def test_signal_reaches_every_waiting_instance(uow_factory):
    deploy_fixture(uow_factory, "signal_wait.bpmn")
    ids = [start(uow_factory, "signal_wait").id for _ in range(3)]
    with uow_factory() as uow:
        reached = service.broadcast_signal(uow, "window_open", SYSTEM_ACTOR, NOW)
    assert sorted(reached) == sorted(ids)
    assert {status(uow_factory, i) for i in ids} == {"completed"}


def test_correlation_properties_are_ignored_as_camunda_does(uow_factory):
    """A message reaches its catch by name whatever the catch's correlation properties
    say: one reads `from.name` (a Python keyword), one a variable the message lacks."""
    deploy_fixture(uow_factory, "compat_correlation_properties.bpmn")
    instance = start(uow_factory, "compat_correlation_properties")
    with uow_factory() as uow:
        reached = service.correlate_message(uow, "reply_letter", SYSTEM_ACTOR, NOW,
                                            process_instance_id=instance.id,
                                            variables={"note": "已收到"})
    assert reached == [instance.id]
    with uow_factory() as uow:
        [task] = uow.tasks.for_instance(instance.id)
    assert task.element_id == "Task_Read"
