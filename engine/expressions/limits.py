"""CPU-time and memory budgets for scripts and expressions: the limits, the meter, the error."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from engine.config import load_settings

INT_BITS = 10_000  # bigger integers make C-level arithmetic too slow to interrupt
_CHECK_SECONDS = 0.001  # wall time between CPU-clock reads (perf_counter is cheap to read)
_RSS_SECONDS = 0.005  # CPU time between resident-memory reads (allocating is bounded by it)
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Limits:
    """What one script, condition or expression may use."""

    cpu_seconds: float
    memory_bytes: int

    def describe(self, kind: str) -> str:
        if kind == "cpu":
            return f"the {self.cpu_seconds:g} s CPU-time limit"
        return f"the {self.memory_bytes // (1024 * 1024)} MB memory limit"


class LimitExceeded(BaseException):  # noqa: N818 - BaseException: `except Exception` can't eat it
    """A script went past a limit. kind is "cpu" or "memory"; detail says what did it."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail


class ScriptLimitError(ValueError):
    """LimitExceeded seen from outside the sandbox; the message names the element and limit.

    A ValueError like ExpressionError, so callers that report a bad expression report it too.
    """

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


_configured: list[Limits] = []


def configure(cpu_seconds: float, memory_mb: int) -> None:
    """Set the limits for this process (default: VOCFLOW_SCRIPT_* settings)."""
    _configured[:] = [Limits(cpu_seconds, memory_mb * 1024 * 1024)]


def current() -> Limits:
    if not _configured:
        settings = load_settings()
        configure(settings.script_time_limit, settings.script_memory_limit_mb)
    return _configured[0]


_statm: dict[int, int] = {}  # pid -> open /proc/PID/statm (reopened after a fork)


def _rss() -> int:
    """Resident bytes of this process: one pread on a kept descriptor, 0 without /proc."""
    pid = os.getpid()
    try:
        if pid not in _statm:
            for inherited in _statm.values():  # a forked worker's copy of its parent's
                os.close(inherited)
            _statm.clear()
            _statm[pid] = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
        return int(os.pread(_statm[pid], 128, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0  # no /proc: only the size estimates guard memory


class Meter:
    """Counts ticks from instrumented code; past a limit every later tick raises again."""

    __slots__ = ("limits", "started", "deadline", "rss_start", "next_rss", "charged",
                 "next_check", "exceeded")

    def __init__(self, limits: Limits) -> None:
        # The CPU clock is a system call and most scripts end before their first check: the
        # deadline is set at that check. Memory is read now: growth counts from here.
        self.limits = limits
        self.started = time.perf_counter()
        self.next_check = self.started + _CHECK_SECONDS
        self.deadline: float | None = None
        self.next_rss = 0.0
        self.rss_start: int | None = _rss()
        self.charged = 0  # estimated bytes built by guarded operations since the last read
        self.exceeded: LimitExceeded | None = None

    def tick(self) -> bool:
        if time.perf_counter() >= self.next_check:
            self.check()
        return True

    def _deadline(self) -> float:
        if self.deadline is None:
            # CPU used so far is at most the wall time since the start: the estimate is strict.
            since = time.perf_counter() - self.started
            self.deadline = time.thread_time() - since + self.limits.cpu_seconds
        return self.deadline

    def check(self) -> None:
        self.next_check = time.perf_counter() + _CHECK_SECONDS
        if self.exceeded is not None:
            raise LimitExceeded(self.exceeded.kind, self.exceeded.detail)
        deadline = self._deadline()
        now = time.thread_time()
        if now > deadline:
            self.fail("cpu")
        if now >= self.next_rss:
            self.next_rss = now + _RSS_SECONDS
            self.check_memory()

    def check_memory(self) -> None:
        """Resident memory is per process: another thread's growth counts too (rarely)."""
        self.charged = 0
        rss = _rss()
        if self.rss_start is None:
            self.rss_start = rss
        elif rss and rss - self.rss_start > self.limits.memory_bytes:
            self.fail("memory", "its data grew past the limit")

    def charge(self, nbytes: int) -> None:
        """A guarded operation is about to build nbytes (estimated): read memory soon enough."""
        self.charged += nbytes
        if self.charged > self.limits.memory_bytes // 4:
            self.check_memory()

    def fail(self, kind: str, detail: str = "") -> None:
        self.exceeded = LimitExceeded(kind, detail)
        raise LimitExceeded(kind, detail)

    def spend(self, seconds: float) -> None:
        """Count time spent waiting (time.sleep) as CPU time: the lock is held just as long."""
        self.deadline = self._deadline() - seconds

    def remaining(self) -> float:
        return max(self._deadline() - time.thread_time(), 0.001)


_local = threading.local()


def active() -> Meter | None:
    """The meter of the script or expression running on this thread, if any."""
    meter: Meter | None = getattr(_local, "meter", None)
    return meter


@contextmanager
def metered() -> Iterator[Meter]:
    """Run a block under the limits; a nested block shares the outer block's budget."""
    outer = active()
    if outer is not None:
        yield outer
        return
    meter = Meter(current())
    _local.meter = meter
    try:
        yield meter
    finally:
        _local.meter = None


def tick() -> bool:
    """For guard code outside instrumented scripts (iterators, loops over big inputs)."""
    meter = active()
    if meter is not None:
        meter.tick()
    return True


def fail(kind: str, detail: str) -> None:
    meter = active()
    if meter is not None:
        meter.fail(kind, detail)
    raise LimitExceeded(kind, detail)


def check_bytes(nbytes: int, what: str) -> None:
    """Refuse to build something whose estimated size is past the memory limit."""
    if nbytes > current().memory_bytes:
        fail("memory", what)
    meter = active()
    if meter is not None and nbytes > 4096:
        meter.charge(nbytes)


def check_int_bits(bits: int) -> None:
    """Refuse integers so large that arithmetic on them cannot be interrupted in time."""
    if bits > INT_BITS:
        fail("cpu", f"an integer of about {bits} bits (at most {INT_BITS} bits)")


def message(what: str, error: LimitExceeded) -> str:
    """English text for incidents: `script task X exceeded the 2 s CPU-time limit (...)`."""
    text = f"{what} exceeded {current().describe(error.kind)}"
    return f"{text} ({error.detail})" if error.detail else text
