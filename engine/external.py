"""External-task handlers: Python functions registered per topic, run by the worker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.config import Settings
from engine.uow import UowFactory


@dataclass(frozen=True)
class HandlerContext:
    """What a handler gets: the job, its instance, the task's variables plus input params.

    A handler runs outside any transaction; it opens its own unit of work through
    `uow_factory` if it needs the database. It returns the variables to complete the task
    with, or raises to fail (the worker retries with backoff, then opens an incident).
    """

    job_id: str
    instance_id: str | None
    topic: str
    variables: dict[str, Any]
    uow_factory: UowFactory
    now: datetime
    settings: Settings
    # a camunda:connector task: its evaluated input parameters and raw output parameters
    connector: dict[str, Any] | None = None


Handler = Callable[[HandlerContext], "dict[str, Any] | None"]
_HANDLERS: dict[str, Handler] = {}
_LOCK = threading.Lock()


def register_handler(topic: str, fn: Handler) -> Handler:
    """Make the worker run fn for every external task of this topic (last one wins)."""
    with _LOCK:
        _HANDLERS[topic] = fn
    return fn


def unregister_handler(topic: str) -> None:
    with _LOCK:
        _HANDLERS.pop(topic, None)


def handler_for(topic: str | None) -> Handler | None:
    return _HANDLERS.get(topic or "")


def topics() -> list[str]:
    """Topics that have a handler in this process: the only ones its worker claims."""
    return sorted(_HANDLERS)
