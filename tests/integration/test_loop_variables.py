"""Camunda's multi-instance variables: a collection written ${experts}, and a completion
condition on nrOfCompletedInstances / nrOfInstances (the "enough experts voted" rule)."""

from __future__ import annotations

from typing import Any

import pytest

from engine import service
from engine.errors import ProcessDefinitionError
from engine.service import SYSTEM_ACTOR
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

KEY = "compat_mi_vote"


def _open(uow_factory: Any, instance_id: str) -> list[tuple[str, str | None]]:
    return sorted((t.element_id, t.assignee) for t in open_tasks(uow_factory, instance_id))


def test_three_of_five_votes_complete_the_vote_and_cancel_the_rest(uow_factory):
    experts = ["wang", "li", "zhao", "qian", "sun"]
    actors = {name: make_user(uow_factory, name, "expert") for name in experts}
    deploy_fixture(uow_factory, "compat_mi_vote.bpmn")
    instance = start(uow_factory, KEY, experts=experts)
    assert _open(uow_factory, instance.id) == sorted(("Task_Vote", e) for e in experts)
    for name in ("wang", "li", "zhao"):
        [task] = [t for t in open_tasks(uow_factory, instance.id) if t.assignee == name]
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {}, actors[name], NOW)
    assert _open(uow_factory, instance.id) == [("Task_Summary", None)]  # 3/5 = 0.6
    assert "CANCELLED" in activity_states(show(uow_factory, instance.id))["Task_Vote"]


def test_two_of_five_do_not(uow_factory):
    experts = ["wang", "li", "zhao", "qian", "sun"]
    actors = {name: make_user(uow_factory, name, "expert") for name in experts}
    deploy_fixture(uow_factory, "compat_mi_vote.bpmn")
    instance = start(uow_factory, KEY, experts=experts)
    for name in ("qian", "sun"):
        [task] = [t for t in open_tasks(uow_factory, instance.id) if t.assignee == name]
        with uow_factory() as uow:
            service.complete_task(uow, task.id, {}, actors[name], NOW)
    assert [a for e, a in _open(uow_factory, instance.id)] == ["li", "wang", "zhao"]


def test_a_collection_that_is_not_one_variable_is_refused_naming_the_task(uow_factory):
    xml = (FIXTURES / "compat_mi_vote.bpmn").read_text().replace(
        'camunda:collection="${experts}"', 'camunda:collection="${panel.experts}"')
    with uow_factory() as uow, pytest.raises(ProcessDefinitionError) as refused:
        service.deploy(uow, {"vote.bpmn": xml.encode()}, SYSTEM_ACTOR, NOW)
    [problem] = refused.value.details["problems"]
    assert problem["element_id"] == "Task_Vote"
    assert "camunda:collection '${panel.experts}'" in problem["message"]


def test_a_sequential_script_reads_its_loop_counter_and_the_count(uow_factory):
    deploy_fixture(uow_factory, "compat_mi_sequential_script.bpmn")
    instance = start(uow_factory, "compat_mi_sequential_script", years=3, firstYear=2024)
    values = show(uow_factory, instance.id).variables
    assert [values.get(f"year_{i}") for i in range(4)] == [2024, 2025, 2026, None]
    assert values["planned"] == 3 and "loopCounter" not in values
    assert _open(uow_factory, instance.id) == [("Task_Check", None)]
