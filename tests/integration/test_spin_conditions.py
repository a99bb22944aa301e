"""A gateway condition that reads a JSON variable through Camunda Spin's S(), as Camunda
Modeler users write it."""

from __future__ import annotations

from tests.factories import deploy_fixture, open_tasks, start


def test_a_gateway_condition_reads_a_json_variable_through_spin(uow_factory):
    deploy_fixture(uow_factory, "compat_spin_condition.bpmn")
    big = start(uow_factory, "compat_spin_condition", budget={"total": 150})
    small = start(uow_factory, "compat_spin_condition", budget={"total": 60})
    assert [t.element_id for t in open_tasks(uow_factory, big.id)] == ["Task_Ministry"]
    assert [t.element_id for t in open_tasks(uow_factory, small.id)] == ["Task_Province"]
