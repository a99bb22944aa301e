"""Announce external work to waiting fetchAndLock requests, here and in other processes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from engine.uow import UnitOfWork
from engine.work_bell import BELL, CHANNEL, Note, encode


def announce(uow: UnitOfWork, notes: Sequence[Note]) -> None:
    """External tasks may be available once this unit of work commits.

    PostgreSQL: a NOTIFY in this very transaction reaches every listening process at the
    commit, never before it and never for a rolled-back change. This process's waiters
    are rung right after the commit as well (a waiter that got its task is gone by the
    time its NOTIFY arrives, so the second ring costs nothing).
    """
    if not notes:
        return
    uow.jobs.notify(CHANNEL, encode(notes))
    uow.after_commit(lambda: BELL.ring(notes))


def available(uow: UnitOfWork, topics: Sequence[str], now: datetime
              ) -> set[tuple[str, str, str | None, str | None]]:
    """(id, topic, process key, business key) of the external tasks a worker could lock
    now: the bell's re-check.

    Internal to the server (it answers only ids and topic names to the listener, never to
    a client); the fetchAndLock that follows a ring checks the caller's permissions.
    """
    return uow.jobs.available_external(topics, now) if topics else set()
