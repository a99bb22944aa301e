"""engine.service.instance_view: diagrams with element states, the timeline, actions, scope."""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import NotFound
from engine.service.instance_view import instance_view
from tests.factories import NOW, deploy_fixture, start
from tests.processes.scenario_helpers import (
    START,
    World,
    people,
    settings_for,
    to_annual_assessment,
    travel,
    utc,
)


@pytest.fixture
def world(uow_factory, tmp_path):
    with travel(START):
        w = World(uow_factory, settings_for(tmp_path))
        w.deploy()
        yield w


def _view(uow_factory, instance_id, actor, now=NOW):
    with uow_factory() as uow:
        return instance_view(uow, instance_id, actor, now)


def test_annual_report_open_shows_both_diagrams_timers_timeline_and_actions(world):
    p = people(world)
    pid = to_annual_assessment(world, p)
    with travel(utc(2026, 11, 1, 0)):
        world.run_jobs()
    view = _view(world.uow_factory, pid, p.unit, utc(2026, 12, 9))
    top = view.diagrams[0]
    by_key = {d.process_key: d for d in view.diagrams}
    assert list(by_key) == ["key_task_project", "annual_assessment", "provincial_review"]
    called = by_key["annual_assessment"]
    assert by_key["provincial_review"].states["Task_ReviewPlan"].state == "done"
    assert view.xml == top.xml and 'id="Call_AnnualAssessment"' in view.xml
    assert top.states["Task_SubmitPlan"].state == "done"
    assert top.states["Call_AnnualAssessment"].state == "active"
    assert "Task_AnnualReport" not in top.states
    assert called.states["Timer_AssessmentOpens"].state == "done"
    assert called.states["Task_AnnualReport"].state == "active"
    reminder = called.states["Boundary_Reminder7d"]
    assert reminder.state == "waiting_timer" and reminder.overdue is True
    assert reminder.due_at.isoformat() == "2026-12-08T15:59:00+00:00"
    assert called.states["Boundary_DeadlinePassed"].overdue is False
    review = next(e for e in view.timeline if e.element_id == "Task_ReviewPlan")
    assert (review.actor, review.action, review.element_name) == (
        "reviewer-11", "task_completed", "省级审核建设方案")
    assert review.opinion == "方案可行，同意。" and review.outcome == {"decision": "approve"}
    [task] = view.tasks
    assert view.completable == (task.id,) and "complete" in view.actions
    assert view.variables is None and "set_variables" not in view.actions
    reviewer = _view(world.uow_factory, pid, p.reviewer)
    assert reviewer.completable == () and "complete" not in reviewer.actions
    ops = _view(world.uow_factory, pid, service.SYSTEM_ACTOR)
    assert {"set_variables", "move_token", "set_job_due_date", "terminate"} <= set(ops.actions)
    assert ops.variables["unit_id"] == "U1"


def test_out_of_scope_instance_is_not_found(world):
    p = people(world)
    pid = to_annual_assessment(world, p)
    other = world.user("reviewer-12", "province:12:reviewer")
    with pytest.raises(NotFound):
        _view(world.uow_factory, pid, other)


def test_message_wait_and_incident_states(uow_factory):
    deploy_fixture(uow_factory, "msg_wait.bpmn", "external_score.bpmn")
    waiting = start(uow_factory, "msg_wait")
    view = _view(uow_factory, waiting.id, service.SYSTEM_ACTOR)
    assert view.states["Catch_Reply"].state == "waiting_message"
    assert view.states["Catch_Reply"].message == "message:reply_received"
    assert view.states["StartEvent_1"].state == "done"
    failing = start(uow_factory, "external_score", base=1)
    topics = [{"topicName": "score", "lockDuration": 60_000}]
    with uow_factory() as uow:
        [task] = service.fetch_and_lock(uow, "w", topics, 1, NOW, actor=service.SYSTEM_ACTOR)
        service.handle_failure(uow, task.id, "w", "scoring failed", None, 0, 0, NOW,
                               actor=service.SYSTEM_ACTOR)
    view = _view(uow_factory, failing.id, service.SYSTEM_ACTOR)
    assert view.states["Task_Score"].state == "incident"
    assert "scoring failed" in view.states["Task_Score"].message
    assert "retry_incident" in view.actions
