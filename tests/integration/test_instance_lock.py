"""InstanceRepository.get_for_update_with_jobs: the jobs are read after the lock is held."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text

from engine.models import Job
from tests.factories import NOW, deploy_fixture, start

pytestmark = pytest.mark.committed_db  # two connections, real commits


def _lock_waiters(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")) or 0)


def test_jobs_read_with_the_lock_include_one_its_previous_holder_added(
        uow_factory, db_engine, dialect):
    deploy_fixture(uow_factory, "timer_date.bpmn")
    instance = start(uow_factory, "timer_date", NOW, fire_at="2099-01-01T00:00:00+08:00")
    held, waiting = threading.Event(), threading.Event()
    seen: list[Any] = []

    def second() -> None:
        held.wait(10)
        waiting.set()
        with uow_factory() as uow:  # blocks until the first unit of work commits
            row, jobs = uow.instances.get_for_update_with_jobs(instance.id)
            seen.append((row.version, sorted(j.element_id or "" for j in jobs)))

    thread = threading.Thread(target=second)
    thread.start()
    with uow_factory() as uow:
        row = uow.instances.get_for_update(instance.id)
        uow.jobs.add(Job(id=str(uuid.uuid4()), kind="timer", instance_id=instance.id,
                         task_id=str(uuid.uuid4()), element_id="Added_Meanwhile",
                         due_at=NOW, created_at=NOW, payload={}, attempts=0))
        uow.instances.update_columns(row, {"stall_reason": "first"})
        uow.flush()
        held.set()
        waiting.wait(10)
        deadline = time.monotonic() + 10
        while dialect == "postgresql" and not _lock_waiters(db_engine):
            assert time.monotonic() < deadline, "the second never waited for the lock"
            time.sleep(0.02)
        time.sleep(0.2 if dialect == "postgresql" else 0.5)
    thread.join(timeout=30)
    [(version, elements)] = seen
    assert version == instance.version + 1  # the row as the first holder left it
    assert elements == sorted(["Added_Meanwhile", "Timer_Wait"])
