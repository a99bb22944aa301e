"""An event-based gateway waits on its catch events, as Camunda 7 subscribes to them: a
message and a signal subscription and a timer job, each under its catch event's id."""

from __future__ import annotations

from engine import service
from engine.service import SYSTEM_ACTOR, job_control
from tests.factories import NOW, deploy_fixture, open_tasks, start

KEY = "compat_event_gateway"


def waits(uow_factory, instance_id):
    with uow_factory() as uow:
        subs = uow.events.subscriptions(instance_id, None, None, 10)
        jobs = uow.jobs.for_instance(instance_id)
        return ({(s.kind, s.name, s.element_id) for s in subs},
                [(j.kind, j.element_id) for j in jobs])


def only_task(uow_factory, instance_id):
    [task] = open_tasks(uow_factory, instance_id)
    return task.element_id


def test_the_gateway_subscribes_under_each_catch_event(uow_factory):
    deploy_fixture(uow_factory, "compat_event_gateway.bpmn")
    instance = start(uow_factory, KEY)
    subs, jobs = waits(uow_factory, instance.id)
    assert subs == {("message", "reply_in", "Catch_Reply"), ("signal", "recall", "Catch_Recall")}
    assert jobs == [("timer", "Catch_Deadline")]


def test_a_message_takes_its_branch_and_drops_the_others(uow_factory):
    deploy_fixture(uow_factory, "compat_event_gateway.bpmn")
    instance = start(uow_factory, KEY)
    with uow_factory() as uow:
        assert service.correlate_message(uow, "reply_in", SYSTEM_ACTOR, NOW) == [instance.id]
    assert only_task(uow_factory, instance.id) == "Task_Read"
    assert waits(uow_factory, instance.id) == (set(), [])


def test_a_signal_takes_its_branch(uow_factory):
    deploy_fixture(uow_factory, "compat_event_gateway.bpmn")
    instance = start(uow_factory, KEY)
    with uow_factory() as uow:
        assert service.broadcast_signal(uow, "recall", SYSTEM_ACTOR, NOW) == [instance.id]
    assert only_task(uow_factory, instance.id) == "Task_Recalled"


def test_executing_the_timer_job_takes_the_timer_branch(uow_factory):
    deploy_fixture(uow_factory, "compat_event_gateway.bpmn")
    instance = start(uow_factory, KEY)
    with uow_factory() as uow:
        [job] = uow.jobs.for_instance(instance.id)
        job_control.execute_job(uow, job.id, SYSTEM_ACTOR, NOW)
    assert only_task(uow_factory, instance.id) == "Task_Chase"
    assert waits(uow_factory, instance.id) == (set(), [])
