"""A message throw or end event with camunda:type="external" is an external task, as in
Camunda 7: a worker fetches it by topic, and completing it moves the token on (or ends)."""

from __future__ import annotations

from sqlalchemy import select

from engine import service
from engine.models import HistoricActivity
from engine.service import SYSTEM_ACTOR, rest_runtime
from tests.factories import NOW, deploy_fixture, open_tasks, show, start

KEY = "compat_message_worker"


def fetch(uow_factory, topic):
    topics = [{"topicName": topic, "lockDuration": 60_000}]
    with uow_factory() as uow:
        return service.fetch_and_lock(uow, "worker-1", topics, 10, NOW, actor=SYSTEM_ACTOR)


def complete(uow_factory, task):
    with uow_factory() as uow:
        service.complete_external_task(uow, task.id, "worker-1", {}, NOW, actor=SYSTEM_ACTOR)


def test_the_throw_event_waits_for_its_worker_under_its_own_id_and_type(uow_factory):
    deploy_fixture(uow_factory, "compat_message_worker.bpmn")
    instance = start(uow_factory, KEY)
    assert open_tasks(uow_factory, instance.id) == []
    with uow_factory() as uow:
        tree = rest_runtime.activity_instances(uow, instance.id, actor=SYSTEM_ACTOR)
    assert [(n.element_id, n.type) for n in tree.children] == [
        ("Throw_Notice", "intermediateMessageThrowEvent")]
    [task] = fetch(uow_factory, "send_notice")
    assert task.activity_id == "Throw_Notice"
    complete(uow_factory, task)
    [review] = open_tasks(uow_factory, instance.id)
    assert review.element_id == "Task_Review"


def test_the_end_event_ends_the_instance_once_its_worker_completes(uow_factory):
    deploy_fixture(uow_factory, "compat_message_worker.bpmn")
    instance = start(uow_factory, KEY)
    complete(uow_factory, fetch(uow_factory, "send_notice")[0])
    [review] = open_tasks(uow_factory, instance.id)
    with uow_factory() as uow:
        service.complete_task(uow, review.id, {}, SYSTEM_ACTOR, NOW)
    assert show(uow_factory, instance.id).instance.status == "running"
    [task] = fetch(uow_factory, "send_result")
    assert task.activity_id == "End_Result"
    complete(uow_factory, task)
    assert show(uow_factory, instance.id).instance.status == "completed"
    with uow_factory() as uow:
        kinds = dict(uow.session.execute(select(
            HistoricActivity.element_id, HistoricActivity.type).where(
            HistoricActivity.instance_id == instance.id)).all())
    assert kinds["End_Result"] == "messageEndEvent"
