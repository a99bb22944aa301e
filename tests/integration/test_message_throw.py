"""Camunda message throw and message end events without camunda:expression: deploy accepts
them, running them throws a message with no payload, and nothing is left in ERROR."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, deploy_fixture, start
from tests.factories import activity_states as _states
from tests.factories import show as _detail

FIXTURE = "msg_notify.bpmn"  # throw "reply_received", then end by throwing "application_filed"


def test_deploy_accepts_message_throws_without_expression(uow_factory):
    [definition] = deploy_fixture(uow_factory, FIXTURE)
    assert definition.key == "msg_notify"


def test_payloadless_throws_reach_the_waiting_and_the_message_start(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn", "msg_start.bpmn", FIXTURE)
    waiting = start(uow_factory, "msg_wait", business_key="N-1")
    sender = start(uow_factory, "msg_notify", business_key="N-1")
    detail = _detail(uow_factory, sender.id)
    assert detail.instance.status == "completed"
    assert detail.incidents == []
    states = _states(detail)
    assert states["Throw_Reply"] == {"COMPLETED"} and states["End_Filed"] == {"COMPLETED"}
    assert not any("ERROR" in s for s in states.values()), states
    received = _detail(uow_factory, waiting.id)
    assert received.instance.status == "completed" and received.incidents == []
    assert "message_payload" not in received.variables  # no payload, not a None variable
    with uow_factory() as uow:
        [filed] = uow.instances.list(process_key="msg_start", business_key="N-1")
    opened = _detail(uow_factory, filed.id)
    assert [t.element_id for t in opened.tasks] == ["Task_Check"]


def test_payloadless_throw_nobody_waits_for_is_an_incident_not_a_silent_error(uow_factory):
    deploy_fixture(uow_factory, FIXTURE)
    sender = start(uow_factory, "msg_notify", business_key="N-2")
    detail = _detail(uow_factory, sender.id)
    assert not any("ERROR" in s for s in _states(detail).values())
    kinds = sorted(i.kind for i in detail.incidents if i.resolved_at is None)
    assert kinds == ["message_not_correlated", "message_not_correlated"]
    assert {m for i in detail.incidents for m in ("reply_received", "application_filed")
            if m in i.message} == {"reply_received", "application_filed"}
    assert sorted(i.element_id for i in detail.incidents) == ["End_Filed", "Throw_Reply"]


def _with_definition(definition: str) -> bytes:
    text = (FIXTURES / FIXTURE).read_text(encoding="utf-8")
    old = '<bpmn:messageEventDefinition id="MessageDef_Apply" messageRef="Message_Apply" />'
    assert old in text
    return text.replace(old, definition).encode("utf-8")


@pytest.mark.parametrize(("attrs", "words"), [
    ('camunda:expression="${answer &amp;&amp;}"', "camunda:expression '${answer &&}'"),
])
def test_deploy_refuses_message_implementations_it_cannot_run(uow_factory, attrs, words):
    definition = ('<bpmn:messageEventDefinition id="MessageDef_Apply" '
                  f'messageRef="Message_Apply" {attrs} />')
    content = _with_definition(definition)
    line = content.decode("utf-8")[:content.decode("utf-8").index(definition)].count("\n") + 1
    with pytest.raises(ProcessDefinitionError) as caught, uow_factory() as uow:
        service.deploy(uow, {FIXTURE: content}, SYSTEM_ACTOR, NOW)
    [problem] = caught.value.details["problems"]
    assert (problem["element_id"], problem["line"]) == ("End_Filed", line), problem
    assert words in problem["message"]


@pytest.mark.parametrize("attrs", ['camunda:type="external" camunda:topic="notify"',
                                   'camunda:class="org.example.Send"'])
def test_a_message_end_event_implemented_as_a_service_task_deploys(uow_factory, attrs):
    """As in Camunda 7: it runs as a service task (engine.bpmn.normalize)."""
    content = _with_definition('<bpmn:messageEventDefinition id="MessageDef_Apply" '
                               f'messageRef="Message_Apply" {attrs} />')
    with uow_factory() as uow:
        result = service.deploy(uow, {FIXTURE: content}, SYSTEM_ACTOR, NOW)
    assert [d.key for d in result.definitions] == ["msg_notify"]


def test_deploy_accepts_a_valid_payload_expression_on_a_message_end_event(uow_factory):
    content = _with_definition('<bpmn:messageEventDefinition id="MessageDef_Apply" '
                               'messageRef="Message_Apply" camunda:expression="${unit_name}" />')
    with uow_factory() as uow:
        result = service.deploy(uow, {FIXTURE: content}, SYSTEM_ACTOR, NOW)
    assert [d.key for d in result.definitions] == ["msg_notify"]
