"""Scenarios 1-3: the whole lifecycle, revision rounds, the Ministry returning a recommendation."""

from __future__ import annotations

from tests.processes.scenario_helpers import (
    RECOMMEND,
    REVIEW,
    World,
    annual_report,
    credit_code,
    people,
    plan_data,
    start_project,
    to_annual_assessment,
    travel,
    utc,
)


def _register(world: World) -> tuple[str, str]:
    applicant = world.user("zhang", email="zhang@school.example.cn")
    reviewer = world.user("reviewer-11", "province:11:reviewer")
    rid = world.start("unit_registration", applicant)
    world.complete(rid, "Task_FillRegistration", applicant, {
        "unit_name": "北京市示范职业技术学院", "credit_code": credit_code(1),
        "unit_type": "school", "province_code": "11", "address": "北京市海淀区学院路1号",
        "contact_name": "张老师", "contact_phone": "010-62751234",
        "contact_email": "zhang@school.example.cn",
    })
    world.complete(rid, "Task_VerifyRegistration", reviewer, {"decision": "approve"})
    world.run_jobs()
    assert world.status(rid) == "completed"
    return rid, world.variables(rid)["unit_id"]


def test_1_registration_to_acknowledged_provincial_summary(world):
    rid, unit_id = _register(world)
    unit = world.actor("zhang")
    assert unit.unit_ids == [unit_id]
    [registered] = world.outbox("review_result", rid)
    assert registered.emails == ["zhang@school.example.cn"]
    p = people(world, unit_id, "11", "KT01")
    p.unit = unit
    pid = to_annual_assessment(world, p)
    assert world.open_elements(pid) == []
    assert [m.template for m in world.outbox(instance_id=pid)] == ["recommendation_result"]
    with travel(utc(2026, 11, 2, 1)):
        world.run_jobs()
        task = world.task(pid, "Task_AnnualReport")
        assert task.due_at == utc(2026, 12, 15, 15, 59)
        annual_report(world, pid, p, 2026, actual=12)
        variables = world.variables(pid)
        assert (variables["late"], variables["completion_ratio"]) == (False, 1.0)
        assert variables["suggested_rating"] == "优秀"
        world.complete(pid, "Task_ProvincialAssessment", p.reviewer, {"rating": "优秀"})
        world.run_jobs()
    assert world.status(pid) == "completed"
    assert [m.template for m in world.outbox(instance_id=pid)] == [
        "recommendation_result", "rating_result"]
    with travel(utc(2026, 12, 15, 16, 1)):
        world.run_jobs()
        with world.uow_factory() as uow:
            [summary] = uow.instances.list(process_key="provincial_summary")
        assert summary.business_key == "summary:11:KT01:2026"
        report = world.upload(p.reviewer, "province:11", "2026年度总结报告.pdf")
        world.complete(summary.id, "Task_WriteSummary", p.reviewer, {
            "summary_text": "2026年度本省市域产教联合体建设进展顺利，各项绩效目标均已完成。",
            "summary_file": report})
        world.complete(summary.id, "Task_AcknowledgeSummary", p.ministry,
                       {"acknowledged": True})
    assert world.status(summary.id) == "completed"


def _submit(world, pid, p):
    world.complete(pid, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, p.unit_id))


def test_2_returned_twice_then_approved(world):
    p = people(world)
    pid = start_project(world, p, rounds=2)
    for _ in range(2):
        _submit(world, pid, p)
        world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["return"])
        assert world.open_elements(pid) == ["Task_SubmitPlan"]
    _submit(world, pid, p)
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["approve"])
    assert world.open_elements(pid) == ["Task_Recommend"]
    assert world.variables(pid)["revision_round"] == 2


def test_2_round_limit_exceeded_counts_as_rejected(world):
    p = people(world)
    pid = start_project(world, p, rounds=2)
    for _ in range(2):
        _submit(world, pid, p)
        world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["return"])
    _submit(world, pid, p)
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["return"])
    world.run_jobs()
    assert world.status(pid) == "completed" and world.open_elements(pid) == []
    assert world.variables(pid)["revision_round"] == 3
    [rejected] = world.outbox("review_result", pid)
    assert "退回修改" in rejected.subject and rejected.emails == ["u1@school.example.cn"]


def test_2_reject_ends_the_project(world):
    p = people(world)
    pid = start_project(world, p)
    _submit(world, pid, p)
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["reject"])
    world.run_jobs()
    assert world.status(pid) == "completed"
    assert "未通过" in world.outbox("review_result", pid)[0].subject


def test_3_ministry_returns_the_recommendation_to_the_province(world):
    p = people(world)
    pid = start_project(world, p)
    _submit(world, pid, p)
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["approve"])
    world.complete(pid, "Task_Recommend", p.reviewer, RECOMMEND)
    world.complete(pid, "Task_MinistryConfirm", p.ministry,
                   {"decision": "return", "opinion": "请补充推荐排序依据。"})
    task = world.task(pid, "Task_Recommend")
    assert task.candidate_groups == ["province:11:reviewer"]
    assert world.variables(pid)["opinion"] == "请补充推荐排序依据。"
    world.complete(pid, "Task_Recommend", p.reviewer, {**RECOMMEND, "ranking": 2})
    world.complete(pid, "Task_MinistryConfirm", p.ministry, {"decision": "confirm"})
    world.run_jobs()
    assert world.variables(pid)["ranking"] == 2
    assert [m.template for m in world.outbox(instance_id=pid)] == ["recommendation_result"]
    assert world.status(pid) == "running" and world.open_elements(pid) == []
