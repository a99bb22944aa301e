"""What an external-task handler receives (the shape of engine.external.HandlerContext)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from engine.config import Settings
from engine.uow import UowFactory


class Context(Protocol):
    """The worker hands every handler one of these; handlers open their own unit of work."""

    job_id: str
    instance_id: str | None
    topic: str
    variables: dict[str, Any]
    uow_factory: UowFactory
    now: datetime
    settings: Settings


class HandlerFailed(RuntimeError):
    """A handler cannot do its work with these variables; the worker retries, then opens an
    incident with this message."""
