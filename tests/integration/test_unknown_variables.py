"""An unknown variable in a condition, script, timer or assignment: the incident says which."""

from __future__ import annotations

import pytest

from tests.factories import deploy_fixture, start

CASES = [
    ("incident_gateway", "Gateway_Credit",
     "Unknown property used in expression: ${!creditApproved}. "
     "Cause: Cannot resolve identifier 'creditApproved' (at gateway Gateway_Credit)"),
    ("incident_script", "Script_Total",
     "Unable to evaluate script of script task Script_Total: Cannot resolve identifier "
     "'amount' (line 1: total = amount * 2)"),
    ("incident_js", "Script_Js",
     "Unable to evaluate script of script task Script_Js: Cannot resolve identifier "
     "'amount' (line 1: var total = amount * 2;)"),
    ("incident_timer", "Timer_Wait",
     "Unknown property used in expression: ${waitTime}. "
     "Cause: Cannot resolve identifier 'waitTime' (at catch event Timer_Wait)"),
    ("incident_assignee", "Task_Review",
     "Unknown property used in expression: ${owner}. Cause: Cannot resolve identifier "
     "'owner' (at user task Task_Review, in its assignment or input mapping)"),
]


def _incidents(uow_factory, instance_id):
    with uow_factory() as uow:
        return [(i.element_id, i.message) for i in uow.incidents.open_for(instance_id)]


@pytest.mark.parametrize(("key", "element", "message"), CASES, ids=[c[0] for c in CASES])
def test_incident_names_the_variable_and_the_element(uow_factory, key, element, message):
    deploy_fixture(uow_factory, f"{key}.bpmn")
    instance_id = start(uow_factory, key).id
    assert _incidents(uow_factory, instance_id) == [(element, message)]


def test_a_near_spelling_is_suggested_and_a_far_one_is_not(uow_factory):
    deploy_fixture(uow_factory, "incident_gateway.bpmn")
    near = start(uow_factory, "incident_gateway", creditAproved=True).id
    [(_, text)] = _incidents(uow_factory, near)
    assert "identifier 'creditApproved'; did you mean 'creditAproved'? (at gateway" in text
    far = start(uow_factory, "incident_gateway", initiated=True).id
    [(_, text)] = _incidents(uow_factory, far)
    assert "did you mean" not in text and "initiat" not in text


def test_set_variable_then_the_condition_runs(uow_factory):
    deploy_fixture(uow_factory, "incident_gateway.bpmn")
    instance_id = start(uow_factory, "incident_gateway", creditApproved=False).id
    assert _incidents(uow_factory, instance_id) == []
    with uow_factory() as uow:
        assert uow.instances.get(instance_id).status == "completed"
