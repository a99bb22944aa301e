"""The one clock the engine reads; tests move it (and SpiffWorkflow's) with time-machine."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Current time as an aware UTC datetime."""
    return datetime.now(UTC)
