"""engine.service.task_list: 待办 rows with unit and project names (no N+1), 已办 from history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from engine import clock, service
from engine.models import Unit
from engine.service import scopes
from engine.service.task_list import completed_count, completed_tasks, inbox_rows, inbox_totals
from tests.processes.scenario_helpers import (
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

APPLICANT_UNIT = "北京市示范职业技术学院"


@pytest.fixture
def world(uow_factory, tmp_path):
    with travel(START):
        w = World(uow_factory, settings_for(tmp_path))
        w.deploy()
        yield w


def _setup(world):
    with world.uow_factory() as uow:
        for serial, unit_id in enumerate(("U1", "U2", "U3"), start=1):
            uow.product.add(Unit(
                id=unit_id, name=f"第{serial}职业技术学院", credit_code=credit_code(serial),
                unit_type="school", province_code="11", created_at=clock.now()))
    ps = [people(world, u) for u in ("U1", "U2", "U3")]
    pids = []
    for p in ps:
        pid = start_project(world, p)
        world.complete(pid, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, p.unit_id))
        pids.append(pid)
    applicant = world.user("zhang")
    rid = world.start("unit_registration", applicant)
    world.complete(rid, "Task_FillRegistration", applicant, {
        "unit_name": APPLICANT_UNIT, "credit_code": credit_code(9), "unit_type": "school",
        "province_code": "11", "address": "北京市海淀区学院路1号", "contact_name": "张老师",
        "contact_phone": "010-62751234", "contact_email": "zhang@school.example.cn"})
    return ps, pids, rid


def _count_statements(connection):
    seen = []
    event.listen(connection, "before_cursor_execute",
                 lambda *args, **kwargs: seen.append(args[2]))
    return seen


def test_inbox_rows_name_the_unit_and_project_in_three_queries(world, connection):
    ps, pids, rid = _setup(world)
    reviewer = ps[0].reviewer
    seen = _count_statements(connection)
    with world.uow_factory() as uow:
        rows = inbox_rows(uow, reviewer, view="offered", sort="due", limit=50)
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 3
    by_instance = {r.task.instance_id: r for r in rows}
    assert set(by_instance) == {*pids, rid}
    assert by_instance[pids[1]].unit_name == "第2职业技术学院"
    assert by_instance[pids[1]].project_name == "U2 市域产教联合体建设项目"
    assert by_instance[pids[1]].task.element_id == "Task_ReviewPlan"
    assert by_instance[rid].unit_name == APPLICANT_UNIT
    assert by_instance[rid].project_name is None
    with world.uow_factory() as uow:
        page = inbox_rows(uow, reviewer, view="offered", limit=2, offset=2)
        assert len(page) == 2
        assert inbox_rows(uow, ps[0].unit, view="offered") == ()
        other = world.user("reviewer-12", "province:12:reviewer")
        assert inbox_rows(uow, other, view="all") == ()


def test_completed_tasks_list_what_the_actor_did_newest_first(world):
    ps, pids, rid = _setup(world)
    reviewer = ps[0].reviewer
    world.complete(pids[0], "Task_ReviewPlan", reviewer, REVIEW["approve"])
    world.complete(pids[2], "Task_ReviewPlan", reviewer, REVIEW["reject"])
    world.complete(rid, "Task_VerifyRegistration", reviewer, {"decision": "approve"})
    with world.uow_factory() as uow:
        done = completed_tasks(uow, reviewer, limit=10)
        assert completed_count(uow, reviewer) == 3
        assert completed_tasks(uow, ps[1].reviewer, limit=10) == done
        assert [r.instance_id for r in completed_tasks(uow, reviewer, 1, 1)] == [pids[2]]
        assert [r.element_id for r in completed_tasks(uow, ps[1].unit)] == ["Task_SubmitPlan"]
    assert [r.instance_id for r in done] == [rid, pids[2], pids[0]]
    verify, rejected, approved = done
    assert verify.unit_name == APPLICANT_UNIT and verify.outcome == {"decision": "approve"}
    assert (approved.element_name, approved.unit_name, approved.project_name) == (
        "省级审核建设方案", "第1职业技术学院", "U1 市域产教联合体建设项目")
    assert approved.opinion == "方案可行，同意。"
    assert rejected.outcome == {"decision": "reject"} and rejected.process_key == (
        "key_task_project")



def test_inbox_totals_count_as_the_inbox_counts_in_one_query(world, connection):
    ps, pids, rid = _setup(world)
    reviewer = ps[0].reviewer
    claimed = world.task(pids[1], "Task_ReviewPlan")
    with world.uow_factory() as uow:
        service.claim_task(uow, claimed.id, reviewer, clock.now())
    actors = (reviewer, ps[0].unit, world.user("moe-KT01", "ministry:KT01"),
              service.SYSTEM_ACTOR, world.user("nobody"))
    seen = _count_statements(connection)
    with world.uow_factory() as uow:
        totals = inbox_totals(uow, reviewer, clock.now())
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1
    assert totals == {"mine": 1, "claimable": 3, "offered": 4, "overdue": 0}
    with world.uow_factory() as uow:
        for actor in actors:
            for at in (clock.now(), clock.now() + timedelta(days=3650)):
                listed = {view: len(scopes.inbox(uow, actor, view=view, limit=1000))
                          for view in ("mine", "claimable", "offered")}
                listed["overdue"] = len(scopes.inbox(uow, actor, view="offered",
                                                     overdue_at=at, limit=1000))
                assert inbox_totals(uow, actor, at) == listed, actor.username
