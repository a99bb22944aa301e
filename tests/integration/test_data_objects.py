"""Data objects and their associations never fail a task, as Camunda 7 ignores them; a
value that exists still travels along them (SpiffWorkflow's data objects)."""

from __future__ import annotations

from engine import service
from engine.service import SYSTEM_ACTOR
from tests.factories import NOW, deploy_fixture, open_tasks, show, start

KEY = "compat_data_object"


def test_associations_of_a_data_object_no_task_sets_pass(uow_factory):
    deploy_fixture(uow_factory, "compat_data_object.bpmn")
    instance = start(uow_factory, KEY, note="ok")
    assert show(uow_factory, instance.id).incidents == []
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Check"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, SYSTEM_ACTOR, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.incidents == [] and detail.instance.status == "completed"
    assert detail.variables["note"] == "ok"


def test_a_value_that_exists_still_travels_along_the_associations(uow_factory):
    deploy_fixture(uow_factory, "compat_data_object.bpmn")
    instance = start(uow_factory, KEY, DataObject_Form="表一")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Check" and show(uow_factory, instance.id).incidents == []
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {}, SYSTEM_ACTOR, NOW)
    assert show(uow_factory, instance.id).instance.status == "completed"


def test_a_data_store_and_its_associations_are_ignored_as_camunda_does(uow_factory):
    deploy_fixture(uow_factory, "compat_data_store.bpmn")  # SpiffWorkflow refused it
    instance = start(uow_factory, "compat_data_store")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.element_id == "Task_Archive"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"archived": True}, SYSTEM_ACTOR, NOW)
    detail = show(uow_factory, instance.id)
    assert detail.instance.status == "completed" and detail.incidents == []
