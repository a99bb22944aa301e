"""Two people complete the same task at the same moment: one wins, the other gets a conflict."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from engine import service
from engine.errors import ConcurrencyConflict, InvalidState, NotFound
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import NOW, deploy_fixture, open_tasks, start

STAFF = Actor("staff_member", frozenset({"staff"}))


@pytest.mark.committed_db
def test_two_threads_complete_the_same_task_exactly_one_wins(uow_factory, dialect):
    deploy_fixture(uow_factory, "loop_review.bpmn")
    instance = start(uow_factory, "loop_review", done=False)
    [task] = open_tasks(uow_factory, instance.id)
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def complete(data: dict[str, Any]) -> None:
        barrier.wait()
        try:
            with uow_factory() as uow:
                service.complete_task(uow, task.id, data, STAFF, NOW)
            outcomes.append("ok")
        except (NotFound, ConcurrencyConflict, InvalidState) as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=complete, args=({"done": False, "by": n},))
               for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("ok") == 1, outcomes
    [conflict] = [o for o in outcomes if o != "ok"]
    assert conflict.code in ("not_found", "concurrency_conflict", "invalid_state")
    with uow_factory() as uow:
        detail = service.show_instance(uow, instance.id, SYSTEM_ACTOR)
    assert [h.action for h in detail.history].count("task_completed") == 1
    [next_task] = detail.tasks
    assert next_task.id != task.id and next_task.element_id == "Task_Edit"
    assert [a["state"] for a in detail.activities if a["element_id"] == "Task_Edit"] == [
        "COMPLETED", "READY"], dialect
