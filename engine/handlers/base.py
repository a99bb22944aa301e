"""What an external-task handler receives, and the error a handler raises to fail."""

from __future__ import annotations

from engine.external import HandlerContext

Context = HandlerContext


class HandlerFailed(RuntimeError):
    """A handler cannot do its work with these variables; the worker retries, then opens an
    incident with this message."""
