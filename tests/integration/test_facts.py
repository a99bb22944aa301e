"""engine.service.facts: the dashboard projections follow each save; ops can rebuild them."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from engine import clock, service
from engine.errors import Forbidden
from engine.models import InstanceFacts, ProjectYear
from engine.service.facts import rebuild_facts
from tests.processes.scenario_helpers import (
    RECOMMEND,
    REVIEW,
    START,
    World,
    credit_code,
    people,
    plan_data,
    settings_for,
    start_project,
    travel,
)


@pytest.fixture
def world(uow_factory, tmp_path):
    with travel(START):
        w = World(uow_factory, settings_for(tmp_path))
        w.deploy()
        yield w


def _facts(world, instance_id):
    with world.uow_factory() as uow:
        row = uow.session.get(InstanceFacts, instance_id)
        return None if row is None else (row.state, row.title, row.first_year, row.last_year)


def test_project_states_follow_review_recommendation_and_confirmation(world):
    p = people(world)
    pid = start_project(world, p)
    assert _facts(world, pid) == ("draft", None, 2026, 2026)
    world.complete(pid, "Task_SubmitPlan", p.unit,
                   plan_data(world, p.unit, "U1", start=2026, end=2028))
    assert _facts(world, pid) == ("in_review", "U1 市域产教联合体建设项目", 2026, 2028)
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["return"])
    assert _facts(world, pid)[0] == "in_review"
    world.complete(pid, "Task_SubmitPlan", p.unit,
                   plan_data(world, p.unit, "U1", start=2026, end=2027))
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["approve"])
    assert _facts(world, pid) == ("approved", "U1 市域产教联合体建设项目", 2026, 2027)
    world.complete(pid, "Task_Recommend", p.reviewer, RECOMMEND)
    assert _facts(world, pid)[0] == "recommended"
    world.complete(pid, "Task_MinistryConfirm", p.ministry, {"decision": "return",
                                                             "opinion": "请补充材料。"})
    assert _facts(world, pid)[0] == "approved"
    world.complete(pid, "Task_Recommend", p.reviewer, {"recommended": False,
                                                       "opinion": "暂不推荐。"})
    world.run_jobs()
    assert _facts(world, pid)[0] == "not_recommended"
    assert world.status(pid) == "completed"


def test_a_return_past_the_revision_limit_is_a_rejection(world):
    p = people(world)
    pid = start_project(world, p, rounds=0)
    world.complete(pid, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, "U1"))
    world.complete(pid, "Task_ReviewPlan", p.reviewer, REVIEW["return"])
    assert _facts(world, pid)[0] == "rejected"
    assert world.open_elements(pid) == []


def test_registration_and_summary_facts(world):
    applicant = world.user("zhang")
    reviewer = world.user("reviewer-11", "province:11:reviewer")
    rid = world.start("unit_registration", applicant)
    assert _facts(world, rid)[0] == "open"
    world.complete(rid, "Task_FillRegistration", applicant, {
        "unit_name": "北京市示范职业技术学院", "credit_code": credit_code(1),
        "unit_type": "school", "province_code": "11", "address": "北京市海淀区学院路1号",
        "contact_name": "张老师", "contact_phone": "010-62751234",
        "contact_email": "zhang@school.example.cn"})
    assert _facts(world, rid)[:2] == ("submitted", "北京市示范职业技术学院")
    world.complete(rid, "Task_VerifyRegistration", reviewer, {"decision": "approve"})
    world.run_jobs()
    assert _facts(world, rid)[0] == "completed"
    moe = world.user("moe-KT01", "ministry:KT01")
    sid = world.start("provincial_summary", service.SYSTEM_ACTOR, province_code="11",
                      key_task="KT01", year=2025)
    assert _facts(world, sid) == ("open", None, 2025, 2025)
    world.complete(sid, "Task_WriteSummary", reviewer, {
        "summary_text": "本省2025年度职业教育重点任务总体进展顺利，详见报告。",
        "summary_file": world.upload(reviewer, "province:11", "省级总结.pdf")})
    assert _facts(world, sid)[0] == "submitted"
    world.complete(sid, "Task_AcknowledgeSummary", moe, {"acknowledged": True})
    assert _facts(world, sid)[0] == "acknowledged"


def test_ops_rebuild_the_facts_from_the_history(world):
    p = people(world)
    pid = start_project(world, p)
    world.complete(pid, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, "U1"))
    other = world.start("unit_registration", world.user("zhang"))
    with world.uow_factory() as uow:
        uow.session.execute(delete(ProjectYear))
        uow.session.execute(delete(InstanceFacts))
    assert _facts(world, pid) is None
    with world.uow_factory() as uow, pytest.raises(Forbidden):
        rebuild_facts(uow, p.reviewer, clock.now())
    with world.uow_factory() as uow:
        assert rebuild_facts(uow, service.SYSTEM_ACTOR, clock.now()) == 2
    assert _facts(world, pid)[0] == "in_review" and _facts(world, other)[0] == "open"
