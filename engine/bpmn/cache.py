"""A per-process LRU of restored workflows, keyed by instance id and row version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MAX_ENTRIES = 256
MAX_BYTES = 64 * 1024 * 1024  # measured as the stored state's length: a proxy for memory


@dataclass
class _Entry:
    version: int
    state: str
    workflow: Any


class WorkflowCache:
    """Holds workflows between units of work; an entry is taken out while it is in use.

    `take` hands back the workflow only if the entry's version and stored state are the ones
    just read under the row lock; anything else is dropped. `put` is called only after a
    commit, so a rolled-back change never comes back.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def take(self, instance_id: str, version: int, state: str) -> Any | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
            if entry is not None:
                self._bytes -= len(entry.state)
            if entry is None or entry.version != version or entry.state != state:
                self.misses += 1
                return None
            self.hits += 1
            return entry.workflow

    def put(self, instance_id: str, version: int, state: str, workflow: Any) -> None:
        if self.max_entries <= 0 or len(state) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(instance_id, None)
            if old is not None:
                self._bytes -= len(old.state)
            self._entries[instance_id] = _Entry(version, state, workflow)
            self._bytes += len(state)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.state)

    def discard(self, instance_id: str) -> None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
            if entry is not None:
                self._bytes -= len(entry.state)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes


WORKFLOWS = WorkflowCache()
