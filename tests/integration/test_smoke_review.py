"""The review fixture end to end through the service layer."""

from __future__ import annotations

from engine import service
from engine.service import SYSTEM_ACTOR
from tests.factories import NOW, deploy_fixture, make_user, open_tasks, start


def test_review_approved_path_completes_with_script_results(uow_factory):
    deploy_fixture(uow_factory, "review.bpmn")
    reviewer = make_user(uow_factory, "wang", "province:11:reviewer")
    instance = start(uow_factory, "simple_review", province_code="11",
                     review_due="2026-12-15T23:59:00+08:00")
    [task] = open_tasks(uow_factory, instance.id)
    assert task.candidate_groups == ["province:11:reviewer"]
    assert task.due_at.isoformat() == "2026-12-15T15:59:00+00:00"
    with uow_factory() as uow:
        service.complete_task(uow, task.id, {"approved": True, "score": 80}, reviewer, NOW)
    with uow_factory() as uow:
        detail = service.show_instance(uow, instance.id, SYSTEM_ACTOR)
    assert detail.instance.status == "completed"
    assert detail.variables["result"] == "approved"
    assert detail.variables["score_text"] == "80 points"
    assert [h.action for h in detail.history] == [
        "instance_started", "task_completed", "instance_completed"]
