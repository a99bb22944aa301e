"""A handler module an operator would name in VOCFLOW_WORKER_HANDLERS: it registers the
handler that a `camunda:class="org.acme.AuditListener"` listener runs."""

from __future__ import annotations

from typing import Any

from engine import external


def audit(ctx: external.HandlerContext) -> dict[str, Any]:
    return {"audited": True}


external.register_handler("AuditListener", audit)
