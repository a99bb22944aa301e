"""engine.scheduler.Worker: small claims, repeated at once while they come back full."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import event

from engine.config import Settings
from engine.scheduler import Worker
from tests.factories import NOW, deploy_fixture, start

DUE = NOW + timedelta(minutes=11)


def test_one_poll_drains_a_burst_larger_than_the_batch_in_batch_sized_claims(
        uow_factory, db_engine):
    deploy_fixture(uow_factory, "timer_duration.bpmn")
    with time_machine.travel(NOW, tick=False):
        ids = [start(uow_factory, "timer_duration", NOW).id for _ in range(5)]
    worker = Worker(uow_factory, Settings(job_lease_seconds=60, job_batch_size=2), owner="w1")
    claims: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args) -> None:
        if statement.startswith("UPDATE jobs SET lock_owner"):
            claims.append(statement)

    event.listen(db_engine, "before_cursor_execute", seen)
    try:
        with time_machine.travel(DUE, tick=False):
            assert worker.poll_once() == 5
            assert worker.poll_once() == 0  # nothing left: one short claim, no loop
    finally:
        event.remove(db_engine, "before_cursor_execute", seen)
        worker.executor.shutdown(wait=True)
    assert len(claims) == 4  # 2 + 2 + 1 (short: the poll ends), then the empty one
    with uow_factory() as uow:
        assert {uow.instances.get(i).status for i in ids} == {"completed"}
        assert all(not uow.jobs.for_instance(i) for i in ids)
