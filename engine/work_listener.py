"""What rings the work bell from outside this process: LISTEN and a cheap periodic re-check.

One per server process, in its event loop (started by the ASGI door):
- PostgreSQL: one shared connection LISTENs on engine.work_bell.CHANNEL; every NOTIFY
  (sent by engine.service.work_notice inside the committing transaction, by any process:
  the job worker, another API process) rings the bell at once. The connection waits in
  the loop; no thread is held.
- the re-check (both databases): while anybody waits, ask which external tasks of the
  waited-for topics can be locked now and ring for those not seen before. It finds what
  no commit announces: expired locks, retry times reached, and on SQLite the work of
  other processes. On SQLite it runs when the database's -wal file changed (one stat()
  every RECHECK_TICK seconds) or every RECHECK_SQLITE seconds; on PostgreSQL every
  RECHECK_POSTGRES seconds. One short unit of work per process, however many wait.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import psycopg

from engine import clock
from engine.db import libpq_dsn
from engine.service import work_notice
from engine.uow import UowFactory
from engine.work_bell import CHANNEL, Note, WorkBell, decode

LOG = logging.getLogger("vocflow.work")
# A stat() 20 times a second: on SQLite another process's commit is seen within 50 ms
# (0.1 s made bench/camunda_rest.py's wake-up median 100 ms, at its target)
RECHECK_TICK = 0.05
RECHECK_SQLITE = 5.0
RECHECK_POSTGRES = 5.0
RECONNECT_SECONDS = 2.0
Available = set[tuple[str, str, str | None, str | None]]  # (id, topic, key, business key)


async def listen(dsn: str, bell: WorkBell) -> None:
    """LISTEN until cancelled, reconnecting after a lost connection (ringing everybody)."""
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
            async with conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                bell.listening = True
                bell.ring()  # whatever was announced while nobody listened
                async for notice in conn.notifies():
                    bell.ring(decode(notice.payload))
        except (psycopg.Error, OSError) as exc:
            LOG.warning("work bell: LISTEN connection lost (%s); retrying", exc)
        finally:
            bell.listening = False
        await asyncio.sleep(RECONNECT_SECONDS)


class _WalWatch:
    """Has the SQLite database's -wal file changed since the last look? (one stat())"""

    def __init__(self, database_url: str) -> None:
        path = database_url.split("///", 1)[-1]
        self.path = Path(f"{path}-wal") if path and not path.startswith(":") else None
        self.seen: tuple[int, int] | None = None

    def changed(self) -> bool:
        if self.path is None:
            return False
        try:
            stat = os.stat(self.path)
            now: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            now = None
        changed, self.seen = now != self.seen, now
        return changed


async def recheck(uow_factory: UowFactory, bell: WorkBell, database_url: str,
                  executor: Executor) -> None:
    """Ring for external tasks that became lockable without a ring (see the module doc)."""
    loop = asyncio.get_running_loop()
    sqlite = libpq_dsn(database_url) is None
    every = RECHECK_SQLITE if sqlite else RECHECK_POSTGRES
    wal = _WalWatch(database_url)
    known: Available = set()
    last = loop.time()
    while True:
        await asyncio.sleep(RECHECK_TICK if sqlite else every)
        moved = wal.changed() if sqlite else False
        if not bell.waiting():
            known.clear()
            continue
        if not (moved or loop.time() - last >= every):
            continue
        last = loop.time()
        try:
            now_available = await loop.run_in_executor(
                executor, _available(uow_factory, sorted(bell.waiting_topics())))
        except Exception:  # a failed re-check (database restarting) must not stop the next
            LOG.exception("work bell: re-check failed")
            continue
        fresh = now_available - known
        known = now_available
        if fresh:  # precise notes: only the subscriptions these tasks match wake up
            bell.ring(sorted({Note(topic, key, business) for _id, topic, key, business in fresh},
                             key=lambda n: (n.topic, n.process_key or "", n.business_key or "")))


def _available(uow_factory: UowFactory, topics: list[str]) -> Callable[[], Available]:
    def run() -> Available:
        with uow_factory() as uow:
            return work_notice.available(uow, topics, clock.now())
    return run
