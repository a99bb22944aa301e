"""Link events, conditional events and repeating boundary events as Camunda 7 runs them: a
link throw goes on at its link catch; a waiting conditional event fires once its condition
holds, whatever set the variables (an edit, another branch's task); a non-interrupting
message boundary event stays armed while its task runs."""

from __future__ import annotations

from typing import Any

import pytest

from engine import bpmn, service
from engine.errors import MessageNotCorrelated, ProcessDefinitionError
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import (
    FIXTURES,
    NOW,
    activity_states,
    deploy_fixture,
    make_user,
    open_tasks,
    show,
    start,
)


@pytest.fixture
def admin(uow_factory: Any) -> Actor:
    return make_user(uow_factory, "cond_admin", "admin", "ops")


def _elements(uow_factory: Any, instance_id: str) -> list[str]:
    return sorted(t.element_id for t in open_tasks(uow_factory, instance_id))


def _complete(uow_factory: Any, instance_id: str, element_id: str, actor: Actor,
              **data: Any) -> None:
    task = next(t for t in open_tasks(uow_factory, instance_id) if t.element_id == element_id)
    with uow_factory() as uow:
        service.complete_task(uow, task.id, data, actor, NOW)


def test_a_link_throw_goes_on_at_its_link_catch(uow_factory, admin):
    deploy_fixture(uow_factory, "compat_link_events.bpmn")
    instance = start(uow_factory, "compat_link_events")
    _complete(uow_factory, instance.id, "Task_Fill", admin)
    assert _elements(uow_factory, instance.id) == ["Task_Review"]
    states = activity_states(show(uow_factory, instance.id))
    assert states["Throw_ToReview"] == states["Catch_Review"] == {"COMPLETED"}


def test_a_link_to_no_catch_is_refused_naming_the_throw(uow_factory):
    xml = (FIXTURES / "compat_link_events.bpmn").read_text().replace(
        '<bpmn:linkEventDefinition id="LinkEventDefinition_2" name="review" />',
        '<bpmn:linkEventDefinition id="LinkEventDefinition_2" name="audit" />')
    with uow_factory() as uow, pytest.raises(ProcessDefinitionError) as refused:
        service.deploy(uow, {"links.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    [problem] = refused.value.details["problems"]
    assert problem["element_id"] == "Throw_ToReview" and problem["line"] == 13
    assert "'review'" in problem["message"] and "no link catch event" in problem["message"]


def test_a_conditional_event_that_holds_on_arrival_passes(uow_factory):
    deploy_fixture(uow_factory, "compat_conditional_events.bpmn")
    instance = start(uow_factory, "compat_conditional_events", score=30)
    assert _elements(uow_factory, instance.id) == ["Task_Rectify", "Task_Score"]


def test_it_fires_when_an_edit_of_the_variables_makes_it_hold(uow_factory, admin):
    deploy_fixture(uow_factory, "compat_conditional_events.bpmn")
    instance = start(uow_factory, "compat_conditional_events", score=80)
    assert _elements(uow_factory, instance.id) == ["Task_Score"]
    with uow_factory() as uow:
        service.set_variables(uow, instance.id, {"score": 70}, admin, NOW)
    assert _elements(uow_factory, instance.id) == ["Task_Score"]  # still does not hold
    with uow_factory() as uow:
        service.set_variables(uow, instance.id, {"score": 55}, admin, NOW)
    assert _elements(uow_factory, instance.id) == ["Task_Rectify", "Task_Score"]


def test_it_fires_when_another_branch_s_task_sets_the_variable(uow_factory, admin):
    deploy_fixture(uow_factory, "compat_conditional_events.bpmn")
    instance = start(uow_factory, "compat_conditional_events", score=80)
    _complete(uow_factory, instance.id, "Task_Score", admin, score=42)
    assert _elements(uow_factory, instance.id) == ["Task_Rectify"]
    _complete(uow_factory, instance.id, "Task_Rectify", admin)
    assert show(uow_factory, instance.id).instance.status == "completed"


def _deploy_variant(uow_factory: Any, condition: str, extra: str = "") -> None:
    """compat_conditional_events.bpmn with another condition at Catch_LowScore."""
    xml = (FIXTURES / "compat_conditional_events.bpmn").read_text().replace(
        "${score &lt; 60}", condition).replace(
        'camunda:variableName="score"', f'camunda:variableName="score"{extra}')
    with uow_factory() as uow:
        service.deploy(uow, {"variant.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)


def test_a_waiting_catch_looks_again_only_after_a_change_of_its_variable_name(
        uow_factory, admin):
    """camunda:variableName="score" on an intermediate catch reading `urgent`: setting
    urgent does not make it look again (Camunda evaluates on changes of score only)."""
    _deploy_variant(uow_factory, "${urgent}")
    instance = start(uow_factory, "compat_conditional_events", score=80, urgent=False)
    with uow_factory() as uow:
        service.set_variables(uow, instance.id, {"urgent": True}, admin, NOW)
    bpmn.WORKFLOWS.clear()
    assert _elements(uow_factory, instance.id) == ["Task_Score"]
    with uow_factory() as uow:
        service.set_variables(uow, instance.id, {"score": 81}, admin, NOW)
    assert _elements(uow_factory, instance.id) == ["Task_Rectify", "Task_Score"]


def test_variable_events_on_a_waiting_catch_pass_only_those_kinds(uow_factory, admin):
    _deploy_variant(uow_factory, "${score &lt; 60}", ' camunda:variableEvents="delete, create"')
    instance = start(uow_factory, "compat_conditional_events", score=80)
    with uow_factory() as uow:
        service.set_variables(uow, instance.id, {"score": 10}, admin, NOW)  # an update
    assert _elements(uow_factory, instance.id) == ["Task_Score"]


def _correlate(uow_factory: Any, name: str) -> list[str]:
    with uow_factory() as uow:
        return service.correlate_message(uow, name, SYSTEM_ACTOR, NOW)


def test_a_non_interrupting_message_boundary_stays_armed_while_its_task_runs(
        uow_factory, admin):
    deploy_fixture(uow_factory, "compat_boundary_repeat.bpmn")
    instance = start(uow_factory, "compat_boundary_repeat")
    assert _correlate(uow_factory, "urge") == [instance.id]
    bpmn.WORKFLOWS.clear()  # armed again in the stored state too
    assert _correlate(uow_factory, "urge") == [instance.id]
    assert _elements(uow_factory, instance.id) == ["Task_Reply", "Task_Reply", "Task_Review"]
    _complete(uow_factory, instance.id, "Task_Review", admin)
    with pytest.raises(MessageNotCorrelated):  # its task is done: no longer armed
        _correlate(uow_factory, "urge")
    _complete(uow_factory, instance.id, "Task_Reply", admin)
    _complete(uow_factory, instance.id, "Task_Reply", admin)
    assert show(uow_factory, instance.id).instance.status == "completed"


def _set(uow_factory: Any, instance_id: str, actor: Actor, **values: Any) -> list[str]:
    with uow_factory() as uow:
        service.set_variables(uow, instance_id, values, actor, NOW)
    bpmn.WORKFLOWS.clear()  # what is armed is in the stored state, not only in memory
    return _elements(uow_factory, instance_id)


def test_a_non_interrupting_conditional_boundary_fires_again_on_each_variable_change(
        uow_factory, admin):
    """As Camunda: a non-interrupting conditional boundary event is evaluated again on each
    variable change while its activity runs (camunda:variableName: a change of that variable
    only), and fires each time its condition holds; never without a change."""
    deploy_fixture(uow_factory, "compat_conditional_boundary_repeat.bpmn")
    instance = start(uow_factory, "compat_conditional_boundary_repeat",
                     urgency=1, flagged=False)
    assert _elements(uow_factory, instance.id) == ["Task_Review"]
    assert _set(uow_factory, instance.id, admin, urgency=9) == [
        "Task_Escalate", "Task_Review"]
    # another variable changes: the filtered event is not looked at, the other one fails
    assert _set(uow_factory, instance.id, admin, note="x") == ["Task_Escalate", "Task_Review"]
    assert _set(uow_factory, instance.id, admin, urgency=8) == [
        "Task_Escalate", "Task_Escalate", "Task_Review"]
    assert _set(uow_factory, instance.id, admin, flagged=True) == [
        "Task_Check", "Task_Escalate", "Task_Escalate", "Task_Review"]
    assert _set(uow_factory, instance.id, admin, note="y") == [  # unfiltered: any change
        "Task_Check", "Task_Check", "Task_Escalate", "Task_Escalate", "Task_Review"]
    _complete(uow_factory, instance.id, "Task_Check", admin)  # a task's values change none
    assert _elements(uow_factory, instance.id) == [
        "Task_Check", "Task_Escalate", "Task_Escalate", "Task_Review"]
    _complete(uow_factory, instance.id, "Task_Check", admin, flagged=True)  # one that holds
    assert _elements(uow_factory, instance.id) == [
        "Task_Check", "Task_Escalate", "Task_Escalate", "Task_Review"]
    _complete(uow_factory, instance.id, "Task_Review", admin)
    assert _set(uow_factory, instance.id, admin, urgency=10, flagged=True) == [
        "Task_Check", "Task_Escalate", "Task_Escalate"]  # its activity ended: not armed
