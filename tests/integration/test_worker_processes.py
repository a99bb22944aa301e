"""Real worker processes: two of them fire each due job once; a killed one loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from engine import clock
from tests.factories import deploy_fixture, start

pytestmark = [pytest.mark.committed_db, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def spawn(db_engine: Engine, tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, VOCFLOW_DATABASE_URL=db_engine.url.render_as_string(False),
               VOCFLOW_POLL_INTERVAL="0.2", VOCFLOW_JOB_LEASE_SECONDS="3",
               VOCFLOW_TEST_DIR=str(tmp_path), PYTHONPATH=str(REPO))
    with open(tmp_path / f"worker-{time.monotonic_ns()}.log", "wb") as log:
        return subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "api.cli", "worker", "--handlers", "tests.worker_handlers",
             *extra], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def polling(tmp_path: Path) -> int:
    logs = [p.read_text(errors="replace") for p in tmp_path.glob("worker-*.log")]
    return sum("polling every" in text for text in logs)


def wait_for(predicate, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not reached in time")


def statuses(uow_factory, ids):
    with uow_factory() as uow:
        return {uow.instances.get(i).status for i in ids}


def actions(uow_factory, ids, action):
    with uow_factory() as uow:
        return Counter(h.instance_id for i in ids for h in uow.history.for_instance(i)
                       if h.action == action)


def stop(*workers: subprocess.Popen[bytes]) -> list[int]:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    return [w.wait(timeout=30) for w in workers]


def test_two_workers_fire_each_timer_and_external_task_exactly_once(uow_factory, db_engine,
                                                                   tmp_path):
    deploy_fixture(uow_factory, "timer_date.bpmn", "external_score.bpmn")
    workers = [spawn(db_engine, tmp_path, "--concurrency", "2"), spawn(db_engine, tmp_path)]
    try:
        wait_for(lambda: polling(tmp_path) == 2)  # both ready before anything falls due
        # Each timer falls due 2 s after its own start: one fixed time could already have
        # passed when a slow machine starts the last instances, which then never wait.
        timers = [start(uow_factory, "timer_date", clock.now(),
                        fire_at=(clock.now() + timedelta(seconds=2)).isoformat()).id
                  for _ in range(15)]
        externals = [start(uow_factory, "external_score", clock.now(), base=i).id
                     for i in range(15)]
        wait_for(lambda: statuses(uow_factory, timers + externals) == {"completed"})
    finally:
        codes = stop(*workers)
    assert codes == [0, 0]
    assert actions(uow_factory, timers, "timer_fired") == Counter({i: 1 for i in timers})
    assert actions(uow_factory, externals, "external_task_completed") == Counter(
        {i: 1 for i in externals})
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("worker-*.log"))
    assert logs.count(": fired") == 15 and logs.count(": completed") == 15


def test_killed_worker_job_runs_again_after_lease_and_instance_advances_once(
        uow_factory, db_engine, tmp_path):
    deploy_fixture(uow_factory, "external_score.bpmn")
    instance = start(uow_factory, "external_score", clock.now(), base=41, hang_first=True)
    first = spawn(db_engine, tmp_path)
    try:
        wait_for(lambda: any(tmp_path.glob("*.started")))
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert statuses(uow_factory, [instance.id]) == {"running"}
    second = spawn(db_engine, tmp_path)
    try:
        wait_for(lambda: statuses(uow_factory, [instance.id]) == {"completed"})
    finally:
        assert stop(second) == [0]
    assert actions(uow_factory, [instance.id], "external_task_completed")[instance.id] == 1
    with uow_factory() as uow:
        history = [h for h in uow.history.for_instance(instance.id)
                   if h.action == "external_task_completed"]
    assert history[0].data["variables"] == {"score": 42}
