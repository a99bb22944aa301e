"""Scenarios 7-8: a designer's new diagram version without code; scopes of provinces and units."""

from __future__ import annotations

import pytest

from engine import files, service
from engine.errors import FormInvalid, NotFound
from engine.service import SYSTEM_ACTOR, scopes
from tests.factories import FIXTURES, deploy_files
from tests.processes.scenario_helpers import (
    REVIEW,
    START,
    people,
    plan_data,
    start_project,
)


def _bound_review_version(world, pid):
    with world.uow_factory() as uow:
        instance = service.get_instance(uow, pid, SYSTEM_ACTOR)
        return uow.definitions.get(instance.bindings["provincial_review"]).version


def test_7_new_review_version_with_expert_step_and_no_code_change(world):
    p = people(world)
    in_review = start_project(world, p)
    world.complete(in_review, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, "U1"))
    started_before = start_project(world, p)
    [v2] = deploy_files(world.uow_factory, FIXTURES / "provincial_review_v2.bpmn",
                        name="专家评审")
    assert (v2.key, v2.version) == ("provincial_review", 2)
    new = start_project(world, p)
    assert [_bound_review_version(world, i) for i in (in_review, started_before, new)] == [
        1, 1, 2]
    world.complete(new, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, "U1"))
    expert_task = world.task(new, "Task_ExpertReview")
    assert expert_task.name == "专家评审"
    assert expert_task.candidate_groups == ["province:11:expert"]
    expert = world.user("expert-11", "province:11:expert")
    world.complete(new, "Task_ExpertReview", expert, {"expert_opinion": "建议通过"})
    world.complete(new, "Task_ReviewPlan", p.reviewer, REVIEW["approve"])
    assert world.open_elements(new) == ["Task_Recommend"]
    assert world.variables(new)["expert_opinion"] == "建议通过"
    assert world.open_elements(in_review) == ["Task_ReviewPlan"]
    world.complete(in_review, "Task_ReviewPlan", p.reviewer, REVIEW["approve"])
    assert world.open_elements(in_review) == ["Task_Recommend"]
    # Bound when it started, before the deploy: the old review, without the expert step.
    world.complete(started_before, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, "U1"))
    assert world.open_elements(started_before) == ["Task_ReviewPlan"]


def _in_review(world):
    p11 = people(world, "U1", "11", "KT01")
    p44 = people(world, "U2", "44", "KT01")
    pid = start_project(world, p11)
    plan = plan_data(world, p11.unit, "U1")
    world.complete(pid, "Task_SubmitPlan", p11.unit, plan)
    return p11, p44, pid, plan


def test_8_province_44_cannot_see_or_complete_province_11(world):
    p11, p44, pid, _ = _in_review(world)
    task = world.task(pid, "Task_ReviewPlan")
    with world.uow_factory() as uow:
        assert [t.id for t in service.list_tasks(uow, p11.reviewer)] == [task.id]
        assert service.list_tasks(uow, p44.reviewer) == []
        assert scopes.inbox(uow, p44.reviewer, view="all") == []
        assert scopes.list_instances(uow, p44.reviewer) == []
        with pytest.raises(NotFound):
            scopes.visible_instance(uow, pid, p44.reviewer)
        with pytest.raises(NotFound):
            scopes.visible_task(uow, task.id, p44.reviewer)
        assert scopes.visible_instance(uow, pid, p11.reviewer).id == pid
    # Out of scope reads as absent: the other province cannot even learn the task exists.
    with world.uow_factory() as uow, pytest.raises(NotFound):
        service.complete_task(uow, task.id, REVIEW["approve"], p44.reviewer, START)
    with world.uow_factory() as uow, pytest.raises(NotFound):
        service.claim_task(uow, task.id, p44.reviewer, START)
    assert world.open_elements(pid) == ["Task_ReviewPlan"]
    with world.uow_factory() as uow:
        assert [h.action for h in uow.history.for_instance(pid)].count("task_completed") == 1


def test_8_a_unit_cannot_see_another_units_plan_or_files(world):
    p1, p2, pid, plan = _in_review(world)
    file_id = plan["plan_file"]["file_id"]
    other = world.user("unit-user-U3", "unit:U3")
    ministry_kt02 = world.user("moe-KT02", "ministry:KT02")
    with world.uow_factory() as uow:
        assert scopes.list_instances(uow, other) == []
        with pytest.raises(NotFound):
            scopes.visible_instance(uow, pid, other)
        for outsider in (other, p2.reviewer, ministry_kt02):
            with pytest.raises(NotFound):
                files.get_file(uow, file_id, outsider)
        for insider in (p1.unit, p1.reviewer, p1.ministry):
            assert files.get_file(uow, file_id, insider).name == "建设方案.pdf"
    own = start_project(world, people(world, "U3", "11", "KT01"))
    stolen = {**plan_data(world, other, "U3"), "plan_file": plan["plan_file"]}
    with world.uow_factory() as uow, pytest.raises(FormInvalid) as info:
        service.complete_task(uow, world.task(own, "Task_SubmitPlan").id, stolen, other,
                              START)
    assert info.value.details["plan_file"]["file_id"] == ["文件不属于本单位。"]
