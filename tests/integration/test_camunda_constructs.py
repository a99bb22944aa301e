"""Camunda 7 constructs found in real diagrams: io mappings anywhere, ids named like
SpiffWorkflow's own tasks, BPMN's own multi-instance collection."""

from __future__ import annotations

from engine import service
from engine.service import SYSTEM_ACTOR
from tests.factories import (
    NOW,
    activity_states,
    deploy_fixture,
    make_user,
    open_tasks,
    show,
    start,
)


def test_io_mappings_of_a_script_task_and_a_timer_run_around_them(uow_factory):
    deploy_fixture(uow_factory, "io_mapping.bpmn")
    instance = start(uow_factory, "io_mapping", amount=21, waitTime="PT1H")
    detail = show(uow_factory, instance.id)
    assert detail.incidents == [] and detail.instance.status == "running"
    values = detail.variables
    assert values["doubled"] == 42 and values["label"] == "固定"  # inputs, before the script
    assert values["prepared"] == 43  # the script saw its inputs
    assert values["summary"] == "固定-42" and values["done"] is True  # outputs, after it
    assert values["wait"] == "PT1H"  # the timer's input, read by its timeDuration
    assert activity_states(detail)["Timer_Wait"] == {"WAITING"}
    with uow_factory() as uow:
        [job] = uow.jobs.for_instance(instance.id)
    assert job.element_id == "Timer_Wait"


def test_an_unknown_input_variable_is_an_incident_before_the_element(uow_factory):
    deploy_fixture(uow_factory, "io_mapping.bpmn")
    instance = start(uow_factory, "io_mapping", waitTime="PT1H")
    [incident] = show(uow_factory, instance.id).incidents
    assert incident.element_id == "Task_Prepare"  # the element, not VocFlow's mapping script
    assert "Cannot resolve identifier 'amount'" in incident.message
    assert "(at the input mapping of Task_Prepare)" in incident.message


def test_elements_named_start_and_end_run_as_any_other(uow_factory):
    deploy_fixture(uow_factory, "reserved_ids.bpmn")
    instance = start(uow_factory, "reserved_ids")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Review"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, SYSTEM_ACTOR, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed"
    states = activity_states(detail)
    assert states["Start_startEvent"] == {"COMPLETED"} and states["End_endEvent"] == {
        "COMPLETED"}


def test_loop_data_input_ref_is_the_multi_instance_collection(uow_factory):
    deploy_fixture(uow_factory, "mi_loop_data_input.bpmn")
    instance = start(uow_factory, "mi_loop_data_input", reviewers=["wang", "li"])
    tasks = open_tasks(uow_factory, instance.id)
    assert sorted(t.assignee for t in tasks) == ["li", "wang"]
    for task in tasks:
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {}, SYSTEM_ACTOR, NOW)
    assert show(uow_factory, instance.id).instance.status == "completed"


def test_an_expression_naming_no_bean_is_evaluated_in_place(uow_factory):
    deploy_fixture(uow_factory, "expression_in_place.bpmn")
    instance = start(uow_factory, "expression_in_place", amount=20)
    detail = show(uow_factory, instance.id)
    assert detail.incidents == [] and detail.instance.status == "completed"
    assert detail.variables["ok"] is True and detail.variables["big"] is True
    with uow_factory() as uow:
        assert uow.jobs.for_instance(instance.id) == []  # no external task was made


def test_script_tasks_store_their_value_in_camunda_result_variable(uow_factory):
    deploy_fixture(uow_factory, "compat_script_results.bpmn")
    instance = start(uow_factory, "compat_script_results", score=75)
    values = show(uow_factory, instance.id).variables
    assert values["converted"] == 45 and values["grade"] == "合格"


def test_camunda_initiator_names_the_variable_that_holds_who_started(uow_factory):
    """camunda:initiator="applicant": the starter is in ${applicant} (it was unset, so the
    task's assignment failed); a start variable of that name does not overwrite it."""
    deploy_fixture(uow_factory, "compat_initiator.bpmn")
    wang = make_user(uow_factory, "wang", "staff")
    instance = start(uow_factory, "compat_initiator", actor=wang, applicant="li")
    detail = show(uow_factory, instance.id)
    assert detail.incidents == []
    assert detail.variables["applicant"] == "wang"
    [task] = open_tasks(uow_factory, instance.id)
    assert task.assignee == "wang"
