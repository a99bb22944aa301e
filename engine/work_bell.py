"""The work bell: wakes waiting fetchAndLock requests when external tasks may be available.

A ring carries notes (topic, process key, business key; None stands for any), or none at
all, which wakes everybody. Rings come from commits in this process (after the commit),
from PostgreSQL NOTIFY sent in the committing transaction (engine.work_listener) and from
the listener's periodic re-check (lock expiries, retry times, SQLite's other processes).

Two kinds of waiters:
- threads (the WSGI door's blocking loop): a generation counter under a Condition;
- asyncio futures (the ASGI door): a waiting request holds no thread and no database
  connection, only a future in the event loop's set of waiters.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CHANNEL = "vocflow_work"  # the PostgreSQL NOTIFY channel
MAX_PAYLOAD = 7000  # NOTIFY payloads must stay under 8000 bytes; longer: ring everybody


@dataclass(frozen=True)
class Note:
    """An external task of this topic may be available (of this process and business key)."""

    topic: str
    process_key: str | None = None
    business_key: str | None = None


@dataclass(frozen=True)
class Interest:
    """One topic of a waiting subscription, with the filters the notes can be matched on."""

    topic: str
    process_keys: frozenset[str] | None = None
    business_key: str | None = None

    def wants(self, note: Note) -> bool:
        return (note.topic == self.topic
                and (self.process_keys is None or note.process_key is None
                     or note.process_key in self.process_keys)
                and (self.business_key is None or note.business_key is None
                     or note.business_key == self.business_key))


class Waiter:
    """A waiting request: its interests and the future a matching ring resolves."""

    def __init__(self, interests: Sequence[Interest] | None,
                 future: asyncio.Future[None]) -> None:
        self.interests = None if interests is None else tuple(interests)  # None: anything
        self.future = future

    def wants(self, notes: Sequence[Note]) -> bool:
        return (not notes or self.interests is None
                or any(i.wants(n) for i in self.interests for n in notes))


def encode(notes: Sequence[Note]) -> str:
    """The NOTIFY payload: a JSON list of [topic, process key, business key]; "" for all."""
    text = json.dumps([[n.topic, n.process_key, n.business_key] for n in notes],
                      ensure_ascii=False, separators=(",", ":"))
    return text if len(text.encode()) <= MAX_PAYLOAD else ""


def decode(payload: str) -> tuple[Note, ...]:
    """Notes from a payload; anything unreadable means "maybe everything" (no notes)."""
    try:
        rows = json.loads(payload) if payload else []
        return tuple(Note(str(t), k if isinstance(k, str) else None,
                          b if isinstance(b, str) else None) for t, k, b in rows)
    except (ValueError, TypeError):
        return ()


class WorkBell:
    """Process-wide; ring() may be called from any thread, the async side lives in one loop."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiters: dict[Waiter, None] = {}  # in arrival order: the oldest wakes first
        self.listening = False  # PostgreSQL LISTEN is up (set by engine.work_listener.listen)

    # -- both sides ---------------------------------------------------------------------
    def ring(self, notes: Sequence[Note] = ()) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._wake, tuple(notes))
            except RuntimeError:  # the loop closed meanwhile
                pass

    # -- threads ------------------------------------------------------------------------
    def generation(self) -> int:
        with self._condition:
            return self._generation

    def wait(self, seen: int, timeout: float) -> int:
        """Wait until rung after generation `seen` (or timeout); the current generation."""
        with self._condition:
            self._condition.wait_for(lambda: self._generation != seen, timeout)
            return self._generation

    # -- asyncio (call these in the attached loop) -----------------------------------------
    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def detach(self) -> None:
        self._loop, self.listening = None, False
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.cancel()
        self._waiters.clear()

    def register(self, interests: Sequence[Interest] | None) -> Waiter:
        loop = self._loop or asyncio.get_running_loop()
        waiter = Waiter(interests, loop.create_future())
        self._waiters[waiter] = None
        return waiter

    def unregister(self, waiter: Waiter) -> None:
        self._waiters.pop(waiter, None)
        if not waiter.future.done():
            waiter.future.cancel()

    def waiting(self) -> int:
        return len(self._waiters)

    def waiting_topics(self) -> set[str]:
        return {i.topic for w in self._waiters for i in w.interests or ()}

    def _wake(self, notes: tuple[Note, ...]) -> None:
        for waiter in list(self._waiters):
            if not waiter.future.done() and waiter.wants(notes):
                waiter.future.set_result(None)


def topic_notes(topics: Iterable[str]) -> tuple[Note, ...]:
    return tuple(Note(topic) for topic in sorted(set(topics)))


BELL = WorkBell()
