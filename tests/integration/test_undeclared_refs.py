"""What a diagram refers to that is not in it, as Camunda 7 reads it: an undeclared errorRef
is its own error code; an undeclared message (or signal, escalation) or a script resource
refuses the file, naming the element."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR
from tests.factories import FIXTURES, NOW, deploy_fixture, open_tasks, show, start


def test_an_undeclared_error_ref_is_thrown_and_caught_as_its_own_code(uow_factory):
    deploy_fixture(uow_factory, "compat_undeclared_error.bpmn")
    instance = start(uow_factory, "compat_undeclared_error")
    [check] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, check.id, {}, SYSTEM_ACTOR, NOW)
    [supplement] = open_tasks(uow_factory, instance.id)
    assert supplement.element_id == "Task_Supplement"  # not Catch_Other's OTHER_ERROR
    assert show(uow_factory, instance.id).incidents == []


def test_an_undeclared_message_ref_is_refused_naming_the_event(uow_factory):
    text = (FIXTURES / "compat_undeclared_error.bpmn").read_text(encoding="utf-8")
    old = '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="MISSING_DOCS" />'
    assert old in text
    broken = text.replace(old, '<bpmn:messageEventDefinition id="MessageEventDefinition_1" '
                               'messageRef="Message_Notify" />')
    with pytest.raises(ProcessDefinitionError) as refused, uow_factory() as uow:
        service.deploy(uow, {"undeclared_message.bpmn": broken.encode()}, SYSTEM_ACTOR, NOW)
    message = refused.value.message
    assert "'End_Missing'" in message and "messageRef 'Message_Notify'" in message
    assert "TypeError" not in message


def test_a_script_task_whose_script_is_a_resource_is_refused_saying_so(uow_factory):
    with pytest.raises(ProcessDefinitionError) as refused:
        deploy_fixture(uow_factory, "compat_script_resource.bpmn")
    message = refused.value.message
    assert "'Script_Score'" in message and "camunda:resource 'deployment://score.js'" in message
    assert "No Script Provided" not in message
