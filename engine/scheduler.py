"""APScheduler wiring only: a fixed-id interval job polls engine.jobs; the job table schedules."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from apscheduler.schedulers.background import BackgroundScheduler

from engine import clock, jobs
from engine.config import Settings
from engine.expressions import limits
from engine.uow import UowFactory

POLL_JOB_ID = "vocflow-poll-jobs"
log = logging.getLogger("vocflow.worker")


def worker_id() -> str:
    """Unique per process: host, pid and a random suffix (a restarted pid is a new owner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Polls every settings.poll_interval seconds; stop() lets the batch in hand finish."""

    def __init__(self, uow_factory: UowFactory, settings: Settings, concurrency: int = 1,
                 owner: str | None = None) -> None:
        self.uow_factory = uow_factory
        self.settings = settings
        # Script limits follow the worker's settings, not only the environment.
        limits.configure(settings.script_time_limit, settings.script_memory_limit_mb)
        self.owner = owner or worker_id()
        self.executor = ThreadPoolExecutor(max(concurrency, 1), thread_name_prefix="job")
        self.batch = settings.job_batch_size * max(concurrency, 1)
        self.stopped = threading.Event()
        self.scheduler = BackgroundScheduler(timezone="UTC")
        # One poll at a time per process (max_instances=1); missed ticks are merged.
        self.scheduler.add_job(self.poll_once, "interval", seconds=settings.poll_interval,
                               id=POLL_JOB_ID, max_instances=1, coalesce=True,
                               replace_existing=True)

    def poll_once(self) -> int:
        """Claim and run small batches until one comes back short (nothing more is due)."""
        done = 0
        while not self.stopped.is_set():
            try:
                outcomes = jobs.poll(self.uow_factory, self.settings, self.owner,
                                     limit=self.batch, executor=self.executor)
            except Exception:  # noqa: BLE001 - a failed poll (DB restart) must not kill it
                log.exception("poll failed; trying again in %s s", self.settings.poll_interval)
                break
            done += len(outcomes)
            if len(outcomes) < self.batch:
                break
        return done

    def start(self) -> None:
        log.info("worker %s polling every %s s", self.owner, self.settings.poll_interval)
        self.scheduler.start()
        self.scheduler.modify_job(POLL_JOB_ID, next_run_time=clock.now())

    def stop(self) -> None:
        """Finish the jobs in hand, then stop: no new poll starts after this is called."""
        self.stopped.set()
        self.scheduler.shutdown(wait=True)
        self.executor.shutdown(wait=True)
        log.info("worker %s stopped", self.owner)
