"""The projection hints on process_instances (open task ids, has jobs/subscriptions) stay exact."""

from __future__ import annotations

from sqlalchemy import func, select

from engine import service
from engine.models import EventSubscription, Job, TaskCandidate
from engine.service import SYSTEM_ACTOR
from tests.factories import NOW, deploy_fixture, make_user, open_tasks, start


def _counts(uow, instance_id: str) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    jobs = uow.session.scalar(select(func.count()).select_from(Job)
                              .where(Job.instance_id == instance_id))
    subs = uow.session.scalar(select(func.count()).select_from(EventSubscription)
                              .where(EventSubscription.instance_id == instance_id))
    candidates = uow.session.scalar(select(func.count()).select_from(TaskCandidate))
    return int(jobs or 0), int(subs or 0), int(candidates or 0)


def test_hints_follow_each_save_of_a_looping_task(uow_factory):
    deploy_fixture(uow_factory, "loop_review.bpmn")
    actor = make_user(uow_factory, "li", "staff")
    instance = start(uow_factory, "loop_review", done=False)
    [first] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        assert row.open_task_ids == [first.id]
        assert row.has_jobs is False and row.has_subscriptions is False
        service.complete_task(uow, first.id, {"done": False}, actor, NOW)
    [second] = open_tasks(uow_factory, instance.id)
    assert second.id != first.id and second.candidate_groups == ["staff"]
    with uow_factory() as uow:
        assert uow.instances.get(instance.id).open_task_ids == [second.id]
        assert uow.tasks.get(first.id) is None
        assert _counts(uow, instance.id)[2] == 1  # the old task's candidate row went too
        service.complete_task(uow, second.id, {"done": True}, actor, NOW)
    assert open_tasks(uow_factory, instance.id) == []
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        assert row.status == "completed" and row.open_task_ids == []
        assert _counts(uow, instance.id) == (0, 0, 0)


def test_unknown_hints_read_the_tables(uow_factory):
    """Rows saved before the hints existed (NULL) are read and then kept exact."""
    deploy_fixture(uow_factory, "loop_review.bpmn")
    actor = make_user(uow_factory, "li", "staff")
    instance = start(uow_factory, "loop_review", done=False)
    [first] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        row.open_task_ids = row.has_jobs = row.has_subscriptions = None
    with uow_factory() as uow:
        service.complete_task(uow, first.id, {"done": False}, actor, NOW)
    [second] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        row = uow.instances.get(instance.id)
        assert row.open_task_ids == [second.id] and row.has_jobs is False
        assert uow.tasks.get(first.id) is None


def test_timer_job_and_subscription_hints(uow_factory):
    deploy_fixture(uow_factory, "timer_date.bpmn", "msg_wait.bpmn")
    timed = start(uow_factory, "timer_date", fire_at="2099-01-01T00:00:00+08:00")
    waiting = start(uow_factory, "msg_wait")
    with uow_factory() as uow:
        assert uow.instances.get(timed.id).has_jobs is True
        assert _counts(uow, timed.id)[0] == 1
        assert uow.instances.get(waiting.id).has_subscriptions is True
        assert _counts(uow, waiting.id)[1] == 1
        service.terminate_instance(uow, timed.id, SYSTEM_ACTOR, NOW)
    with uow_factory() as uow:
        row = uow.instances.get(timed.id)
        assert row.has_jobs is False and row.open_task_ids == []
        assert _counts(uow, timed.id)[0] == 0
