"""engine.repository.inbox: each view's rows and counts are what the permission model says.

The oracle is engine.authz on each open task's own row (its candidate lists as stored on the
task, the actor's units, provinces and key tasks), not the SQL under test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import authz, clock, service
from engine.models import HumanTask, Unit
from engine.service import Actor, scopes, task_list
from tests.processes.scenario_helpers import (
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


def _projects(world: World) -> list[str]:
    with world.uow_factory() as uow:
        for serial, (unit_id, province) in enumerate(
                (("U1", "11"), ("U2", "11"), ("U3", "12"), ("U4", "11")), start=1):
            uow.product.add(Unit(
                id=unit_id, name=f"第{serial}职业技术学院", credit_code=credit_code(serial),
                unit_type="school", province_code=province, created_at=clock.now()))
    pids = []
    for unit_id, province in (("U1", "11"), ("U2", "11"), ("U3", "12"), ("U4", "11")):
        p = people(world, unit_id, province)
        pid = start_project(world, p)
        if unit_id != "U4":
            world.complete(pid, "Task_SubmitPlan", p.unit, plan_data(world, p.unit, unit_id))
        pids.append(pid)
    return pids


def _expected(actor: Actor, tasks: list[HumanTask], view: str) -> set[str]:
    def mine(t: HumanTask) -> bool:
        return t.assignee == actor.username

    def claimable(t: HumanTask) -> bool:
        return t.assignee is None and authz.offered(actor, t)

    def in_scope(t: HumanTask) -> bool:
        return authz.is_ops(actor) or mine(t) or authz.offered(actor, t) or (
            (t.unit_id or "") in actor.unit_ids
            or (t.province_code or "") in authz.provinces_of(actor)
            or (t.key_task or "") in authz.key_tasks_of(actor))

    test = {"mine": mine, "claimable": claimable, "all": in_scope,
            "offered": lambda t: mine(t) or claimable(t)}[view]
    return {t.id for t in tasks if test(t)}


def test_every_view_lists_and_counts_what_authz_allows(world):
    pids = _projects(world)
    reviewer = world.user("reviewer-11")
    mate = world.user("mate-11", "province:11:reviewer")
    claimed = world.task(pids[1], "Task_ReviewPlan")
    with world.uow_factory() as uow:
        service.claim_task(uow, claimed.id, mate, clock.now())
        # Offered to the reviewer twice (as a user and through the group): listed once
        twice = uow.tasks.get(world.task(pids[0], "Task_ReviewPlan").id)
        twice.candidate_users = ["reviewer-11"]
        uow.tasks.replace_candidates(twice, twice.candidate_groups, ["reviewer-11"])
    actors = (reviewer, mate, world.user("unit-user-U4"), world.user("moe", "ministry:KT01"),
              world.user("reviewer-12"), world.user("nobody"), service.SYSTEM_ACTOR)
    with world.uow_factory() as uow:
        tasks = list(scopes.inbox(uow, service.SYSTEM_ACTOR, view="all", limit=1000))
        assert len(tasks) == 4
        for actor in actors:
            for view in scopes.INBOX_VIEWS:
                listed = [t.id for t in scopes.inbox(uow, actor, view=view, limit=1000)]
                assert len(listed) == len(set(listed)), (actor.username, view)
                assert set(listed) == _expected(actor, tasks, view), (actor.username, view)
            counts = scopes.inbox_counts(uow, actor, clock.now() + timedelta(days=3650))
            offered = _expected(actor, tasks, "offered")
            assert counts == {"mine": len(_expected(actor, tasks, "mine")),
                              "claimable": len(_expected(actor, tasks, "claimable")),
                              "offered": len(offered),
                              "overdue": len([t for t in tasks if t.id in offered
                                              and t.due_at is not None])}, actor.username
        assert scopes.inbox_counts(uow, mate, clock.now())["mine"] == 1
        assert len(_expected(reviewer, tasks, "claimable")) == 1  # the other is claimed


def test_filters_sorting_and_paging_keep_the_order(world):
    _projects(world)
    reviewer = world.user("reviewer-11")
    with world.uow_factory() as uow:
        everything = scopes.inbox(uow, reviewer, view="all", limit=1000)
        by_due = [t.id for t in everything]
        paged = [t.id for offset in (0, 1, 2) for t in
                 scopes.inbox(uow, reviewer, view="all", limit=1, offset=offset)]
        assert paged == by_due[:3]
        keys = [(t.due_at is None, t.due_at, -t.priority, t.created_at, t.id)
                for t in everything]
        assert keys == sorted(keys)
        submitted = scopes.inbox(uow, reviewer, view="all", process_key="key_task_project",
                                 limit=1000)
        assert {t.element_id for t in submitted} <= {"Task_ReviewPlan", "Task_SubmitPlan"}
        assert scopes.inbox(uow, reviewer, view="all", province_code="12") == []
        assert len(scopes.inbox(uow, reviewer, view="all",
                                due_before=clock.now() - timedelta(days=1))) == 0


def test_the_opening_page_and_its_counts_in_one_walk_match_the_two_queries(world):
    pids = _projects(world)
    mate = world.user("mate-11", "province:11:reviewer")
    with world.uow_factory() as uow:
        service.claim_task(uow, world.task(pids[1], "Task_ReviewPlan").id, mate, clock.now())
    for actor in (world.user("reviewer-11"), mate, world.user("nobody")):
        for sort in ("due", "priority"):
            for offset in (0, 1, 5):
                with world.uow_factory() as uow:
                    now = clock.now() + timedelta(days=400)
                    page = task_list.inbox_page(uow, actor, now, sort=sort, limit=1,
                                                offset=offset)
                    rows = task_list.inbox_rows(uow, actor, now=now, sort=sort, limit=1,
                                                offset=offset)
                    assert [r.task.id for r in page.rows] == [r.task.id for r in rows]
                    assert page.rows == rows
                    assert page.counts == scopes.inbox_counts(uow, actor, now)
