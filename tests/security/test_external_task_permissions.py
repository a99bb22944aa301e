"""Threat: any signed-in user fetched, completed, unlocked and failed anyone's external tasks.

Working an external task now needs `worker` (every topic but the engine's own) or
`worker:{topic}`; only the user and worker id that hold the lock may act on it.
"""

from __future__ import annotations

import pytest

from engine import service
from engine.errors import Forbidden, InvalidState, NotFound
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import NOW, deploy_fixture, open_tasks, start

TOPICS = [{"topicName": "rest-score", "lockDuration": 60_000}]
UNIT_11 = Actor("unit11", frozenset({"unit:U11"}))
WORKER_A = Actor("worker-a", frozenset({"worker:rest-score"}))
WORKER_B = Actor("worker-b", frozenset({"worker"}))


@pytest.fixture
def waiting(uow_factory):
    """One rest_external instance in province 44, waiting on its external task."""
    deploy_fixture(uow_factory, "rest_external.bpmn")
    return start(uow_factory, "rest_external", province_code="44", unit_id="U44")


def _fetch(uow_factory, actor, worker_id="w1", topics=TOPICS):
    with uow_factory() as uow:
        return service.fetch_and_lock(uow, worker_id, topics, 10, NOW, actor=actor)


def test_fetch_needs_a_worker_grant_for_the_topic(uow_factory, waiting):
    with pytest.raises(Forbidden, match="rest-score"):
        _fetch(uow_factory, UNIT_11)
    with pytest.raises(Forbidden):
        _fetch(uow_factory, Actor("other", frozenset({"worker:another-topic"})))
    [task] = _fetch(uow_factory, WORKER_A)
    assert task.process_instance_id == waiting.id


def test_engine_topics_are_not_fetched_from_outside_unless_granted(uow_factory, waiting):
    notify = [{"topicName": "notify", "lockDuration": 1000}]
    for actor in (WORKER_B, Actor("root", frozenset({"admin"}))):
        with pytest.raises(Forbidden, match="notify"):
            _fetch(uow_factory, actor, topics=notify)
    assert _fetch(uow_factory, Actor("mailer", frozenset({"worker:notify"})),
                  topics=notify) == []


def test_only_the_lock_holder_completes_fails_extends_or_unlocks(uow_factory, waiting):
    [task] = _fetch(uow_factory, WORKER_A, worker_id="w1")
    # Same worker id, another user: the lock is not theirs.
    attempts = [
        lambda uow: service.complete_external_task(uow, task.id, "w1", {"score": 1}, NOW,
                                                   actor=WORKER_B),
        lambda uow: service.handle_failure(uow, task.id, "w1", "boom", None, 0, 0, NOW,
                                           actor=WORKER_B),
        lambda uow: service.extend_lock(uow, task.id, "w1", 1000, NOW, actor=WORKER_B),
        lambda uow: service.unlock(uow, task.id, NOW, actor=WORKER_B),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidState), uow_factory() as uow:
            attempt(uow)
    with uow_factory() as uow:
        assert uow.incidents.open_for(waiting.id) == []
    with pytest.raises(NotFound), uow_factory() as uow:  # no grant at all: nothing to see
        service.unlock(uow, task.id, NOW, actor=UNIT_11)
    with uow_factory() as uow:
        service.complete_external_task(uow, task.id, "w1", {"score": 4}, NOW, actor=WORKER_A)
    assert [t.element_id for t in open_tasks(uow_factory, waiting.id)] == ["Task_Check"]


def test_engine_worker_and_ops_keep_their_reach(uow_factory, waiting):
    [task] = _fetch(uow_factory, SYSTEM_ACTOR, worker_id="engine")
    with uow_factory() as uow:  # ops may release a stuck lock
        service.unlock(uow, task.id, NOW, actor=Actor("ops1", frozenset({"ops"})))
        assert uow.jobs.get(task.id).lock_owner is None


def test_over_engine_rest_a_unit_cannot_fetch_or_touch_a_foreign_task(client, user,
                                                                       uow_factory, waiting):
    unit = user("unit11", "unit:U11")
    worker = user("worker-a", "worker:rest-score")
    other = user("worker-b", "worker")
    body = {"workerId": "w1", "maxTasks": 5, "topics": TOPICS}
    refused = client.post("/engine-rest/external-task/fetchAndLock", json=body, headers=unit)
    assert refused.status_code == 403, refused.get_data(as_text=True)
    [task] = client.post("/engine-rest/external-task/fetchAndLock", json=body,
                         headers=worker).json
    base = f"/engine-rest/external-task/{task['id']}"
    assert client.post(f"{base}/unlock", headers=unit).status_code == 404
    for path, payload in (("complete", {"workerId": "w1"}),
                          ("failure", {"workerId": "w1", "errorMessage": "x", "retries": 0}),
                          ("extendLock", {"workerId": "w1", "newDuration": 1000})):
        answer = client.post(f"{base}/{path}", json=payload, headers=other)
        assert answer.status_code == 400, (path, answer.get_data(as_text=True))
    assert client.post(f"{base}/unlock", headers=other).status_code == 400
    with uow_factory() as uow:
        assert uow.incidents.open_for(waiting.id) == []
        assert uow.jobs.get(task["id"]).lock_owner == "worker-a/w1"
    done = client.post(f"{base}/complete", json={"workerId": "w1"}, headers=worker)
    assert done.status_code == 204, done.get_data(as_text=True)
