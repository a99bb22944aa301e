"""Scenarios 4-5: a late annual report with its reminders, and the DMN rating boundaries."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import FormInvalid
from tests.processes.scenario_helpers import (
    annual_report,
    people,
    to_annual_assessment,
    travel,
    utc,
)

DEADLINE = utc(2026, 12, 15, 15, 59)  # 15 December 23:59 Asia/Shanghai


def _counts(world, pid):
    rows = world.outbox(instance_id=pid)
    return {t: sum(1 for r in rows if r.template == t)
            for t in ("reminder_7d", "reminder_1d", "deadline_passed")}


def _opened(world, p, target=10):
    pid = to_annual_assessment(world, p, target=target)
    with travel(utc(2026, 11, 1, 0)):
        world.run_jobs()
        assert world.open_elements(pid) == ["Task_AnnualReport"]
    return pid


def test_4_late_report_reminders_once_escalation_on_time_late_flagged(world):
    p = people(world)
    pid = _opened(world, p)
    steps = [
        (utc(2026, 12, 8, 15, 58), {"reminder_7d": 0, "reminder_1d": 0, "deadline_passed": 0}),
        (utc(2026, 12, 8, 16, 0), {"reminder_7d": 1, "reminder_1d": 0, "deadline_passed": 0}),
        (utc(2026, 12, 10, 0, 0), {"reminder_7d": 1, "reminder_1d": 0, "deadline_passed": 0}),
        (utc(2026, 12, 14, 16, 0), {"reminder_7d": 1, "reminder_1d": 1, "deadline_passed": 0}),
        (utc(2026, 12, 15, 15, 58), {"reminder_7d": 1, "reminder_1d": 1, "deadline_passed": 0}),
        (utc(2026, 12, 15, 16, 0), {"reminder_7d": 1, "reminder_1d": 1, "deadline_passed": 1}),
        (utc(2026, 12, 18, 0, 0), {"reminder_7d": 1, "reminder_1d": 1, "deadline_passed": 1}),
    ]
    for when, expected in steps:
        with travel(when):
            world.run_jobs("worker-a")
            world.run_jobs("worker-b")
            assert _counts(world, pid) == expected, when
            assert world.open_elements(pid) == ["Task_AnnualReport"]
    [escalation] = world.outbox("deadline_passed", pid)
    assert DEADLINE <= escalation.created_at <= utc(2026, 12, 15, 16, 1)
    assert escalation.recipients == ["province:11:reviewer"]
    assert escalation.emails == ["p11@edu.example.cn"]
    [reminder] = world.outbox("reminder_1d", pid)
    assert reminder.emails == ["u1@school.example.cn"] and "明天截止" in reminder.subject
    with travel(utc(2026, 12, 20, 2, 0)):
        annual_report(world, pid, p, 2026, actual=10)
        variables = world.task_data(pid, "Task_ProvincialAssessment")
        assert variables["late"] is True and variables["completion_ratio"] == 1.0
        assert variables["suggested_rating"] == "良好"
        world.complete(pid, "Task_ProvincialAssessment", p.reviewer, {"rating": "良好"})
        world.run_jobs()
    assert _counts(world, pid) == {"reminder_7d": 1, "reminder_1d": 1, "deadline_passed": 1}
    [rating] = world.outbox("rating_result", pid)
    assert "逾期提交" in rating.body


@pytest.mark.parametrize(("actual", "late", "ratio", "rating"), [
    (9500, False, 0.95, "优秀"),
    (9500, True, 0.95, "良好"),
    (9499, False, 0.9499, "良好"),
    (8000, False, 0.8, "良好"),
    (7999, False, 0.7999, "合格"),
    (6000, True, 0.6, "合格"),
    (5999, False, 0.5999, "不合格"),
    (0, False, 0.0, "不合格"),
])
def test_5_dmn_rating_at_each_boundary(world, actual, late, ratio, rating):
    p = people(world)
    pid = _opened(world, p, target=10000)
    with travel(utc(2026, 12, 16, 1) if late else utc(2026, 11, 20)):
        annual_report(world, pid, p, 2026, actual=actual)
    variables = world.task_data(pid, "Task_ProvincialAssessment")
    assert (variables["completion_ratio"], variables["late"]) == (ratio, late)
    assert variables["suggested_rating"] == rating
    task = world.task(pid, "Task_ProvincialAssessment")
    assert task.candidate_groups == ["province:11:reviewer"]


def test_5_override_needs_a_reason(world):
    p = people(world)
    pid = _opened(world, p, target=10000)
    with travel(utc(2026, 11, 20)):
        annual_report(world, pid, p, 2026, actual=9000)
        task = world.task(pid, "Task_ProvincialAssessment")
        with world.uow_factory() as uow, pytest.raises(FormInvalid) as info:
            service.complete_task(uow, task.id, {"rating": "优秀"}, p.reviewer, utc(2026, 11, 20))
        assert "override_reason" in info.value.details
        assert world.open_elements(pid) == ["Task_ProvincialAssessment"]
        reason = "实地核查发现超额完成合作企业引进。"
        world.complete(pid, "Task_ProvincialAssessment", p.reviewer,
                       {"rating": "优秀", "override_reason": reason})
        world.run_jobs()
    variables = world.variables(pid)
    assert (variables["suggested_rating"], variables["rating"]) == ("良好", "优秀")
    assert variables["override_reason"] == reason
    [result] = world.outbox("rating_result", pid)
    assert result.subject.endswith("优秀") and reason in result.body
    assert world.status(pid) == "completed"
